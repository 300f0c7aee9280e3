"""首报: the first report of an event, from an outlet's phone or an API client, in a surge or alone.

A report is checked, classified and matched against earlier ones (its idempotency key, a terminated
incident still under watch) on its own. Its write (the number, the incident, its timeline and audit
entries, the alarm job's row) goes through a group commit: reports arriving together in one process
commit in one transaction, numbered in arrival order, each with its own audit entry, and one alarm job
tells the chains of all of them. A report that arrives alone commits alone and at once (see
`core.group_commit`)."""

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, rows
from yingji.core.errors import InvalidInput, NotVisible
from yingji.core.group_commit import GroupCommit
from yingji.core.jobs import enqueue_in_transaction
from yingji.notify import rulebook
from yingji.notify.rulebook import Rulebook
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit
from yingji.plans.classify import classify
from yingji.plans.models import EventKind

from ..jobs import raise_alarms
from ..models import FollowUp, Incident, Status, TimelineEntry, TimelineEvent, YearCounter
from .report import _clean_content, _jsonable, _reopen

MAX_FUTURE = timedelta(minutes=5)


def report_incident(
    *,
    reporter: Person,
    kind: EventKind,
    unit: Unit,
    occurred_at: datetime,
    description: str,
    facts: dict | None = None,
    content: dict | None = None,
    idempotency_key: str | None = None,
    rules: Rulebook | None = None,
) -> Incident:
    """首报. Classifies, numbers, records, and has the worker tell the chain. The same idempotency key
    returns the incident it first created; a new report of the same kind at a unit still under watch
    reopens the terminated incident instead of opening another. `rules`: the rulebook, when the caller
    has read it for this request already."""
    if not visibility.can_see_unit(reporter.user, unit):
        raise NotVisible()
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = _("Say in a few words what happened.")
    now = clock.now()
    if occurred_at > now + MAX_FUTURE:
        errors["occurred_at"] = _("The time is in the future.")
    if errors:
        raise InvalidInput(_("The report is not complete."), fields=errors)
    fields = _clean_content(content)
    rules = rules or rulebook.current()
    classification = classify(kind, facts or {}, rules=rules.rules_for(kind))
    # Keys are the reporter's own: another outlet's client reusing a key gets its own incident.
    idempotency_key = _scoped_key(reporter, idempotency_key)
    done, watched = _earlier(idempotency_key, kind=kind, unit=unit, now=now)
    if done is not None:
        return done
    if watched is not None and (
        reopened := _reopen(
            watched,
            reporter=reporter,
            description=description,
            facts=facts or {},
            fields=fields,
            idempotency_key=idempotency_key,
        )
    ):
        return reopened
    report = NewReport(
        Incident(
            kind=kind,
            unit=unit,
            reporter=reporter,
            occurred_at=occurred_at,
            reported_at=now,
            description=description,
            facts=_jsonable(facts or {}),
            level=classification.level,
            classified_level=classification.level,
            level_reasons=[r.as_dict() for r in classification.reasons],
            idempotency_key=idempotency_key,
            **fields,
        )
    )
    try:
        _reports.submit(report)
    except IntegrityError:
        if idempotency_key and (done := _already_reported(idempotency_key)):
            return done  # the same report, committed by a concurrent retry
        raise
    return report.incident


@dataclass(eq=False)
class NewReport:
    """A report waiting for its write. Once the write committed, `incident` is saved: the one it created,
    or the one its key matched (in the same batch, or committed by another process meanwhile)."""

    incident: Incident
    same_as: "NewReport | None" = field(default=None, repr=False)
    found_id: int | None = None


def _write_reports(reports: Sequence[NewReport]) -> None:
    """One transaction for the batch: numbers in arrival order, the incidents, their timeline and audit
    entries, and the one job that tells every chain. Two reports with the same key in one batch (a
    double tap) are one incident; a key another process committed since the report checked it answers
    that incident, without failing the batch."""
    new = _distinct(reports)
    with transaction.atomic():
        taken = _take_numbers(Counter(_year(r) for r in new))
        # The counters are locked now: every batch that took numbers before has committed, so a key
        # that is not found here cannot be in flight either.
        found = _committed_keys([r.incident.idempotency_key for r in new if r.incident.idempotency_key])
        if found:
            for report in new:
                report.found_id = found.get(report.incident.idempotency_key or "")
            _give_back(Counter(_year(r) for r in new if r.found_id))
            new = [r for r in new if not r.found_id]
        for report in new:
            year = _year(report)
            report.incident.number = f"YJ-{year}-{taken[year]:06d}"
            taken[year] += 1
        if new:
            _record(new)
    if found:
        earlier = _incidents(set(found.values()))
        for report in reports:
            if report.found_id:
                report.incident = earlier[report.found_id]
    for report in reports:
        if report.same_as is not None:
            report.incident = report.same_as.incident


def _distinct(reports: Sequence[NewReport]) -> list[NewReport]:
    """The reports to write: the first of each key; the others will answer its incident."""
    by_key: dict[str, NewReport] = {}
    new: list[NewReport] = []
    for report in reports:
        # A batch that failed is written again report by report: start each from what was sent.
        report.incident.pk, report.incident.number = None, ""
        report.incident._state.adding = True
        report.same_as, report.found_id = None, None
        key = report.incident.idempotency_key
        if key and key in by_key:
            report.same_as = by_key[key]
            continue
        if key:
            by_key[key] = report
        new.append(report)
    return new


