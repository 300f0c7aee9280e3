"""Levels come from rules that are data: the highest level any rule gives wins, and raising a fact
never lowers the level. The levels are the ones the source documents give (the 示范文本's 第二条 above
all); thresholds the documents do not give are the bank's own rules and say so."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.core.errors import InvalidInput
from yingji.plans.classify import classify, decide_level, parse_facts, rules_for
from yingji.plans.models import EventKind, Level, LevelRule, severity

FACTS = st.fixed_dictionaries(
    {},
    optional={
        "outlets_affected": st.integers(0, 50),
        "injured": st.integers(0, 20),
        "deaths": st.integers(0, 5),
        "amount_yuan": st.integers(0, 50_000_000),
        "customers_gathered": st.integers(0, 500),
        "media_exposure": st.booleans(),
        "system_down_minutes": st.integers(0, 600),
    },
)


def kind(code: str) -> EventKind:
    return EventKind.objects.get(code=code)


def test_a_system_failure_at_one_outlet_is_level_ii(library):
    result = classify(kind("it_system_failure"), {"outlets_affected": 1})
    assert result.level == "II"
    assert [r.source for r in result.reasons] == ["default"]


def test_a_long_system_failure_at_one_outlet_is_still_level_ii(library):
    """第二条 ranks a failure by how many outlets it hits, never by how long it lasts."""
    result = classify(kind("it_system_failure"), {"outlets_affected": 1, "system_down_minutes": 600})
    assert result.level == "II"


def test_a_system_failure_at_two_outlets_is_level_i_and_says_which_rule(library):
    result = classify(kind("it_system_failure"), {"outlets_affected": 2})
    assert result.level == "I"
    assert "system-many-outlets-i" in [r.source for r in result.reasons]


def test_a_death_makes_a_customer_injury_at_least_level_ii_by_the_banks_own_rule(library):
    result = classify(kind("customer_injured"), {"deaths": 1, "injured": 1})
    assert result.level == "II"
    assert any("先保命后资金" in r.text for r in result.reasons)
    assert LevelRule.objects.get(code="death-at-least-ii").bank_own


def test_false_information_in_the_media_stays_at_the_level_the_model_text_gives(library):
    """示范文本第二条（三）6: 重大失实信息传播 is Ⅲ; exposure in the media raises nothing by itself."""
    assert classify(kind("false_information"), {"media_exposure": True}).level == "III"
    assert classify(kind("queue_machine_failure"), {"media_exposure": True}).level == "III"


def test_a_threatened_employee_is_classified_with_robbery(library):
    """003: 员工人身安全受到威胁或伤害，如抢劫和劫持事件."""
    threatened = kind("staff_threatened")
    assert threatened.default_level == kind("customer_robbed").default_level == "II"
    assert threatened.group == kind("customer_robbed").group == "security"
    assert classify(threatened, {}).level == "II"


def test_thresholds_the_documents_do_not_give_are_the_banks_own(library):
    own = set(LevelRule.objects.filter(bank_own=True).values_list("fact", flat=True))
    assert {"deaths", "injured", "customers_gathered", "amount_yuan"} <= own
    for rule in LevelRule.objects.filter(bank_own=False):
        assert rule.source.startswith("《"), f"{rule.code} names the document and passage that give it"
    assert not LevelRule.objects.filter(code__in=["system-down-two-hours-i", "media-at-least-ii"]).exists()


def test_a_bank_run_stays_level_i_whatever_the_facts(library):
    assert classify(kind("bank_run"), {}).level == "I"


@pytest.mark.parametrize(
    "facts, field",
    [
        ({"injured": -1}, "facts.injured"),
        ({"injured": 1.5}, "facts.injured"),
        ({"injured": "2"}, "facts.injured"),
        ({"media_exposure": "yes"}, "facts.media_exposure"),
        ({"amount_yuan": "lots"}, "facts.amount_yuan"),
        ({"weather": "rain"}, "facts.weather"),
        ({"deaths": True}, "facts.deaths"),
    ],
)
def test_malformed_facts_are_refused_naming_the_fact(facts, field):
    with pytest.raises(InvalidInput) as refusal:
        parse_facts(facts)
    assert field in refusal.value.fields


def test_an_amount_may_be_a_decimal_string():
    assert parse_facts({"amount_yuan": "1234.50"}) == {"amount_yuan": Decimal("1234.50")}


# The fixture only reads the library, so sharing it across examples is safe.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=FACTS, kind_index=st.integers(0, 42))
def test_the_level_is_the_highest_any_reason_gives(library_once, facts, kind_index):
    kinds, rules = library_once
    event_kind = kinds[kind_index % len(kinds)]
    result = classify(event_kind, facts, rules=rules[event_kind.code])
    assert severity(result.level) == max(severity(r.level) for r in result.reasons)
    assert severity(result.level) >= severity(event_kind.default_level)


# The fixture only reads the library, so sharing it across examples is safe.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    facts=FACTS,
    kind_index=st.integers(0, 42),
    fact=st.sampled_from(
        [
            "outlets_affected",
            "injured",
            "deaths",
            "amount_yuan",
            "customers_gathered",
            "system_down_minutes",
            "media_exposure",
        ]
    ),
    more=st.integers(1, 1000),
)
def test_raising_a_fact_never_lowers_the_level(library_once, facts, kind_index, fact, more):
    kinds, rules = library_once
    event_kind = kinds[kind_index % len(kinds)]
    before = classify(event_kind, facts, rules=rules[event_kind.code])
    raised = dict(facts)
    raised[fact] = True if fact == "media_exposure" else facts.get(fact, 0) + more
    after = classify(event_kind, raised, rules=rules[event_kind.code])
    assert severity(after.level) >= severity(before.level)


@pytest.fixture
def library_once(library):
    kinds = list(EventKind.objects.order_by("code"))
    return kinds, {k.code: rules_for(k) for k in kinds}


def test_raising_the_level_needs_a_reason(library):
    classified = classify(kind("customer_injured"), {})
    with pytest.raises(InvalidInput):
        decide_level(classified, "II", "")
    decision = decide_level(classified, "II", "客户情绪激动，可能扩大")
    assert (decision.level, decision.classified, decision.overridden) == ("II", "III", True)


def test_lowering_below_the_rules_needs_a_written_reason_that_is_kept(library):
    classified = classify(kind("it_system_failure"), {"outlets_affected": 3})
    with pytest.raises(InvalidInput, match="书面理由"):
        decide_level(classified, "II", "误报")
    decision = decide_level(classified, "II", "经核实仅一个网点受影响，另两个网点为网络延迟误报")
    assert decision.level == "II" and decision.reason.startswith("经核实")


def test_levels_order_from_iii_to_i():
    assert [severity(level) for level in (Level.III, Level.II, Level.I)] == [1, 2, 3]
