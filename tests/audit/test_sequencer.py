"""The sequencer seals committed entries into the chain off the write path, within a bound; signed
checkpoints make a rewritten chain fail even when every hash after the edit was recomputed."""

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from yingji.audit import keys, services
from yingji.audit.chain import entry_hash
from yingji.audit.models import AppendOnly, AuditEntry, ChainHead, Checkpoint
from yingji.audit.sequencer import sequence, sign_checkpoint
from yingji.audit.verify import FIELDS, verify_chain
from yingji.core import clock
from yingji.orgs.models import Unit


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def lift(trigger: str, table: str = "audit_auditentry") -> None:
    """What the database owner can do: take the append-only trigger away (for this test's transaction)."""
    if connection.vendor == "postgresql":
        sql(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    else:
        sql(f"DROP TRIGGER IF EXISTS {trigger}")


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out, stderr=StringIO())
    return out.getvalue()


def write(action: str, **data) -> AuditEntry:
    with transaction.atomic():
        return services.record(actor=None, action=action, obj=Unit.objects.get(code="JN01"), data=data)


def test_a_write_takes_no_lock_the_chain_head_is_the_sequencers_alone(demo, django_assert_num_queries):
    sequence()
    head = ChainHead.objects.get()
    unit = Unit.objects.get(code="JN01")
    with transaction.atomic(), django_assert_num_queries(2):  # its number, its insert: nothing shared
        services.record(actor=None, action="unit.update", obj=unit, data={"n": 1})
    assert ChainHead.objects.get().seq == head.seq
    assert sequence().chained == 1 and ChainHead.objects.get().seq == head.seq + 1


def test_entries_are_chained_in_order_without_gaps_and_a_second_pass_finds_nothing(demo):
    first = sequence()
    written = [write("unit.update", n=n) for n in range(5)]
    done = sequence(batch=2)  # three transactions of at most two
    assert done.ran and done.chained == 5 and sequence().chained == 0
    chained = [AuditEntry.objects.get(pk=e.pk).chain_seq for e in written]
    assert chained == list(range(first.head[0] + 1, first.head[0] + 6))
    assert verify_chain().ok


def test_an_entry_committed_after_later_ones_were_chained_is_chained_after_them_never_skipped(demo):
    """A long transaction took its number first and committed last: its entry is not visible to the
    pass that chains the later ones, and the next pass chains it, after them."""
    sequence()
    early = write("unit.update", who="long import")  # the lower number …
    sql("UPDATE audit_auditentry SET chain_seq = -1 WHERE id = %s", early.pk)  # … not visible yet:
    # the entries' own trigger allows this, the one update of an unchained entry's chain fields, so
    # this stands in for a transaction that has not committed; the sequencer looks only for NULL.
    later = write("unit.update", who="quick write")
    sequence()
    lift("audit_entry_append_only")
    sql("UPDATE audit_auditentry SET chain_seq = NULL WHERE id = %s", early.pk)  # … now it commits
    sequence()
    early.refresh_from_db()
    later.refresh_from_db()
    assert early.seq < later.seq and early.chain_seq == later.chain_seq + 1
    assert early.prev_hash == later.hash
    assert verify_chain().ok


def test_a_superuser_who_rewrites_an_entry_and_recomputes_every_hash_after_it_still_fails(demo):
    sequence()  # chains the demo bank and signs a checkpoint of its head
    assert Checkpoint.objects.count() == 1
    # What a database superuser can do: lift the triggers, edit entry #5 and seal every entry after
    # it anew, the chain head too, so that the chain is self-consistent again.
    lift("audit_entry_append_only")
    sql("UPDATE audit_auditentry SET actor_name = %s WHERE chain_seq = 5", "改过的人")
    prev = AuditEntry.objects.get(chain_seq=4).hash
    for row in AuditEntry.objects.filter(chain_seq__gte=5).order_by("chain_seq").values_list(*FIELDS):
        entry = dict(zip(FIELDS, row, strict=True))
        entry.pop("hash")
        seq = entry.pop("chain_seq")
        entry["prev_hash"] = prev
        prev = entry_hash(seq=seq, **entry)
        sql(
            "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE chain_seq = %s",
            entry["prev_hash"],
            prev,
            seq,
        )
    sql("UPDATE audit_chainhead SET hash = %s", prev)
    # Every hash and link holds: without the checkpoint this rewrite would pass …
    checkpoint = Checkpoint.objects.get()
    assert checkpoint.hash != prev
    # … and it does not: the signed checkpoint names the head's true hash.
    verdict = verify_chain()
    assert not verdict.ok and verdict.bad_seq == checkpoint.seq
    assert (
        f"names another hash for entry #{checkpoint.seq}: entries up to #{checkpoint.seq} were rewritten"
        in (verdict.reason)
    )
    with pytest.raises(CommandError, match="were rewritten") as failure:
        verify()
    assert failure.value.returncode == 1


