"""The drill report (演练报告) in the shape of the seeds: written from the evaluated drill, edited, submitted
by its author (撰稿), signed off (审签) by someone else who leads the organising unit or a unit above; the
Word document says 草稿（未审签）until then, and 撰稿 and 审签 with names and dates after."""

from io import BytesIO

import pytest
from django.utils import timezone
from docx import Document

from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.testing import footprint
from yingji.drills import reporting
from yingji.drills.models import Drill, Report, Status

from .evaluated import evaluated_drill, person

HEADINGS = [
    "一、演练背景",
    "二、演练目的",
    "三、演练内容",
    "四、演练过程",
    "五、演练评估",
    "六、演练结论",
    "七、存在问题",
    "八、改进措施",
]


@pytest.fixture
def now():
    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


@pytest.fixture
def drill(library, now) -> Drill:
    return evaluated_drill(now)


def _word(client, drill: Drill) -> Document:
    response = client.get(f"/drills/{drill.pk}/report/export.docx")
    assert response.status_code == 200
    return Document(BytesIO(response.content))


def _text(doc: Document) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def _header(doc: Document) -> str:
    return "\n".join(p.text for p in doc.sections[0].header.paragraphs)


def test_the_word_report_has_every_section_of_the_seeds_and_says_draft_before_sign_off(client, drill):
    admin = person("hexie_admin")
    reporting.draft_report(actor=admin.user, drill=drill)
    reporting.submit_report(actor=admin.user, drill=drill)
    client.force_login(person("hexie_lobby").user)  # 王大堂 played: he reads the report too

    doc = _word(client, drill)

    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == HEADINGS
    assert "草稿（未审签）" in _header(doc)
    text = _text(doc)
    # 过程: the event with its +H:MM and the scenario clock, the action with its time and who.
    assert "+0:10（情景时间 09:10）事件1：一位老人在大堂摔倒" in text
    assert "+0:17:00 王大堂：" in text
    # 评估: the objective met with its time, the action's rating and lateness, the score as 本行设定.
    assert "目标1 报告支行 ≤ 10 分钟：达成，目标 10 分钟，用时 7 分钟，评定 S" in text
    assert "评定 S，7 分钟后完成，王大堂，要求 5 分钟内，超时" in text
    assert "得分 75.0，合格（合格线 60" in text and "本行设定" in text
    assert "监管部门：周监管（江城金融监管分局）" in text
    # 问题 and 改进: the finding and its corrective action, with owner and deadline.
    assert "大堂经理报告网点负责人偏晚。" in text
    assert "组织大堂经理复训报告流程。（责任人 郑和谐" in text
    assert "撰稿：韩应急" in text and "审签：" not in text


def test_after_sign_off_the_report_carries_its_author_and_approver_and_the_drill_is_reported(client, drill):
    admin, president = person("hexie_admin"), person("hexie_president")
    reporting.draft_report(actor=admin.user, drill=drill)
    reporting.submit_report(actor=admin.user, drill=drill)
    client.force_login(president.user)

    assert client.post(f"/drills/{drill.pk}/report/sign-off/").status_code == 302

    assert Drill.objects.get(pk=drill.pk).status == Status.REPORTED
    report = Report.objects.get(drill=drill)
    assert report.approver == president and report.author == admin and report.approved_at is not None
    doc = _word(client, drill)
    day = timezone.localtime(clock.now()).strftime("%Y-%m-%d")
    assert "草稿" not in _header(doc) and "草稿" not in _text(doc)
    assert f"撰稿：韩应急  {day}" in _text(doc) and f"审签：刘和谐  {day}" in _text(doc)
    page = client.get(f"/drills/{drill.pk}/report/").content.decode()
    assert "已审签发布" in page and "提交审签</button>" not in page


def test_the_author_cannot_sign_off_their_own_report(client, drill):
    president = person("hexie_president")  # a leader may write the report too, but then not sign it
    reporting.draft_report(actor=president.user, drill=drill)
    reporting.submit_report(actor=president.user, drill=drill)
    before = footprint()
    client.force_login(president.user)

    assert client.post(f"/drills/{drill.pk}/report/sign-off/").status_code == 403

    assert footprint() == before
    assert Drill.objects.get(pk=drill.pk).status == Status.EVALUATED
    assert "审签并发布</button>" not in client.get(f"/drills/{drill.pk}/report/").content.decode()