def _record(new: list[NewReport]) -> None:
    Incident.objects.bulk_create([r.incident for r in new])
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(
                incident=r.incident,
                at=r.incident.reported_at,
                event=TimelineEvent.REPORTED,
                actor=r.incident.reporter,
                text=r.incident.description,
                data={"level": r.incident.level, "reasons": r.incident.level_reasons},
            )
            for r in new
        ]
    )
    audit.record_each(
        [
            (
                r.incident.reporter.user,
                "incident.report",
                r.incident,
                {
                    "number": r.incident.number,
                    "kind": r.incident.kind.code,
                    "level": r.incident.level,
                    "facts": r.incident.facts,
                },
            )
            for r in new
        ]
    )
    # Telling the chains is the worker's: a report answers in milliseconds and a regional surge's
    # fan-out never queues the next outlet's report. The job's row commits with the reports, so a
    # crash after the commit cannot lose an alarm, nor a rollback page anyone.
    enqueue_in_transaction(
        raise_alarms,
        reports=[[r.incident.pk, f"level-{r.incident.level}", r.incident.reporter_id] for r in new],
    )


_reports = GroupCommit(_write_reports)


def _year(report: NewReport) -> int:
    return report.incident.reported_at.astimezone(clock.SHANGHAI).year


_TAKE = f"UPDATE {rows.table(YearCounter)} SET last = last + %s WHERE year = %s RETURNING last"
_GIVE_BACK = f"UPDATE {rows.table(YearCounter)} SET last = last - %s WHERE year = %s"


def _take_numbers(counts: Counter[int]) -> dict[int, int]:
    """The first of `count` numbers for each year, gapless: one UPDATE … RETURNING per year, holding the
    counter's row lock until the batch commits (PostgreSQL, SQLite 3.35+). A year's first report inserts
    the row first, in a way that never fails, so a year's first two reports cannot break each other."""
    first: dict[int, int] = {}
    for year, count in counts.items():
        row = rows.one(_TAKE, [count, year])
        if row is None:
            YearCounter.objects.bulk_create([YearCounter(year=year)], ignore_conflicts=True)
            row = rows.one(_TAKE, [count, year])
        first[year] = row[0] - count + 1
    return first


def _give_back(counts: Counter[int]) -> None:
    """Numbers taken for reports that turned out to be written already, returned under the same lock,
    so the year's numbers stay without gaps."""
    for year, count in counts.items():
        rows.run(_GIVE_BACK, [count, year])


def _committed_keys(keys: list[str]) -> dict[str, int]:
    """Of these keys, those a committed report created (or else reopened) an incident with: key → id."""
    if not keys:
        return {}
    marks = ", ".join(["%s"] * len(keys))
    found = rows.every(
        f"SELECT idempotency_key, id, 0 FROM {rows.table(Incident)} WHERE idempotency_key IN ({marks}) "
        f"UNION ALL SELECT idempotency_key, incident_id, 1 FROM {rows.table(FollowUp)} "
        f"WHERE idempotency_key IN ({marks})",
        [*keys, *keys],
    )
    return {key: incident_id for key, incident_id, _ in sorted(found, key=lambda r: -r[2])}


def _incidents(ids) -> dict[int, Incident]:
    return Incident.objects.select_related("kind", "unit").in_bulk(ids)


def _scoped_key(reporter: Person, key: str | None) -> str | None:
    """Keys are the reporter's own, so another outlet's client reusing one gets its own incident. A key
    too long for the column is stored as its digest: cutting it would make two reports one."""
    if not key:
        return None
    scoped = f"{reporter.pk}:{key}"
    if len(scoped) <= 100:
        return scoped
    return f"{reporter.pk}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


# Asked by every report, so written once: the incident a key created (0) or reopened (1), and the
# terminated incidents of a kind at a unit still under watch (2).
_EARLIER = (
    f"SELECT 0, id, reported_at FROM {rows.table(Incident)} WHERE idempotency_key = %s "
    f"UNION ALL SELECT 1, incident_id, at FROM {rows.table(FollowUp)} WHERE idempotency_key = %s "
    f"UNION ALL SELECT 2, id, COALESCE(terminated_at, reported_at) FROM {rows.table(Incident)} "
    "WHERE kind_id = %s AND unit_id = %s AND status = %s AND watch_until > %s"
)


def _earlier(
    key: str | None, *, kind: EventKind, unit: Unit, now: datetime
) -> tuple[Incident | None, Incident | None]:
    """In one statement: the incident a report with this key created or reopened, and the terminated
    incident of this kind at this unit still under watch (the latest, if several)."""
    at = connection.ops.adapt_datetimefield_value(now)
    found = rows.every(_EARLIER, [key, key, kind.pk, unit.pk, Status.TERMINATED, at])
    if not found:
        return None, None
    done = min((r for r in found if r[0] < 2), key=lambda r: r[0], default=None)
    watched = max((r for r in found if r[0] == 2), key=lambda r: r[2], default=None)
    loaded = _incidents({r[1] for r in (done, watched) if r is not None})
    return (loaded.get(done[1]) if done else None), (loaded.get(watched[1]) if watched else None)


def _already_reported(key: str) -> Incident | None:
    """The incident a report with this key created, or reopened."""
    found = _committed_keys([key]).get(key)
    return _incidents([found]).get(found) if found else None
