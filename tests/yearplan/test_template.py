"""The shipped template is the seed's annual plan (001, 银行安保工作年度工作计划): its phases and the dates
of its tasks, in a plan any unit draws up for a year."""

from datetime import date

from django.core.management import call_command

from yingji.yearplan import template
from yingji.yearplan.models import EvidenceKind, TemplatePhase, TemplateTask

# What the seed says, date by date.
SEED_DUE = {
    "leadership-group": (3, 10),  # 部署阶段（3月1日至10日）：加强组织领导，成立领导小组
    "implementation-plan": (3, 10),  # 部署阶段：制定方案
    "letters-departments": (3, 10),  # 3月10日前…与各部（室）、各业务部门、营业部签订安全责任书
    "letters-employees": (3, 10),  # …和每一位员工签订了安全责任书
    "work-plan": (3, 31),  # 分行在3月底前制定安保年度工作推进计划
    "meeting-may": (5, 31),  # 定期在5月份…召开…专题研究会议
    "meeting-september": (9, 30),  # …及9月份召开…专题研究会议
    "rules": (10, 31),  # 10月底前…建立健全…规章制度
    "inspections": (11, 30),  # 实施阶段（3月1日至11月30日）：全年每季度、每月…各类检查
    "year-summary": (11, 30),  # 在年终11月底进行年度工作总结
}


def test_the_template_reproduces_the_seeds_phases_and_dates(loaded):
    phases = {p.code: p for p in TemplatePhase.objects.all()}
    assert [p.name for p in phases.values()] == ["部署阶段", "实施阶段", "总结阶段"]
    assert (phases["deploy"].start_month, phases["deploy"].start_day) == (3, 1)
    assert (phases["deploy"].end_month, phases["deploy"].end_day) == (3, 10)
    assert (phases["implement"].start_month, phases["implement"].start_day) == (3, 1)
    assert (phases["implement"].end_month, phases["implement"].end_day) == (11, 30)
    assert phases["summary"].start_month is None
    assert (phases["summary"].end_month, phases["summary"].end_day) == (11, 30)
    due = {t.key: (t.due_month, t.due_day) for t in TemplateTask.objects.all()}
    assert due == SEED_DUE


def test_each_task_says_who_owns_it_and_what_evidence_it_needs_in_the_seeds_words(loaded):
    letters = TemplateTask.objects.get(key="letters-departments")
    assert "3月10日前分行必须完成与各部（室）、各业务部门、营业部签订安全责任书" in letters.text
    assert letters.owner_unit_type == "branch" and letters.owner_position.name == "应急管理员"
    meeting = TemplateTask.objects.get(key="meeting-may")
    assert "5月份及9月份召开由领导班子、保卫管理部门参加的安全保卫工作专题研究会议" in meeting.text
    assert meeting.owner_position.name == "行长" and meeting.evidence_note == "会议纪要"
    assert TemplateTask.objects.get(key="inspections").evidence_kind == EvidenceKind.INSPECTION
    assert all(t.owner_position is not None for t in TemplateTask.objects.all())


def test_a_plan_for_a_year_takes_the_seeds_dates_in_that_year(draft):
    due = {t.template.key: t.due_on for t in draft.tasks.select_related("template")}
    assert due == {key: date(2026, m, d) for key, (m, d) in SEED_DUE.items()}
    phases = [(p.name, p.starts_on, p.ends_on) for p in draft.phases.all()]
    assert phases == [
        ("部署阶段", date(2026, 3, 1), date(2026, 3, 10)),
        ("实施阶段", date(2026, 3, 1), date(2026, 11, 30)),
        ("总结阶段", None, date(2026, 11, 30)),
    ]
    letters = draft.tasks.get(template__key="letters-employees")
    assert letters.due_at.astimezone(template.clock.SHANGHAI).isoformat() == "2026-03-11T00:00:00+08:00"


def test_loading_the_template_twice_adds_nothing(loaded):
    before = (TemplatePhase.objects.count(), TemplateTask.objects.count())
    call_command("load_yearplan_template", verbosity=0)
    assert (TemplatePhase.objects.count(), TemplateTask.objects.count()) == before == (3, 10)
