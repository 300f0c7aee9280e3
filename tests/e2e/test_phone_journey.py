"""Issue 18's journey on a 375 px phone, from the first report to the end of the response:
王大堂 reports a customer hurt in the hall; 郑和谐 activates the outlet plan from his phone, picking the
leading group with taps; the tasks land in 王大堂's 我的任务; 郑和谐 proposes termination and the unit above
(和谐支行's 组长 and its 应急管理员) approves it; after that nobody is paged about the case.

A second journey activates the outlet plan of seed 002 for a 重大投诉, whose four working groups the plan
itself forms, and finds each task under its group."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from yingji.incidents.jobs import ALARMS

from .conftest import _ONE_REQUEST, log_in, sign_out, the_worker_runs

pytestmark = pytest.mark.browser

PHONE_WIDTH = 375
NUMBER = re.compile(r"YJ-\d{4}-\d{6}")


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": PHONE_WIDTH, "height": 800}


@pytest.fixture
def library(demo):
    from yingji.notify.defaults import ensure_defaults
    from yingji.plans.loader import load_library

    load_library()
    ensure_defaults()


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide on a {PHONE_WIDTH}px phone"


def pk(username: str) -> int:
    from yingji.orgs.models import Person

    return Person.objects.get(user__username=username).pk


def activate_with_taps(page, *, leader: str, deputies=(), members=()) -> None:
    """Everything on the activation form is a tap: no list box, no typing."""
    form = page.locator("#yj-activate-form")
    expect(form).to_be_visible()
    expect(form.locator("select[multiple]")).to_have_count(0)
    expect(form).not_to_contain_text("Select an option")
    expect(form.locator("input[name=version]:checked")).to_have_count(1)  # the fitting plan is chosen
    form.locator(f"#leader-{pk(leader)}").check()
    for username in deputies:
        form.locator(f"#deputy-{pk(username)}").check()
    for username in members:
        form.locator(f"#member-{pk(username)}").check()
    fits_the_phone(page)
    with page.expect_navigation():
        page.locator("#yj-activate-submit").click()
    expect(page.locator("header .yj-status")).to_have_class(re.compile(r"yj-status-activated"))


def test_from_report_to_termination_approved_by_the_unit_above_on_a_phone(page, library, demo_password):
    # 王大堂 reports from the big button on the home page.
    log_in(page, "hexie_lobby", demo_password)
    page.locator("a.yj-report-now").click()
    page.wait_for_url("**/incidents/report/")
    page.locator("#id_kind").select_option(label="客户意外受伤")
    page.locator("#id_description").fill("一位老年客户在大厅湿滑处摔倒，膝盖出血")
    with page.expect_navigation():
        page.locator("button.yj-send").click()
    expect(page.locator("h1.yj-number")).to_have_text(NUMBER)
    room = page.url
    sign_out(page)
    assert the_worker_runs(queue=ALARMS) == 1

    # 郑和谐 activates the outlet's plan on his phone: 和谐支行's 刘和谐 leads, he and 王大堂 join.
    log_in(page, "hexie_manager", demo_password)
    page.goto(room)
    activate_with_taps(page, leader="hexie_president", deputies=["hexie_manager"], members=["hexie_lobby"])
    expect(page.locator("#yj-task-board")).to_contain_text("查看客户伤情")
    fits_the_phone(page)
    sign_out(page)

    # 王大堂's home page lists her tasks from the plan, across incidents, with a link into the room.
    log_in(page, "hexie_lobby", demo_password)
    mine = page.locator("#yj-my-tasks .yj-my-task")
    expect(mine.first).to_be_visible()
    expect(page.locator("#yj-my-tasks")).to_contain_text("查看客户伤情")
    fits_the_phone(page)
    link = mine.first.locator("a").first
    task = link.get_attribute("href").rsplit("#", 1)[-1]
    link.click()
    page.wait_for_url(re.compile(re.escape(room)))

    # She does it and says so from the room: the response has begun.
    page.locator(f"#{task}-done summary").click()
    page.locator(f"#{task}-note").fill("已查看伤情并安抚客户，已报告网点负责人")
    with page.expect_navigation():
        page.locator(f"#{task}-done button[type=submit]").click()
    expect(page.locator(f"#{task}")).to_contain_text("已完成")
    fits_the_phone(page)
    sign_out(page)

    # 郑和谐 proposes termination; he cannot approve it himself.
    log_in(page, "hexie_manager", demo_password)
    page.goto(room)
    page.locator("summary", has_text="申请终止响应").click()
    page.locator("#yj-term-summary").fill("客户已送医，伤情稳定，家属已到场，营业秩序恢复正常")
    with page.expect_navigation():
        page.locator("#yj-term-summary").locator("xpath=ancestor::form").locator(
            "button[type=submit]"
        ).click()
    termination = page.locator("#yj-termination")
    expect(termination).to_be_visible()
    expect(termination.locator("button[value=approve]")).to_have_count(0)
    fits_the_phone(page)
    sign_out(page)

    # The unit above approves: 和谐支行's 刘和谐 as 组长, then its 应急管理员 韩应急.
    for approver in ("hexie_president", "hexie_admin"):
        log_in(page, approver, demo_password)
        page.goto(room)
        with page.expect_navigation():
            page.locator("#yj-termination button[value=approve]").click()
        sign_out(page)

    log_in(page, "hexie_lobby", demo_password)
    page.goto(room)
    expect(page.locator("header .yj-status")).to_have_class(re.compile(r"yj-status-terminated"))
    expect(page.locator("header")).to_contain_text("观察期至")
    expect(page.locator(".yj-ack")).to_have_count(0)  # no 已收到 banner for a case that has ended
    fits_the_phone(page)
    sign_out(page)

    # Long after the acknowledgement deadlines, nobody is paged about the ended case.
    from yingji.core import clock
    from yingji.incidents.models import Incident
    from yingji.notify import services as notify
    from yingji.notify.models import Notice

    incident = Incident.objects.get(number=room.rstrip("/").rsplit("/", 1)[-1])
    notices = Notice.objects.filter(subject_type="incidents.incident", subject_id=incident.pk)
    before = notices.count()
    with _ONE_REQUEST, clock.frozen(clock.now() + timedelta(hours=6)):
        assert notify.escalate_overdue(notice_ids=list(notices.values_list("pk", flat=True))) == 0
    assert notices.count() == before
    assert not notices.filter(escalated_at__isnull=False).exists()


def test_the_outlet_major_complaint_plan_forms_its_groups_and_places_its_tasks(page, library, demo_password):
    from tests.incidents.factories import ReportFactory, kind

    with _ONE_REQUEST:
        incident = ReportFactory(
            kind=kind("major_complaint"),
            description="客户在大厅张贴海报并在微信群发布不实信息，称网点拒绝兑付理财",
        )

    log_in(page, "hexie_manager", demo_password)
    page.goto(incident.get_absolute_url())
    expect(page.locator("#yj-activate-form input[name=version]:checked")).to_have_count(1)
    expect(page.locator("#yj-activate-plans")).to_contain_text("营业网点")
    activate_with_taps(page, leader="hexie_president", deputies=["hexie_manager"], members=["hexie_lobby"])

    board = page.locator("#yj-task-board")
    placed = {
        "综合协调": "了解其具体诉求和意见",
        "客户安抚": "到客户家中进行走访",
        "舆情监测与应对": "对网络舆情进行监测和分析",
        "业务处理": "对客户的业务进行重新核实和处理",
    }
    for group, task in placed.items():
        header = board.locator("div[id^=group-]", has=page.locator("h3", has_text=group))
        expect(header).to_have_count(1)
        # The group's tasks are the list right after its header.
        expect(header.locator("xpath=following-sibling::ul[1]")).to_contain_text(task)
    # The leading group's own steps (meetings, decisions) are not put in a working group.
    expect(board.locator("#yj-no-group + ul")).not_to_contain_text("对网络舆情进行监测和分析")
    fits_the_phone(page)
