"""The audit log is an append-only hash chain, sealed by the sequencer moments after each write:
audit_verify finds an edited, a removed and a swapped entry, and names the first one that does not hold."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from yingji.audit.models import AppendOnly, AuditEntry
from yingji.audit.sequencer import sequence
from yingji.orgs import services
from yingji.orgs.models import Unit


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def tamper(statement: str, *params) -> None:
    """What someone with the database owner's rights could do: lift the trigger, then change rows.
    Inside the test's transaction, so the trigger is back for the next test."""
    if connection.vendor == "postgresql":
        sql("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
    else:
        sql("DROP TRIGGER IF EXISTS audit_entry_append_only")
    sql(statement, *params)


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def sealed(demo):
    """The demo bank's entries, chained by the sequencer as the job worker would have done by now."""
    sequence()


def test_an_intact_chain_verifies_and_says_how_many_entries(sealed):
    said = verify()
    assert f"audit chain intact: {AuditEntry.objects.count()} entries verified" in said
    assert "1 signed checkpoints hold" in said


def test_an_edited_entry_is_named(sealed):
    tamper("UPDATE audit_auditentry SET actor_name = %s WHERE chain_seq = 7", "改过的人")
    with pytest.raises(CommandError, match=r"#7: entry #7 was altered") as failure:
        verify()
    assert failure.value.returncode == 1


def test_edited_data_is_named_too(sealed):
    tamper("UPDATE audit_auditentry SET data = %s WHERE chain_seq = 3", '{"name": "假名"}')
    with pytest.raises(CommandError, match="entry #3 was altered"):
        verify()


def test_a_moved_time_of_sealing_is_named_too(sealed):
    tamper("UPDATE audit_auditentry SET sequenced_at = at WHERE chain_seq = 4")
    with pytest.raises(CommandError, match="entry #4 was altered"):
        verify()


def test_a_removed_entry_is_named(sealed):
    tamper("DELETE FROM audit_auditentry WHERE chain_seq = 12")
    with pytest.raises(CommandError, match="entry #12 is missing"):
        verify()


def test_a_removed_last_entry_is_noticed(sealed):
    last = AuditEntry.objects.order_by("-chain_seq").first().chain_seq
    tamper("DELETE FROM audit_auditentry WHERE chain_seq = %s", last)
    with pytest.raises(CommandError, match=f"#{last}, which the chain does not have"):
        verify()


def test_two_swapped_entries_are_named(sealed):
    tamper("UPDATE audit_auditentry SET chain_seq = -1 WHERE chain_seq = 5")
    tamper("UPDATE audit_auditentry SET chain_seq = 5 WHERE chain_seq = 6")
    tamper("UPDATE audit_auditentry SET chain_seq = 6 WHERE chain_seq = -1")
    with pytest.raises(CommandError, match="entry #5 does not link"):
        verify()


def test_the_orm_refuses_to_change_or_remove_an_entry(sealed):
    entry = AuditEntry.objects.order_by("seq").first()
    entry.actor_name = "别人"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(seq=1).update(action="x")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    assert "entries verified" in verify()


def test_the_database_itself_refuses_to_change_an_entry(sealed):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("UPDATE audit_auditentry SET actor_name = %s WHERE chain_seq = 1", "改过的人")
    assert "entries verified" in verify()


def test_the_database_lets_an_entry_be_chained_once_and_only_its_chain_fields(branch_duty):
    services.update_unit(actor=branch_duty.user, unit=Unit.objects.get(code="JN01"), phone="027-86661999")
    entry = AuditEntry.objects.order_by("-seq").first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("UPDATE audit_auditentry SET chain_seq = 999999, actor_name = %s WHERE id = %s", "别人", entry.pk)
    sequence()
    entry.refresh_from_db()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("UPDATE audit_auditentry SET chain_seq = 999999 WHERE id = %s", entry.pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("UPDATE audit_auditentry SET hash = %s WHERE id = %s", "0" * 64, entry.pk)


def test_every_change_carries_its_entry_with_actor_unit_and_data(branch_duty):
    unit = Unit.objects.get(code="JN01")
    services.update_unit(actor=branch_duty.user, unit=unit, phone="027-86661999")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_type, entry.object_id) == ("unit.update", "orgs.unit", str(unit.pk))
    assert entry.actor_name == "吴分值" and entry.unit_name == "和谐支行"
    assert entry.data == {"changed": {"phone": ["027-86661000", "027-86661999"]}}
    # Written unchained, in the write's own transaction; sealed by the sequencer afterwards.
    assert (entry.chain_seq, entry.prev_hash, entry.hash) == (None, None, None)
    sequence()
    entry.refresh_from_db()
    previous = AuditEntry.objects.get(chain_seq=entry.chain_seq - 1)
    assert entry.prev_hash == previous.hash and len(entry.hash) == 64
    assert entry.chain_seq == AuditEntry.objects.count()


def test_a_change_whose_audit_entry_fails_is_not_kept(branch_duty, monkeypatch):
    from yingji.audit import services as audit_services

    def broken(count):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_services, "_numbers", broken)
    unit = Unit.objects.get(code="JN01")
    with pytest.raises(RuntimeError):
        services.update_unit(actor=branch_duty.user, unit=unit, phone="027-86661999")
    assert Unit.objects.get(code="JN01").phone == "027-86661000"


def test_head_office_reads_the_log_with_filters(client, hq_duty, branch_duty):
    services.update_unit(actor=branch_duty.user, unit=Unit.objects.get(code="JN01"), phone="027-86661999")
    client.force_login(hq_duty.user)
    page = client.get("/audit/", {"action": "unit.update", "actor": "吴分值"}).content.decode()
    assert "027-86661999" in page
    assert "unit.create" not in page.split("<tbody>")[1]


def test_an_entry_not_sealed_yet_shows_as_awaiting_its_seal_then_its_number(client, hq_duty, branch_duty):
    sequence()
    services.update_unit(actor=branch_duty.user, unit=Unit.objects.get(code="JN01"), phone="027-86661999")
    client.force_login(hq_duty.user)
    first_row = client.get("/audit/").content.decode().split("<tbody>")[1].split("</tr>")[0]
    assert "待封存" in first_row and "027-86661999" in first_row
    sequence()
    first_row = client.get("/audit/").content.decode().split("<tbody>")[1].split("</tr>")[0]
    assert (
        "待封存" not in first_row
        and f'<td class="text-nowrap">{AuditEntry.objects.count()}</td>' in first_row
    )


def test_an_outlet_head_cannot_read_the_audit_log(client, hexie_manager):
    client.force_login(hexie_manager.user)
    assert client.get("/audit/").status_code == 403
