"""The shipped plans say what the seed documents say: an event gets the plan of its kind for its unit, the
outlet's seven scenarios are its plan (a drill used them), the timings and branches the documents teach
are steps, and who approves ending the response is data where the document names them."""

from pathlib import Path

import pytest

from yingji.plans.models import Plan, PlanVersion, Step, Timing, VersionStatus
from yingji.plans.selectors import fitting_plans

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SCENARIOS = {
    "customer_injured": "outlet-service-customer-injured",
    "group_visit": "outlet-service-group-visit",
    "resource_occupation": "outlet-service-group-visit",
    "media_interview": "outlet-service-media-interview",
    "special_customer_filming": "outlet-service-special-customer-filming",
    "staff_threatened": "outlet-service-staff-threatened",
    "natural_disaster": "outlet-service-natural-disaster",
}


def fitting(kind: str, unit_type: str) -> list[str]:
    return [p.code for p in fitting_plans(kind=kind, unit_type=unit_type)]


def approved(code: str) -> PlanVersion:
    return PlanVersion.objects.get(plan__code=code, status=VersionStatus.APPROVED)


def steps(code: str) -> list[Step]:
    return list(approved(code).steps.order_by("order"))


def test_an_outlets_major_complaint_gets_the_outlet_plan_and_the_call_centres_its_own(library):
    assert fitting("major_complaint", "outlet") == ["outlet-major-complaint"]
    assert fitting("major_complaint", "sub_branch") == ["outlet-major-complaint"]
    assert fitting("major_complaint", "call_centre") == ["cc-major-complaint"]


def test_the_major_complaint_plan_has_its_leading_group_and_four_working_groups(library):
    version = approved("outlet-major-complaint")
    assert version.leadership["leader"] == "leader"  # 以分管行领导为组长
    assert [g["name"] for g in version.groups] == [
        "综合协调小组",
        "客户安抚小组",
        "舆情监测与应对小组",
        "业务处理小组",
    ]
    assert all(g["duties"] for g in version.groups)
    by_group = {g["name"]: [s for s in version.steps.all() if s.group == g["name"]] for g in version.groups}
    assert all(by_group.values()), "every working group has its tasks"


@pytest.mark.parametrize("kind, code", SCENARIOS.items())
def test_each_outlet_scenario_kind_gets_exactly_its_scenario(library, kind, code):
    assert fitting(kind, "outlet") == [code]


def test_the_scenarios_are_the_outlets_plan_not_a_drill(library):
    assert not Plan.objects.filter(code__startswith="drill-").exists()
    for code in set(SCENARIOS.values()):
        version = approved(code)
        assert version.title.startswith("营业网点服务突发事件应急预案·场景")
        assert "演练" not in version.title


@pytest.mark.skipif(not SEEDS.exists(), reason="the seed documents are not beside the project")
def test_every_scenario_step_is_the_documents_own_words(library):
    seed = _plain((SEEDS / "000_6c352c3c58003d7b.txt").read_text(encoding="utf-8"))
    for code in set(SCENARIOS.values()):
        for step in steps(code):
            assert _plain(step.action) in seed, f"{code} step {step.order}"


def test_a_sudden_illness_gets_120_first_aid_and_the_severity_branches(library):
    illness = steps("outlet-customer-illness")
    branches = {s.branch: s for s in illness if s.branch}
    assert set(branches) == {"较轻", "较严重"}
    severe = branches["较严重"]
    assert "120" in severe.action and "应急救护" in severe.action
    assert severe.timing == Timing.ON_CONDITION and severe.condition
    assert any("安抚" in s.action for s in illness) and any("报告" in s.action for s in illness)


def test_the_power_outage_keeps_its_timings_for_both_kinds_of_outage(library):
    outage = steps("power-outage")
    generator = next(s for s in outage if "发电机支持申请" in s.action)
    assert (generator.timing, generator.minutes) == (Timing.WITHIN, 120)
    assert "2-4小时" in generator.action and "2个小时内无法恢复" in generator.condition
    # 检修停电 and 突然停电 follow the same flow (第五条): no step is an alternative for one of them.
    assert not [s for s in outage if s.branch]


def test_the_call_centres_epidemic_measures_come_only_with_an_epidemic(library):
    measures = ("消毒", "抗病毒", "A、B两组")
    assert fitting("epidemic", "call_centre") == ["cc-epidemic"]
    assert fitting("epidemic", "outlet") == ["outlet-general"]
    for step in Step.objects.filter(version__status=VersionStatus.APPROVED).select_related("version__plan"):
        if any(m in step.action for m in measures):
            assert list(step.version.plan.kinds.values_list("code", flat=True)) == ["epidemic"], step.action
    for code in fitting("cc_emergency", "call_centre") + fitting("fire", "call_centre"):
        assert not any(m in s.action for s in steps(code) for m in measures)


def test_termination_approvers_are_the_ones_the_document_names(library):
    assert approved("cc-emergency").termination_approvers == [
        {"role": "leader", "label": "紧急事件应急处置领导小组"},
        {"position": "security_officer", "unit": "above", "label": "大厦安全保卫负责人"},
    ]
    assert approved("cc-major-complaint").termination_approvers == [
        {"role": "leader", "label": "紧急事件应急处置领导小组"},
        {"position": "emergency_admin", "unit": "head_office", "label": "总行办公室"},
    ]
    assert approved("cc-call-connection").termination_approvers == [
        {"role": "leader", "label": "紧急事件应急处置领导小组"}
    ]
    # A document that names nobody leaves the default to the incidents side.
    assert approved("outlet-major-complaint").termination_approvers == []
    assert approved("security-fire").termination_approvers == []


def test_principles_hold_the_sources_words_and_no_notes_of_the_transcription(library):
    for version in PlanVersion.objects.filter(status=VersionStatus.APPROVED):
        for note in ("原文", "列为本预案", "截断", ".txt", "推定"):
            assert note not in version.principles, f"{version.plan.code}: {note}"
    for step in Step.objects.filter(version__status=VersionStatus.APPROVED):
        assert not step.action.startswith("（"), "a step's group is data, not a prefix of its action"


def _plain(text: str) -> str:
    """The seeds write ASCII commas and colons between Chinese words; the plans write the full-width ones."""
    return text.translate(str.maketrans("，：；（）", ",:;()")).replace("“120”", "120")
