"""Head office's 应急管理员 issue an integration's token on a page (shown once), see each with its last use,
and revoke one (audited); nobody else reaches these pages."""

import json

import pytest

from yingji.audit.models import AuditEntry
from yingji.monitoring.models import Integration

from .conftest import point

pytestmark = pytest.mark.django_db


def test_head_office_issues_a_token_shown_once_sees_its_last_use_and_revokes_it(
    client, now, rules, unit, hq_duty, hexie_president
):
    client.force_login(hq_duty.user)
    issued = client.post(
        "/warnings/integrations/new/",
        {
            "name": "和谐支行排队系统",
            "kind": "queue_system",
            "units": [unit("JN01").pk],
            "contact": hexie_president.pk,
        },
    )
    assert issued.status_code == 200 and issued["Cache-Control"] == "no-store"
    raw = issued.context["raw"]
    assert raw.startswith("yjs_") and raw in issued.content.decode()
    integration = Integration.objects.get()
    assert integration.key_hash != raw and raw not in json.dumps(
        AuditEntry.objects.get(action="integration.issue").data, ensure_ascii=False
    )

    at = now.advance(minutes=0).isoformat()
    client.logout()
    sent = client.post(
        "/api/v1/signals",
        json.dumps({"points": [point("JN0101", "queue_length", at, 5, source="queue")]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert sent.status_code == 200
    client.force_login(hq_duty.user)
    listing = client.get("/warnings/integrations/").content.decode()
    assert "和谐支行排队系统" in listing and raw not in listing and integration.prefix in listing
    assert "2026-03-02 10:00" in listing  # last used, Shanghai time

    revoked = client.post(f"/warnings/integrations/{integration.pk}/revoke/")
    assert revoked.status_code == 302
    integration.refresh_from_db()
    assert integration.revoked_at == now.advance(minutes=0)
    assert AuditEntry.objects.filter(action="integration.revoke", object_id=str(integration.pk)).exists()
    client.logout()
    refused = client.post(
        "/api/v1/signals",
        json.dumps({"points": [point("JN0101", "queue_length", at, 5, source="queue")]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert refused.status_code == 401


@pytest.mark.parametrize("username", ["branch_duty", "hexie_admin", "hq_president"])
def test_nobody_but_head_offices_emergency_administrators_reaches_the_token_pages(client, rules, username):
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username=username))
    assert client.get("/warnings/integrations/").status_code == 403
    assert client.get("/warnings/integrations/new/").status_code == 403
