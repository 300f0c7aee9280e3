"""The pages to report and follow incidents, and the in-app notices: one person, one action, what they see."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yingji.core import clock
from yingji.core.testing import footprint
from yingji.incidents import services
from yingji.incidents.models import Incident, Status
from yingji.notify.models import Notice

from . import factories
from .factories import ReportFactory, incident_in

pytestmark = pytest.mark.usefixtures("library")
REPORT_URL = "/incidents/report/"


def report_form(client) -> dict[str, str]:
    """What the report page offers before anyone types: the idempotency key and the time, now."""
    html = client.get(REPORT_URL).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html)
    occurred = re.search(r'name="occurred_at" value="([^"]+)"', html)
    assert key and occurred, "the form carries a key and a default time"
    return {"idempotency_key": key.group(1), "occurred_at": occurred.group(1)}


def injured_customer(client, **changes) -> dict[str, str]:
    return (
        report_form(client)
        | {
            "kind": "customer_injured",
            "unit": "JN0101",
            "description": "一位老年客户在大厅湿滑处摔倒，膝盖出血",
            "location": "和谐路营业部大厅",
            "injured": "1",
        }
        | changes
    )


def test_the_report_page_offers_kinds_by_group_and_defaults_to_my_unit_and_now(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    page = client.get(REPORT_URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<optgroup label="服务突发事件">' in html
    assert '<option value="customer_injured">客户意外受伤</option>' in html
    assert 'data-yj-filter="id_kind"' in html, "the kind list can be narrowed by typing"
    assert '<option value="JN0101" selected>和谐路营业部</option>' in html
    local_now = clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m-%dT%H:")
    assert f'name="occurred_at" value="{local_now}' in html
    assert 'id="yj-report-more"' in html and 'class="collapse"' in html, "the details start folded"


def test_lobby_manager_reports_an_injured_customer_and_lands_in_the_room(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    response = client.post(REPORT_URL, injured_customer(client))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
    assert (incident.kind.code, incident.unit.code, incident.reporter) == (
        "customer_injured",
        "JN0101",
        hexie_lobby,
    )
    assert incident.location == "和谐路营业部大厅" and incident.facts == {"injured": 1}
    room = client.get(response["Location"]).content.decode()
    assert incident.number in room and re.fullmatch(r"YJ-\d{4}-\d{6}", incident.number)
    assert "Ⅲ" in room
    assert "“客户意外受伤”的默认级别" in room, "the level's reasons are shown"
    assert "和谐路营业部大厅" in room


def test_the_same_form_sent_twice_makes_one_incident(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    form = injured_customer(client)
    first = client.post(REPORT_URL, form)
    again = client.post(REPORT_URL, form)
    assert Incident.objects.count() == 1
    assert first["Location"] == again["Location"] == Incident.objects.get().get_absolute_url()


def test_each_rendering_of_the_page_is_a_new_report(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    client.post(REPORT_URL, injured_customer(client))
    client.post(REPORT_URL, injured_customer(client, description="又一位客户摔倒"))
    assert Incident.objects.count() == 2


def test_a_report_without_description_shows_the_error_and_changes_nothing(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    form = injured_customer(client, description="   ")
    before = footprint()
    response = client.post(REPORT_URL, form)
    assert response.status_code == 200
    assert footprint() == before
    html = response.content.decode()
    assert 'name="description"' in html and "is-invalid" in html
    assert form["idempotency_key"] in html, "a corrected form is sent with the same key"


def test_a_time_in_the_future_is_refused_by_the_service_on_its_field(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    later = (clock.now() + timedelta(hours=2)).astimezone(clock.SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    before = footprint()
    response = client.post(REPORT_URL, injured_customer(client, occurred_at=later))
    assert footprint() == before
    field = re.search(r'<input type="datetime-local" name="occurred_at"[^>]*>', response.content.decode())
    assert field and "is-invalid" in field.group(0)


def test_a_bad_fact_opens_the_details_with_the_error(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    before = footprint()
    response = client.post(REPORT_URL, injured_customer(client, injured="-3"))
    assert footprint() == before
    assert 'class="collapse show" id="yj-report-more"' in response.content.decode()


def test_a_unit_outside_mine_is_not_offered_and_not_accepted(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    assert 'value="JB0101"' not in client.get(REPORT_URL).content.decode()
    before = footprint()
    response = client.post(REPORT_URL, injured_customer(client, unit="JB0101"))
    assert response.status_code == 200 and footprint() == before


def test_the_head_of_another_outlet_can_neither_open_nor_list_the_incident(client, other_manager):
    incident = ReportFactory()
    client.force_login(other_manager.user)
    assert client.get(incident.get_absolute_url()).status_code == 404
    assert client.get(f"/incidents/{incident.number}/live/").status_code == 404
    assert incident.number not in client.get("/incidents/").content.decode()


def test_head_office_duty_sees_the_incident_in_the_list(client, hq_duty):
    incident = ReportFactory()
    client.force_login(hq_duty.user)
    html = client.get("/incidents/").content.decode()
    assert incident.number in html and "客户意外受伤" in html and "和谐路营业部" in html


def test_the_list_filters(client, hq_duty, hexie_lobby):
    injured = ReportFactory()
    fire = ReportFactory(kind=factories.kind("fire"), description="配电箱冒烟")
    client.force_login(hq_duty.user)

    def listed(query: str) -> set[str]:
        html = client.get(f"/incidents/?{query}").content.decode()
        return {n for n in (injured.number, fire.number) if n in html}

    assert listed("kind=fire") == {fire.number}
    assert listed("unit=JN01") == {injured.number, fire.number}
    assert listed("unit=JB01") == set()
    assert listed(f"level={injured.level}&kind=customer_injured") == {injured.number}
    assert listed("status=open") == {injured.number, fire.number}
    assert listed("status=closed") == set()
    today = clock.local_today().isoformat()
    assert listed(f"since={today}&until={today}") == {injured.number, fire.number}
    assert listed("until=2000-01-01") == set()


def test_the_home_page_lists_my_open_incidents(client, hexie_manager):
    incident = ReportFactory()
    client.force_login(hexie_manager.user)
    home = client.get("/").content.decode()
    assert 'href="/incidents/report/"' in home and 'hx-get="/incidents/?status=open"' in home
    rows = client.get("/incidents/?status=open", headers={"HX-Request": "true"}).content.decode()
    assert incident.number in rows and "<html" not in rows


def test_the_live_part_of_the_room_has_the_news_but_no_forms_to_type_in(client, hexie_manager):
    incident = ReportFactory()
    client.force_login(hexie_manager.user)
    room = client.get(incident.get_absolute_url()).content.decode()
    assert f'hx-get="/incidents/{incident.number}/live/"' in room and 'hx-trigger="every 5s"' in room
    live = client.get(f"/incidents/{incident.number}/live/")
    html = live.content.decode()
    assert live.status_code == 200 and "<html" not in html
    assert incident.number in html and "Ⅲ" in html and "郑和谐" in html
    assert "<textarea" not in html, "nothing anyone types is replaced by the refresh"
    assert "/follow-up/" not in html


def test_the_room_shows_who_was_told_and_who_acknowledged(client, hexie_manager, hq_duty):
    incident = ReportFactory()
    notice = Notice.objects.get(recipient=hexie_manager)
    client.force_login(hq_duty.user)
    before = client.get(incident.get_absolute_url()).content.decode()
    assert "郑和谐" in before and "刘和谐" in before and "text-bg-warning yj-ack-state" in before
    from yingji.notify import services as notify

    notify.acknowledge(person=hexie_manager, notice=notice)
    after = client.get(f"/incidents/{incident.number}/live/").content.decode()
    assert "text-bg-success yj-ack-state" in after


def test_the_room_runs_the_same_few_queries_however_much_happened(client, hexie_manager, hexie_lobby):
    incident = ReportFactory()
    client.force_login(hexie_manager.user)
    client.get(incident.get_absolute_url())  # warm the session and the caches

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    fresh = queries(incident.get_absolute_url())
    for n in range(5):
        services.add_comment(author=hexie_lobby, incident=incident, text=f"第{n}次情况说明")
        services.add_follow_up(
            author=hexie_lobby, incident=incident, text=f"续报{n}", content={"trend": "平稳"}
        )
    assert queries(incident.get_absolute_url()) == fresh
    room = client.get(incident.get_absolute_url()).content.decode()
    assert "续报4" in room and "平稳" in room and "第4次情况说明" in room
    assert queries(f"/incidents/{incident.number}/live/") <= fresh


def test_a_running_case_room_stays_within_its_query_budget(
    client, hexie_manager, django_assert_max_num_queries
):
    incident = incident_in(Status.RESPONDING)
    assert incident.tasks.count() > 3
    client.force_login(hexie_manager.user)
    client.get(incident.get_absolute_url())
    with django_assert_max_num_queries(25):
        page = client.get(incident.get_absolute_url())
    assert page.status_code == 200


@pytest.mark.parametrize("status", [Status.INVESTIGATING, Status.CLOSED, Status.CANCELLED])
def test_the_room_renders_in_every_later_state(client, now, hexie_manager, status):
    incident = incident_in(status)
    client.force_login(hexie_manager.user)
    page = client.get(incident.get_absolute_url())
    assert page.status_code == 200 and incident.number in page.content.decode()


# --- Notices -------------------------------------------------------------------------------------


def test_the_bell_counts_my_unacknowledged_notices(client, hexie_manager, hexie_lobby):
    client.force_login(hexie_manager.user)
    assert 'hx-get="/notices/badge/"' in client.get("/").content.decode()
    assert client.get("/notices/badge/").content.decode().strip() == ""
    ReportFactory()
    ReportFactory(description="另一位客户摔倒")
    assert ">2</span>" in client.get("/notices/badge/").content.decode()
    client.force_login(hexie_lobby.user)
    assert client.get("/notices/badge/").content.decode().strip() == "", "the reporter is not told"


def test_the_inbox_lists_my_notices_newest_first_with_the_incident(client, hexie_manager):
    first = ReportFactory()
    second = ReportFactory(description="另一位客户摔倒")
    client.force_login(hexie_manager.user)
    html = client.get("/notices/").content.decode()
    assert html.index(second.get_absolute_url()) < html.index(first.get_absolute_url())
    assert "和谐路营业部带班领导" in html, "why I was told"
    assert html.count('action="/notices/') == 2


def test_acknowledging_from_the_inbox_once_and_again(client, hexie_manager):
    incident = ReportFactory()
    notice = Notice.objects.get(recipient=hexie_manager)
    client.force_login(hexie_manager.user)
    response = client.post(f"/notices/{notice.pk}/ack/")
    assert response.status_code == 302 and response["Location"] == "/notices/"
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None
    assert client.get("/notices/badge/").content.decode().strip() == ""
    assert incident.timeline.filter(event="acknowledged").count() == 1
    before = footprint()
    first_time = notice.acknowledged_at
    again = client.post(f"/notices/{notice.pk}/ack/")
    assert again.status_code == 302 and footprint() == before
    notice.refresh_from_db()
    assert notice.acknowledged_at == first_time


def test_acknowledging_from_the_room_goes_back_to_the_room(client, hexie_manager):
    incident = ReportFactory()
    notice = Notice.objects.get(recipient=hexie_manager)
    client.force_login(hexie_manager.user)
    room = client.get(incident.get_absolute_url()).content.decode()
    assert f'action="/notices/{notice.pk}/ack/"' in room
    response = client.post(f"/notices/{notice.pk}/ack/", {"next": incident.get_absolute_url()})
    assert response["Location"] == incident.get_absolute_url()
    assert (
        f'action="/notices/{notice.pk}/ack/"' not in client.get(incident.get_absolute_url()).content.decode()
    )


def test_acknowledging_never_leads_off_site(client, hexie_manager):
    ReportFactory()
    notice = Notice.objects.get(recipient=hexie_manager)
    client.force_login(hexie_manager.user)
    response = client.post(f"/notices/{notice.pk}/ack/", {"next": "https://evil.example/"})
    assert response["Location"] == "/notices/"


def test_nobody_acknowledges_anothers_notice(client, hexie_manager, hexie_lobby):
    ReportFactory()
    notice = Notice.objects.get(recipient=hexie_manager)
    client.force_login(hexie_lobby.user)
    before = footprint()
    assert client.post(f"/notices/{notice.pk}/ack/").status_code == 404
    assert client.get(f"/notices/{notice.pk}/ack/").status_code == 405
    assert footprint() == before
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


def test_head_office_is_not_told_of_a_level_three_event_but_can_open_it(client, hq_duty):
    incident = ReportFactory()
    client.force_login(hq_duty.user)
    assert incident.number not in client.get("/notices/").content.decode()
    assert client.get(incident.get_absolute_url()).status_code == 200
