"""Points over the API: an integration's own token, batches that arrive late, out of order or twice."""

import json
import random
from datetime import timedelta

import pytest

from yingji.core.testing import footprint
from yingji.monitoring import services
from yingji.monitoring.models import SignalPoint

from .conftest import minutes, point

pytestmark = pytest.mark.django_db


def series(unit_code: str = "CC") -> list[tuple]:
    return list(
        SignalPoint.objects.filter(unit__code=unit_code)
        .order_by("metric", "source", "at")
        .values_list("metric", "source", "at", "value")
    )


def morning_batches(start) -> list[list[dict]]:
    """An hour of per-minute call counts from the ACD, in batches of ten minutes."""
    points = []
    for i, at in enumerate(minutes(start, 60)):
        points += [
            point("CC", "calls_offered", at, 40 + i % 7),
            point("CC", "calls_answered", at, 38 + i % 5),
            point("CC", "calls_answered_20s", at, 33 + i % 4),
        ]
    return [points[i : i + 30] for i in range(0, len(points), 30)]


def test_batches_out_of_order_and_twice_store_the_same_series(now, acd):
    start = now.advance(minutes=0) - timedelta(hours=1)
    batches = morning_batches(start)
    for batch in batches:
        services.ingest(integration=acd, points=batch)
    in_order = series()
    SignalPoint.objects.all().delete()

    shuffled = batches + batches[:3]  # three batches sent twice
    random.Random(20).shuffle(shuffled)
    results = [services.ingest(integration=acd, points=list(reversed(b))) for b in shuffled]

    assert series() == in_order
    assert len(in_order) == 180
    assert sum(r.stored for r in results) == 180 and sum(r.duplicates for r in results) == 90


def test_the_acd_posts_a_batch_with_its_own_token(client, now, rules, unit, cc_manager):
    _integration, raw = services.issue_integration(
        actor=None, name="客服中心ACD", kind="acd", units=[unit("CC")], contact=cc_manager
    )
    at = (now.advance(minutes=0) - timedelta(minutes=1)).isoformat()
    body = {"points": [point("CC", "calls_offered", at, 42), point("CC", "calls_answered", at, 40)]}
    headers = {"Authorization": f"Bearer {raw}"}
    first = client.post("/api/v1/signals", json.dumps(body), content_type="application/json", headers=headers)
    again = client.post("/api/v1/signals", json.dumps(body), content_type="application/json", headers=headers)
    assert first.status_code == 200, first.content
    assert first.json()["stored"] == 2 and again.json() == {"stored": 0, "duplicates": 2, "warnings": []}


def test_a_person_token_opens_nothing_here(client, now, rules, lobby_token):
    at = now.advance(minutes=0).isoformat()
    body = {"points": [point("JN0101", "queue_length", at, 5, source="queue")]}
    before = footprint()
    response = client.post(
        "/api/v1/signals",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {lobby_token}"},
    )
    assert response.status_code == 401
    assert (
        SignalPoint.objects.count() == 0
        and footprint()["monitoring.SignalPoint"] == before["monitoring.SignalPoint"]
    )


def test_an_outlet_queue_system_cannot_report_for_another_branch(client, now, rules, unit, hexie_president):
    _integration, raw = services.issue_integration(
        actor=None,
        name="和谐支行排队系统",
        kind="queue_system",
        units=[unit("JN01")],
        contact=hexie_president,
    )
    at = now.advance(minutes=0).isoformat()
    body = {
        "points": [
            point("JN0101", "queue_length", at, 12, source="queue"),
            point("JB0101", "queue_length", at, 12, source="queue"),  # 城北营业部, 江北分行
        ]
    }
    before = footprint()
    response = client.post(
        "/api/v1/signals",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 400
    assert "points.1.unit" in response.json()["fields"]
    assert footprint() == before  # the whole batch refused: not even 和谐路营业部's point


def test_a_status_other_than_up_or_down_and_a_time_in_the_future_are_refused(client, now, acd):
    with pytest.raises(services.InvalidInput) as refused:
        services.ingest(
            integration=acd,
            points=[
                point("CC", "system_status", now.advance(minutes=0), 0.5),
                point("CC", "calls_offered", now.advance(minutes=0) + timedelta(days=1), 3),
            ],
        )
    assert set(refused.value.fields) == {"points.0.value", "points.1.at"}
    assert SignalPoint.objects.count() == 0


def test_a_revoked_integration_token_is_refused(client, now, rules, unit, cc_manager):
    integration, raw = services.issue_integration(
        actor=None, name="客服中心ACD", kind="acd", units=[unit("CC")], contact=cc_manager
    )
    integration.revoked_at = now.advance(minutes=0)
    integration.save()
    at = now.advance(minutes=0).isoformat()
    response = client.post(
        "/api/v1/signals",
        json.dumps({"points": [point("CC", "calls_offered", at, 1)]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 401 and SignalPoint.objects.count() == 0