def test_a_superuser_is_not_exempt_from_four_eyes(drill):
    admin = person("hexie_admin")
    admin.user.is_superuser = True
    admin.user.save(update_fields=["is_superuser"])
    reporting.draft_report(actor=admin.user, drill=drill)
    reporting.submit_report(actor=admin.user, drill=drill)

    with pytest.raises(NotAllowed):
        reporting.sign_off_report(actor=admin.user, drill=drill)
    assert Report.objects.get(drill=drill).approved_at is None


def test_a_player_cannot_sign_off_and_nothing_changes(client, drill):
    admin = person("hexie_admin")
    reporting.draft_report(actor=admin.user, drill=drill)
    reporting.submit_report(actor=admin.user, drill=drill)
    before = footprint()
    client.force_login(person("hexie_lobby").user)

    assert client.post(f"/drills/{drill.pk}/report/sign-off/").status_code == 403
    assert client.post(f"/drills/{drill.pk}/report/return/", {"reason": "重写"}).status_code == 403

    assert footprint() == before


def test_a_viewer_of_another_branch_gets_404(client, drill):
    admin = person("hexie_admin")
    reporting.draft_report(actor=admin.user, drill=drill)
    reporting.submit_report(actor=admin.user, drill=drill)
    before = footprint()
    client.force_login(person("other_manager").user)

    assert client.get(f"/drills/{drill.pk}/report/").status_code == 404
    assert client.get(f"/drills/{drill.pk}/report/export.docx").status_code == 404
    assert client.post(f"/drills/{drill.pk}/report/sign-off/").status_code == 404
    assert footprint() == before


def test_the_approver_returns_it_with_a_reason_and_the_author_writes_again(client, drill):
    admin, president = person("hexie_admin"), person("hexie_president")
    client.force_login(admin.user)
    assert client.post(f"/drills/{drill.pk}/report/draft/").status_code == 302
    assert client.post(f"/drills/{drill.pk}/report/submit/").status_code == 302
    # Submitted: the text is fixed while it waits.
    with pytest.raises(InvalidInput):
        reporting.edit_report(actor=admin.user, drill=drill, conclusions="改")

    client.force_login(president.user)
    client.post(f"/drills/{drill.pk}/report/return/", {"reason": "结论请写明达成情况"})

    client.force_login(admin.user)
    page = client.get(f"/drills/{drill.pk}/report/").content.decode()
    assert "结论请写明达成情况" in page and "提交审签</button>" in page
    sections = {f: getattr(Report.objects.get(drill=drill), f) for f in reporting.report_writing.FIELDS}
    sections["conclusions"] = "达到预期目的，1 个目标全部达成。"
    assert client.post(f"/drills/{drill.pk}/report/", sections).status_code == 302
    client.post(f"/drills/{drill.pk}/report/submit/")
    report = Report.objects.get(drill=drill)
    assert report.conclusions == "达到预期目的，1 个目标全部达成。"
    assert report.submitted_at is not None and report.returned_reason == ""


def test_a_report_is_written_only_once_the_drill_is_evaluated(library, now):
    from yingji.drills import services
    from yingji.orgs.models import Unit
    from yingji.plans.models import Plan

    admin = person("hexie_admin")
    unit = Unit.objects.get(code="JN01")
    planned = services.create_from_plan(
        actor=admin.user,
        unit=unit,
        units=[unit],
        plan=Plan.objects.get(code="outlet-service-customer-injured"),
    )
    before = footprint()

    with pytest.raises(InvalidInput):
        reporting.draft_report(actor=admin.user, drill=planned)

    assert footprint() == before


def test_submitting_needs_text_in_every_section(drill):
    admin = person("hexie_admin")
    reporting.draft_report(actor=admin.user, drill=drill)
    reporting.edit_report(actor=admin.user, drill=drill, purposes="")

    with pytest.raises(InvalidInput) as refused:
        reporting.submit_report(actor=admin.user, drill=drill)

    assert set(refused.value.fields) == {"purposes"}
    assert Report.objects.get(drill=drill).submitted_at is None
