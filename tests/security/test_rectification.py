"""An inspection's failed items become rectifications in the one corrective register, and close only
with evidence and an inspector's re-check (有记录、有反馈、有整改)."""

import pytest

from yingji.audit.models import AuditEntry
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.testing import footprint
from yingji.corrective import services as corrective
from yingji.corrective.models import CorrectiveAction, Finding, SourceType, Status
from yingji.security import services
from yingji.security.models import FindingLink

pytestmark = pytest.mark.django_db

FAILURES = {
    "fire-1": "营业厅东侧2具灭火器已过有效期。",
    "defence-2": "声光报警器按下无声响。",
}


def test_two_failed_items_make_two_rectifications_that_close_only_with_evidence_and_a_recheck(
    conduct, hexie_admin, hexie_manager, hexie_president
):
    inspection = conduct(FAILURES)

    # Two findings in the one register, each linked back to its failed item, each with its action.
    links = list(FindingLink.objects.filter(inspection=inspection).select_related("finding", "result"))
    assert sorted(link.result.item.shipped_key for link in links) == ["defence-2", "fire-1"]
    findings = Finding.objects.filter(source_type=SourceType.INSPECTION, source_id=str(inspection.pk))
    assert findings.count() == 2
    actions = list(CorrectiveAction.objects.filter(findings__in=findings).order_by("pk"))
    assert len(actions) == 2
    assert {a.owner for a in actions} == {hexie_manager}  # the outlet head answers for them
    assert all(a.status == Status.OPEN and a.unit == inspection.unit for a in actions)

    first, second = actions
    corrective.start(actor=hexie_manager, action=first)
    # No evidence, no closing: refused, and nothing changed.
    before = footprint()
    with pytest.raises(InvalidInput):
        corrective.complete(actor=hexie_manager, action=first, evidence="   ")
    assert footprint() == before
    first.refresh_from_db()
    assert first.status == Status.IN_PROGRESS and first.evidence == ""

    corrective.complete(actor=hexie_manager, action=first, evidence="已更换2具灭火器，照片存档。")
    first.refresh_from_db()
    assert first.status == Status.DONE  # done, but not closed: it waits for the re-check

    # A drill's rating cannot close an inspection's rectification, nor can its owner re-check it.
    before = footprint()
    with pytest.raises(NotAllowed):
        corrective.verify(actor=hexie_president, action=first, by_source="演练", rating="P")
    with pytest.raises(NotAllowed):
        services.recheck_rectification(actor=hexie_manager, action=first, passed=True, note="我看过了")
    assert footprint() == before

    # The inspector goes back: not good enough, open again with a new deadline.
    services.recheck_rectification(actor=hexie_admin, action=first, passed=False, note="仍有1具过期。")
    first.refresh_from_db()
    assert first.status == Status.OPEN and first.done_at is None
    assert AuditEntry.objects.filter(action="corrective.reopen", object_id=str(first.pk)).exists()

    corrective.start(actor=hexie_manager, action=first)
    corrective.complete(actor=hexie_manager, action=first, evidence="3具全部更换。")
    services.recheck_rectification(actor=hexie_admin, action=first, passed=True, note="现场复查合格。")
    first.refresh_from_db()
    assert first.status == Status.VERIFIED and first.verified_by == hexie_admin
    assert str(inspection.pk) in first.verified_by_source

    # The other one is untouched: still open.
    second.refresh_from_db()
    assert second.status == Status.OPEN


def test_a_recheck_before_the_work_is_done_is_refused(conduct, hexie_admin):
    inspection = conduct({"fire-1": "灭火器过期。"})
    action = CorrectiveAction.objects.get(findings__inspection_link__inspection=inspection)
    before = footprint()
    with pytest.raises(Exception) as refused:
        services.recheck_rectification(actor=hexie_admin, action=action, passed=True, note="合格")
    assert refused.type.__name__ == "InvalidTransition"
    assert footprint() == before


def test_a_failed_item_must_say_what_is_wrong(conduct, hexie_admin):
    inspection = conduct(sign=False)
    result = inspection.results.first()
    result.inspection = inspection
    with pytest.raises(InvalidInput) as refused:
        services.record_item(actor=hexie_admin, result=result, outcome="fail", note="")
    assert "note" in refused.value.fields
