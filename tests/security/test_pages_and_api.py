"""The pages and the API, scoped by visibility: 和谐路营业部's inspection is seen by the outlet, 和谐支行
and 江南分行, never by 城北营业部."""

import pytest

from yingji.api.services import issue_token
from yingji.corrective.models import CorrectiveAction
from yingji.orgs.models import Person
from yingji.security.models import Inspection

pytestmark = pytest.mark.django_db


def test_the_outlet_head_sees_the_inspection_and_a_sibling_does_not(
    client, conduct, hexie_manager, other_manager
):
    inspection = conduct({"fire-1": "营业厅东侧灭火器过期。"})
    client.force_login(hexie_manager.user)
    page = client.get(inspection.get_absolute_url()).content.decode()
    assert "营业厅东侧灭火器过期" in page and "yj-rectifications" in page and "yj-sign" in page
    client.force_login(other_manager.user)
    assert client.get(inspection.get_absolute_url()).status_code == 404
    assert "和谐路营业部" not in client.get("/security/").content.decode()


def test_the_inspector_records_an_item_from_the_page(client, conduct, hexie_admin):
    inspection = conduct(sign=False)
    result = inspection.results.first()
    client.force_login(hexie_admin.user)
    url = f"/security/inspections/{inspection.pk}/items/{result.pk}/"
    refused = client.post(url, {f"i{result.pk}-outcome": "fail", f"i{result.pk}-note": ""})
    assert refused.status_code == 400
    client.post(url, {f"i{result.pk}-outcome": "fail", f"i{result.pk}-note": "制度未上墙"})
    result.refresh_from_db()
    assert (result.result, result.note) == ("fail", "制度未上墙")


def test_the_list_and_coverage_and_checklist_pages_answer(client, conduct, branch_duty):
    conduct({"fire-1": "灭火器过期。"})
    client.force_login(branch_duty.user)
    assert "和谐路营业部" in client.get("/security/").content.decode()
    assert "yj-coverage" in client.get("/security/coverage/?year=2026").content.decode()
    assert client.get("/security/coverage/?year=abc").status_code == 200
    assert "防火安全" in client.get("/security/checklist/").content.decode()
    assert client.post("/security/checklist/", {"area": "1", "text": "x"}).status_code == 403


def test_the_api_lists_inspections_and_rectifications_in_scope(client, conduct, branch_duty):
    inspection = conduct({"fire-1": "灭火器过期。", "fire-2": "通道堵塞。"})
    _token, mine = issue_token(actor=branch_duty.user, person=branch_duty)
    headers = {"Authorization": f"Bearer {mine}"}
    listed = client.get("/api/v1/security/inspections", headers=headers).json()
    assert [i["id"] for i in listed] == [inspection.pk] and listed[0]["failed"] == 2
    detail = client.get(f"/api/v1/security/inspections/{inspection.pk}", headers=headers).json()
    failed = [i for i in detail["items"] if i["result"] == "fail"]
    assert len(failed) == 2 and all(i["rectification"] for i in failed)
    rects = client.get(f"/api/v1/security/rectifications?inspection={inspection.pk}", headers=headers).json()
    assert sorted(r["id"] for r in rects) == sorted(i["rectification"] for i in failed)
    assert all(r["inspection"] == inspection.pk for r in rects)
    one = client.get(f"/api/v1/security/rectifications/{rects[0]['id']}", headers=headers)
    assert one.status_code == 200 and one.json()["status"] == "open"


def test_the_api_hides_another_branchs_inspection(client, conduct, hq_duty):
    inspection = conduct({"fire-1": "灭火器过期。"})
    action = CorrectiveAction.objects.get(findings__inspection_link__inspection=inspection)
    jb_admin = Person.objects.get(user__username="chengbei_admin")
    _token, raw = issue_token(actor=hq_duty.user, person=jb_admin)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/security/inspections", headers=headers).json() == []
    assert client.get(f"/api/v1/security/inspections/{inspection.pk}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/security/rectifications/{action.pk}", headers=headers).status_code == 404
    assert Inspection.objects.count() == 1


def test_the_api_filters_inspections_by_unit_and_an_unknown_code_lists_nothing(client, conduct, branch_duty):
    inspection = conduct({"fire-1": "灭火器过期。"})
    _token, mine = issue_token(actor=branch_duty.user, person=branch_duty)
    headers = {"Authorization": f"Bearer {mine}"}

    by_sub_branch = client.get("/api/v1/security/inspections?unit=JN01", headers=headers).json()
    unknown = client.get("/api/v1/security/inspections?unit=head_office", headers=headers)

    assert [i["id"] for i in by_sub_branch] == [inspection.pk]
    assert unknown.status_code == 200 and unknown.json() == []