def test_a_checkpoint_rewritten_to_match_fails_its_signature_and_one_signed_elsewhere_is_refused(demo):
    sequence()
    lift("audit_checkpoint_append_only", "audit_checkpoint")
    sql("UPDATE audit_checkpoint SET hash = %s", "f" * 64)
    assert "does not hold (bad signature)" in verify_chain().reason
    sql("DELETE FROM audit_checkpoint")
    someone_else = keys.Signer(keys.Ed25519PrivateKey.generate(), "0123456789abcdef")
    head = ChainHead.objects.get()
    sign_checkpoint(someone_else, head.seq, head.hash, clock.now())
    assert (
        "names key 0123456789abcdef, which is not among the configured public keys" in verify_chain().reason
    )


def test_the_database_refuses_to_change_or_remove_a_checkpoint(demo):
    from django.db import DatabaseError

    checkpoint = sequence().checkpoint
    checkpoint.hash = "f" * 64
    with pytest.raises(AppendOnly):
        checkpoint.save()
    with pytest.raises(AppendOnly):
        Checkpoint.objects.all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("UPDATE audit_checkpoint SET hash = %s", "f" * 64)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            sql("DELETE FROM audit_checkpoint")


def test_checkpoints_are_signed_at_intervals_only_when_the_head_moved(demo, settings):
    settings.AUDIT_CHECKPOINT_EVERY_SECONDS = 60
    with clock.frozen(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) as now:
        assert sequence().checkpoint is not None
        write("unit.update", n=1)
        now.advance(seconds=30)
        assert sequence().checkpoint is None  # not due
        now.advance(seconds=31)
        assert sequence().checkpoint.seq == ChainHead.objects.get().seq  # due, the head moved
        now.advance(seconds=120)
        assert sequence().checkpoint is None  # due, but nothing new to sign
    assert Checkpoint.objects.count() == 2 and verify_chain().ok


