"""The sub-branch's 应急管理员 plans drills on the pages: from a template, from a plan in force, or from
scratch, then adds participants, scenarios, objectives and events of the script."""

from django.utils import timezone

from yingji.audit.models import AuditEntry
from yingji.drills.models import Drill, DrillTemplate, Inject, Participant
from yingji.plans.models import Plan


def _create(client, **data):
    base = {"unit": "JN01", "units": ["JN01", "JN0101"], "form": "live", "place": "和谐路营业部大厅"}
    return client.post("/drills/new/", {**base, **data})


def test_the_admin_plans_the_major_complaint_drill_from_its_template(client, hexie_admin, major_complaint):
    client.force_login(hexie_admin.user)
    assert client.get("/drills/new/").status_code == 200

    response = _create(client, source="template", template=major_complaint.pk, starts_at="2026-12-20T09:00")

    drill = Drill.objects.get(template=major_complaint)
    assert response.status_code == 302 and response["Location"] == f"/drills/{drill.pk}/"
    page = client.get(f"/drills/{drill.pk}/").content.decode()
    for seen in ("09:00", "11:10", "18:00", "+2:10", "综合协调小组", "业务处理小组", "纸质张贴", "应变事件"):
        assert seen in page, seen
    assert drill.place == "和谐路营业部大厅"
    assert AuditEntry.objects.filter(action="drill.create", object_id=str(drill.pk)).count() == 1


def test_the_admin_builds_a_drill_from_scratch(client, hexie_admin, library):
    client.force_login(hexie_admin.user)
    _create(client, source="scratch", title="营业中断桌面推演", form="tabletop")
    drill = Drill.objects.get(title="营业中断桌面推演")
    base = f"/drills/{drill.pk}"

    plan = Plan.objects.get(code="outlet-service-natural-disaster")
    assert client.post(f"{base}/scenarios/add/", {"plan": plan.pk, "clock_start": "14:00"}).status_code == 302
    action = drill.scenarios.get().expected_actions.get(order=1)
    assert (
        client.post(
            f"{base}/participants/add/",
            {
                "role": "evaluator",
                "name": "监管部门某处长",
                "organisation": "监管部门",
                "category": "regulator",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/objectives/add/",
            {"text": "报告上级管理行", "target_minutes": "10", "expected_action": action.pk},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/injects/add/",
            {
                "offset": "+0:10",
                "clock_time": "14:10",
                "text": "营业厅进水",
                "channel": "spoken",
                "recipient": "all",
                "expected_actions": [action.pk],
            },
        ).status_code
        == 302
    )

    inject = drill.injects.get()
    assert inject.offset_seconds == 600 and list(inject.expected_actions.all()) == [action]
    evaluator = drill.participants.get()
    assert evaluator.category == Participant.Category.REGULATOR and evaluator.person is None
    page = client.get(f"{base}/").content.decode()
    assert "监管部门某处长" in page and "营业厅进水" in page and "+0:10" in page and "14:00" in page


def test_an_offset_that_is_not_h_mm_is_refused_and_nothing_is_added(client, plan_drill, hexie_admin):
    client.force_login(hexie_admin.user)
    injects = Inject.objects.count()

    response = client.post(
        f"/drills/{plan_drill.pk}/injects/add/",
        {"offset": "10 分钟", "text": "客户摔倒", "channel": "spoken", "recipient": "all"},
    )

    assert response.status_code == 200 and "请按 +时:分 填写" in response.content.decode()
    assert Inject.objects.count() == injects


def test_an_inject_for_a_working_group_names_one_of_the_drills(client, plan_drill, hexie_admin):
    client.force_login(hexie_admin.user)
    response = client.post(
        f"/drills/{plan_drill.pk}/injects/add/",
        {"offset": "+0:05", "text": "通知", "channel": "sms", "recipient": "group", "recipient_group": ""},
    )
    assert response.status_code == 200 and "请选择本演练的一个工作小组" in response.content.decode()


def test_the_drill_menu_entry_is_marked_on_a_drill_page(client, plan_drill, hexie_admin):
    client.force_login(hexie_admin.user)
    html = client.get(f"/drills/{plan_drill.pk}/").content.decode()
    assert 'href="/drills/" aria-current="page">演练</a>' in html


def test_a_template_names_its_source_in_words(client, hexie_admin, templates):
    client.force_login(hexie_admin.user)
    html = client.get("/drills/new/").content.decode()
    for template in DrillTemplate.objects.all():
        assert template.title in html
    assert ".json" not in html and "manage.py" not in html


def test_the_drill_page_costs_the_same_queries_for_seven_scenarios_as_for_one(
    client, hexie_admin, hexie_sub_branch, quarterly, major_complaint, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yingji.drills import services

    client.force_login(hexie_admin.user)
    counts = []
    for template in (major_complaint, quarterly):
        drill = services.create_from_template(
            actor=hexie_admin.user, unit=hexie_sub_branch, units=[hexie_sub_branch], template=template
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/drills/{drill.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_admin_removes_an_event_from_the_script(client, plan_drill, hexie_admin):
    client.force_login(hexie_admin.user)
    inject = plan_drill.injects.get(number=3)

    assert client.post(f"/drills/{plan_drill.pk}/injects/{inject.pk}/remove/").status_code == 302

    assert not Inject.objects.filter(pk=inject.pk).exists() and plan_drill.injects.count() == 6
    entry = AuditEntry.objects.filter(action="drill.remove_inject").get()
    assert entry.data["number"] == 3


def test_the_admin_sets_the_date_and_place_of_the_drill(client, plan_drill, hexie_admin):
    client.force_login(hexie_admin.user)
    data = {
        "title": plan_drill.title,
        "form": "live",
        "scope": "combined",
        "starts_at": "2026-12-24T09:30",
        "place": "和谐路营业部",
        "purposes": plan_drill.purposes,
        "principles": plan_drill.principles,
        "evaluation_criteria": plan_drill.evaluation_criteria,
        "notes": plan_drill.notes,
    }
    assert client.post(f"/drills/{plan_drill.pk}/edit/", data).status_code == 302

    drill = Drill.objects.get(pk=plan_drill.pk)
    assert drill.place == "和谐路营业部"
    assert timezone.localtime(drill.starts_at).strftime("%Y-%m-%d %H:%M") == "2026-12-24 09:30"
    changed = AuditEntry.objects.filter(action="drill.update").get().data["changed"]
    assert set(changed) == {"starts_at", "place"}


def test_a_drill_date_outside_any_plausible_year_is_refused(client, plan_drill, hexie_admin):
    client.force_login(hexie_admin.user)
    response = client.post(
        f"/drills/{plan_drill.pk}/edit/",
        {"title": plan_drill.title, "form": "live", "scope": "combined", "starts_at": "0201-12-24T09:30"},
    )
    assert response.status_code == 200 and Drill.objects.get(pk=plan_drill.pk).starts_at is None
