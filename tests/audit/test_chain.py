"""The audit log is an append-only hash chain: audit_verify finds an edited, a removed and a swapped
entry, and names the first one that does not hold."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from yingji.audit.models import AppendOnly, AuditEntry
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
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_an_intact_chain_verifies_and_says_how_many_entries(demo):
    assert f"{AuditEntry.objects.count()} entries verified" in verify()


def test_an_edited_entry_is_named(demo):
    tamper("UPDATE audit_auditentry SET actor_name = %s WHERE seq = 7", "改过的人")
    with pytest.raises(CommandError, match=r"#7: entry #7 was altered") as failure:
        verify()
    assert failure.value.returncode == 1


def test_edited_data_is_named_too(demo):
    tamper("UPDATE audit_auditentry SET data = %s WHERE seq = 3", '{"name": "假名"}')
    with pytest.raises(CommandError, match="entry #3 was altered"):
        verify()


def test_a_removed_entry_is_named(demo):
    tamper("DELETE FROM audit_auditentry WHERE seq = 12")
    with pytest.raises(CommandError, match="entry #12 is missing"):
        verify()


def test_a_removed_last_entry_is_noticed(demo):
    last = AuditEntry.objects.order_by("-seq").first().seq
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", last)
    with pytest.raises(CommandError, match=f"after #{last - 1} are missing"):
        verify()


def test_two_swapped_entries_are_named(demo):
    tamper("UPDATE audit_auditentry SET seq = -1 WHERE seq = 5")
    tamper("UPDATE audit_auditentry SET seq = 5 WHERE seq = 6")
    tamper("UPDATE audit_auditentry SET seq = 6 WHERE seq = -1")
    with pytest.raises(CommandError, match="entry #5 does not link"):
        verify()


def test_the_orm_refuses_to_change_or_remove_an_entry(demo):
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


def test_the_database_itself_refuses_to_change_an_entry(demo):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("UPDATE audit_auditentry SET actor_name = %s WHERE seq = 1", "改过的人")
    assert "entries verified" in verify()


def test_every_change_carries_its_entry_with_actor_unit_and_data(branch_duty):
    unit = Unit.objects.get(code="JN01")
    services.update_unit(actor=branch_duty.user, unit=unit, phone="027-86661999")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_type, entry.object_id) == ("unit.update", "orgs.unit", str(unit.pk))
    assert entry.actor_name == "吴分值" and entry.unit_name == "和谐支行"
    assert entry.data == {"changed": {"phone": ["027-86661000", "027-86661999"]}}
    previous = AuditEntry.objects.get(seq=entry.seq - 1)
    assert entry.prev_hash == previous.hash and len(entry.hash) == 64


def test_a_change_whose_audit_entry_fails_is_not_kept(branch_duty, monkeypatch):
    from yingji.audit import services as audit_services

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_services, "entry_hash", broken)
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


def test_an_outlet_head_cannot_read_the_audit_log(client, hexie_manager):
    client.force_login(hexie_manager.user)
    assert client.get("/audit/").status_code == 403
