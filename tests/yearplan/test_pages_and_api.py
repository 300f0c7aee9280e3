"""The plan on its pages and over the API, scoped by visibility: 江南分行's plan is seen by the branch
and head office, never by the sibling branch 江北分行."""

from yingji.api.services import issue_token
from yingji.core.testing import api
from yingji.yearplan import evidence, services
from yingji.yearplan.figures import year_figures
from yingji.yearplan.models import AnnualPlan, PlanStatus, TaskStatus

from .conftest import pdf, task_of


def test_the_branch_draws_up_submits_and_the_president_approves_on_the_pages(
    client, loaded, now, branch_duty, jn_president
):
    client.force_login(branch_duty.user)
    page = client.get("/security/year/").content.decode()
    assert "按模板制定年度计划" in page and "江南分行" in page
    response = client.post("/security/year/new/", {"unit": "JN", "year": "2026"})
    plan = AnnualPlan.objects.get(unit__code="JN", year=2026)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "部署阶段" in page and "3月1日–3月10日" in page and "成立创建工作领导小组" in page
    assert client.post(f"/security/year/{plan.pk}/submit/").status_code == 302
    # The submitter is told who approves, and gets no approve button.
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "等待您以外的负责人或行领导审批" in page and "审批通过</button>" not in page
    client.force_login(jn_president.user)
    assert "审批通过</button>" in client.get(plan.get_absolute_url()).content.decode()
    client.post(f"/security/year/{plan.pk}/approve/")
    assert AnnualPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED


def test_the_owner_uploads_the_minutes_and_closes_the_task_on_a_phone(client, approved, jn_president, now):
    task = task_of(approved, "meeting-may")
    client.force_login(jn_president.user)
    url = task.get_absolute_url()
    refused = client.post(f"{url}complete/", {"note": "已开会"}, follow=True).content.decode()
    assert "请先上传佐证材料（会议纪要）" in refused
    assert task_of(approved, "meeting-may").status == TaskStatus.OPEN
    bad = client.post(f"{url}files/", {"file": pdf("纪要.pdf").__class__("纪要.pdf", b"not a pdf")})
    assert bad.status_code == 400
    client.post(f"{url}files/", {"file": pdf("5月纪要.pdf")})
    client.post(f"{url}complete/", {"note": "已开会"})
    assert task_of(approved, "meeting-may").status == TaskStatus.DONE
    page = client.get(url).content.decode()
    assert "5月纪要.pdf" in page and "yj-task-done" in page


def test_progress_per_unit_and_phase_counts_done_late_open_and_overdue(client, approved, branch_duty, now):
    for key, days in (("leadership-group", 10), ("letters-employees", 15)):  # 3/2 on time; 3/17 late
        now.advance(days=days)
        task = task_of(approved, key)
        evidence.add_file(actor=branch_duty, task=task, upload=pdf())
        services.complete_task(actor=branch_duty, task=task)
    # 17 March: 3/10's other tasks are overdue.
    figures = year_figures(approved.unit, 2026)
    assert figures == {"tasks_total": 10, "tasks_done": 2, "tasks_done_late": 1, "tasks_overdue": 2}
    client.force_login(branch_duty.user)
    page = client.get("/security/year/?year=2026").content.decode()
    assert "yj-progress" in page and "年度工作计划" in page


def test_a_sibling_branch_cannot_see_the_plan_on_pages_or_api(client, approved, jb_president):
    client.force_login(jb_president.user)
    assert client.get(approved.get_absolute_url()).status_code == 404
    task = task_of(approved, "rules")
    assert client.get(task.get_absolute_url()).status_code == 404
    assert "江南分行" not in client.get("/security/year/?year=2026").content.decode()
    _token, raw = issue_token(actor=jb_president.user, person=jb_president)
    assert api(client, "get", f"/api/v1/yearplan/plans/{approved.pk}", raw).status_code == 404
    assert api(client, "get", "/api/v1/yearplan/plans?year=2026", raw).json() == []
    assert api(client, "get", f"/api/v1/yearplan/tasks/{task.pk}", raw).status_code == 404


def test_head_office_reads_the_plan_and_its_tasks_over_the_api(client, approved, hq_duty, now):
    _token, raw = issue_token(actor=hq_duty.user, person=hq_duty)
    plans = api(client, "get", "/api/v1/yearplan/plans?year=2026", raw).json()
    assert [(p["unit"], p["status"], p["reminder_days"]) for p in plans] == [("JN", "approved", 7)]
    detail = api(client, "get", f"/api/v1/yearplan/plans/{approved.pk}", raw).json()
    assert [p["name"] for p in detail["phases"]] == ["部署阶段", "实施阶段", "总结阶段"]
    assert len(detail["tasks"]) == 10 and detail["tasks"][0]["due_on"] == "2026-03-10"
    now.advance(days=30)
    overdue = api(client, "get", "/api/v1/yearplan/tasks?overdue=true", raw).json()
    assert {t["title"] for t in overdue} >= {"成立创建工作领导小组", "与每一位员工签订安全责任书"}
    assert all(t["overdue"] and not t["done_late"] for t in overdue)


def test_bad_input_to_the_api_is_a_4xx_in_chinese_never_a_500(client, approved, hq_duty):
    _token, raw = issue_token(actor=hq_duty.user, person=hq_duty)
    assert api(client, "get", "/api/v1/yearplan/plans/99999999999999999999", raw).status_code in (404, 422)
    for path in ("/api/v1/yearplan/tasks?status=bogus", "/api/v1/yearplan/plans?year=1"):
        response = api(client, "get", path, raw)
        assert response.status_code == 400
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])


def test_bad_input_to_the_pages_is_a_4xx_never_a_500(client, approved, branch_duty):
    client.force_login(branch_duty.user)
    assert client.get("/security/year/abc/").status_code == 404
    assert client.post(f"/security/year/{approved.pk}/explode/").status_code == 404
    assert client.get(f"/security/year/{approved.pk}/tasks/0/").status_code == 404
    response = client.post("/security/year/new/", {"unit": "JN", "year": "二〇二六"}, follow=True)
    assert response.status_code == 200 and "计划未创建" in response.content.decode()


def test_the_security_year_has_a_tab_for_the_annual_plan(client, branch_duty):
    client.force_login(branch_duty.user)
    page = client.get("/security/").content.decode()
    assert 'href="/security/year/"' in page and "年度工作计划" in page