def test_the_export_prints_the_last_checkpoint_of_each_day(demo, settings):
    settings.AUDIT_CHECKPOINT_EVERY_SECONDS = 60
    with clock.frozen(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) as now:  # 17:00 in Shanghai
        sequence()
        for hours in (2, 6, 24):  # 19:00 on the 1st; 01:00 and 01:00 a day later, in Shanghai
            write("unit.update", hours=hours)
            now.advance(hours=hours)
            sequence()
    out = StringIO()
    call_command("audit_checkpoints", "--export", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["2026-12-01", "2026-12-02", "2026-12-03"]
    last = Checkpoint.objects.order_by("-at").first()
    assert lines[-1] == (
        f"2026-12-03 seq={last.seq} hash={last.hash} at=2026-12-02T17:00:00.000000Z "
        f"key={last.key_id} sig={last.signature}"
    )
    first_day = (
        Checkpoint.objects.filter(at__lt=datetime(2026, 12, 1, 16, tzinfo=UTC)).order_by("-at").first()
    )
    assert f"seq={first_day.seq} " in lines[0] and "at=2026-12-01T11:00:00.000000Z" in lines[0]


def test_an_entry_that_waited_beyond_the_bound_is_reported_and_the_command_says_so(demo, settings):
    settings.AUDIT_SEQUENCE_BOUND_SECONDS = 2
    with clock.frozen(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) as now:
        sequence()  # the pass before: everything it could see is chained
        quick = write("unit.update", n="quick")
        now.advance(seconds=1)
        sequence()
        slow = write("unit.update", n="slow")
        now.advance(seconds=5)  # no sequencer for five seconds
        recent = write("unit.update", n="recent")
        now.advance(seconds=1)
        verdict = verify_chain()
        assert verdict.ok and verdict.waiting == [(slow.seq, 6.0)]  # the recent one is within the bound
        sequence()
        verdict = verify_chain()
    for entry in (quick, slow, recent):
        entry.refresh_from_db()
    assert verdict.ok and not verdict.timely and verdict.late == [(slow.chain_seq, 6.0)]
    assert recent.sequenced_at - recent.at == timedelta(seconds=1) and quick.chain_seq < slow.chain_seq
    with pytest.raises(CommandError, match="1 entries waited") as failure:
        verify()
    assert failure.value.returncode == 3


def test_the_signing_key_can_come_from_the_environment(demo, monkeypatch, settings, tmp_path):
    private = keys.Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    monkeypatch.setenv(keys.SIGNING_KEY_ENV, base64.b64encode(seed).decode())
    settings.AUDIT_PUBLIC_KEYS_FILE = tmp_path / "public_keys.txt"
    settings.AUDIT_PUBLIC_KEYS_FILE.write_text(keys.public_line(private.public_key(), "from the environment"))
    checkpoint = sequence().checkpoint
    expected = hashlib.sha256(keys.raw_public(private.public_key())).hexdigest()[:16]
    assert checkpoint.key_id == expected and verify_chain().ok


def test_keygen_makes_a_key_when_none_is_configured_and_says_so(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "audit" / "signing_key.pem"
    settings.AUDIT_PUBLIC_KEYS_FILE = tmp_path / "audit" / "public_keys.txt"
    out = StringIO()
    call_command("audit_keygen", "--if-missing", stdout=out)
    assert "no checkpoint key was configured; made key" in out.getvalue()
    assert settings.AUDIT_SIGNING_KEY_FILE.stat().st_mode & 0o777 == 0o600
    signer = keys.signer()
    assert list(keys.public_keys()) == [signer.key_id]
    out = StringIO()
    call_command("audit_keygen", "--if-missing", stdout=out)
    assert out.getvalue() == "" and keys.signer().key_id == signer.key_id
    with pytest.raises(CommandError, match="exists: move it away first"):
        call_command("audit_keygen")


def test_a_rotated_key_keeps_the_old_checkpoints_verifiable(demo, settings, tmp_path):
    sequence()
    old = settings.AUDIT_SIGNING_KEY_FILE
    public = tmp_path / "public_keys.txt"
    public.write_text(settings.AUDIT_PUBLIC_KEYS_FILE.read_text())
    settings.AUDIT_PUBLIC_KEYS_FILE = public
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "new_key.pem"
    call_command("audit_keygen", stdout=StringIO())
    settings.AUDIT_CHECKPOINT_EVERY_SECONDS = 0
    write("unit.update", n="after rotation")
    new = sequence().checkpoint
    assert new is not None and new.key_id != Checkpoint.objects.order_by("at").first().key_id
    assert verify_chain().ok and verify_chain().checkpoints == 2
    assert old.exists()


def test_without_a_key_the_sequencer_still_chains_and_verify_says_what_is_missing(demo, settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "none.pem"
    settings.AUDIT_PUBLIC_KEYS_FILE = tmp_path / "none.txt"
    done = sequence()
    assert done.chained and done.checkpoint is None and "no checkpoint key configured" in done.warnings[0]
    err = StringIO()
    call_command("audit_verify", stdout=StringIO(), stderr=err)
    assert "NO PUBLIC KEY CONFIGURED" in err.getvalue()


def test_the_command_chains_what_is_waiting(demo):
    out = StringIO()
    call_command("audit_sequence", stdout=out)
    assert (
        f"chained {AuditEntry.objects.count()} entries; head #{AuditEntry.objects.count()}" in out.getvalue()
    )
    assert "checkpoint signed" in out.getvalue()


def test_every_job_worker_runs_the_sequencer_in_its_ticker(settings):
    from yingji.audit.sequencer import tick
    from yingji.core.workers import Ticker

    settings.AUDIT_SEQUENCE_EVERY_SECONDS = 0.25
    assert (tick, 0.25) in Ticker("w1").work


def test_the_ticker_waits_out_a_database_outage_saying_so_once(monkeypatch, caplog):
    import threading

    from django.db import OperationalError

    from yingji.core import workers

    calls, done = [], threading.Event()

    def flaky() -> None:
        calls.append(1)
        if len(calls) <= 3:
            raise OperationalError("the database is away")
        done.set()

    monkeypatch.setattr(workers, "_periodic", [(flaky, lambda: 0.05)])
    monkeypatch.setattr(workers, "close_old_connections", lambda: None)
    ticker = workers.Ticker("w-outage")
    with caplog.at_level("WARNING", logger="yingji.workers"):
        ticker.start()
        assert done.wait(10)
        ticker.stop()
    assert len(calls) >= 4 and not ticker.cut_off
    assert [r.getMessage() for r in caplog.records].count(
        "worker w-outage: test_the_ticker_waits_out_a_database_outage_saying_so_once.<locals>.flaky cannot "
        "reach the database: the database is away"
    ) == 1
