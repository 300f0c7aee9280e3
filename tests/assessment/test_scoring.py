"""The assessment's score: each component a rate 0–100 off the figures, the score their weighted mean over
the components that can be counted, with the bank's weights (本行设定)."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.assessment import scoring, services
from yingji.assessment.models import Weight
from yingji.audit import labels
from yingji.audit.models import AuditEntry
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.testing import footprint

FIGURES = {
    "tasks_total": 10,
    "tasks_done": 8,
    "tasks_done_late": 2,  # on time: 6 of 10 → 60
    "letters_total": 20,
    "letters_signed": 19,  # 95
    "rectifications_total": 4,
    "rectifications_closed": 1,  # 25
    "staff": 8,
    "staff_trained": 8,  # 100
    "staff_concerned": 3,
    "staff_ready": 2,  # 66.7
    "drill_periods_due": 0,  # nothing due: not counted
    "drill_periods_done": 0,
}
WEIGHTS = {c.code: c.default_weight for c in scoring.COMPONENTS}


def test_a_score_for_known_figures_and_weights():
    scored = scoring.assess(FIGURES, WEIGHTS)
    assert scored.rates == {
        "task_on_time": Decimal("60.0"),
        "letter_sign": Decimal("95.0"),
        "rectification_closure": Decimal("25.0"),
        "training_coverage": Decimal("100.0"),
        "readiness": Decimal("66.7"),
        "drill_done": None,
    }
    # (20·60 + 15·95 + 20·25 + 15·100 + 15·66.7) / 85 = 5625.5 / 85 = 66.18…
    assert scored.score == Decimal("66.2")


def test_a_component_with_no_weight_or_nothing_due_is_left_out():
    assert scoring.assess(FIGURES, {**WEIGHTS, "rectification_closure": 0}).score == Decimal("78.9")
    assert scoring.assess({}, WEIGHTS).score is None  # nothing to count at all


# Pure arithmetic: no deadline, and no complaint about slow generation on a busy machine.
PURE = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RATE = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=1))
RATES = st.fixed_dictionaries({c.code: RATE for c in scoring.COMPONENTS})
WEIGHT_SETS = st.fixed_dictionaries({c.code: st.integers(0, 100) for c in scoring.COMPONENTS})


@PURE
@given(RATES, WEIGHT_SETS)
def test_the_score_stays_within_0_and_100(rates, weights):
    score = scoring.score(rates, weights)
    assert score is None or Decimal(0) <= score <= Decimal(100)
    counted = [c for c, r in rates.items() if r is not None and weights[c] > 0]
    assert (score is None) == (not counted)


@PURE
@given(
    RATES, WEIGHT_SETS, st.sampled_from([c.code for c in scoring.COMPONENTS]), st.decimals(0, 100, places=1)
)
def test_the_score_never_falls_when_a_rate_rises(rates, weights, code, higher):
    if rates[code] is None or higher < rates[code]:
        return
    before = scoring.score(rates, weights)
    after = scoring.score({**rates, code: higher}, weights)
    assert (before is None and after is None) or after >= before


@PURE
@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))
def test_a_rate_is_within_0_and_100_even_when_figures_disagree(done, late, total):
    rate = scoring.rate(
        scoring.BY_CODE["task_on_time"], {"tasks_done": done, "tasks_done_late": late, "tasks_total": total}
    )
    assert rate is None if total == 0 else Decimal(0) <= rate <= Decimal(100)


@pytest.mark.django_db
def test_head_offices_emergency_administrator_sets_the_weights(demo, hq_duty, branch_duty):
    new = {**WEIGHTS, "drill_done": 30, "readiness": 0}
    before = footprint()
    with pytest.raises(NotAllowed):
        services.set_weights(actor=branch_duty.user, weights=new)  # a branch's is not the bank's
    with pytest.raises(InvalidInput):
        services.set_weights(actor=hq_duty.user, weights={**WEIGHTS, "readiness": 101})
    with pytest.raises(InvalidInput):
        services.set_weights(actor=hq_duty.user, weights=dict.fromkeys(WEIGHTS, 0))
    assert footprint() == before

    assert services.set_weights(actor=hq_duty.user, weights=new) == new
    assert Weight.objects.get(component="drill_done").weight == 30
    entry = AuditEntry.objects.filter(action="assessment.set_weights").latest("pk")
    assert entry.data["changed"] == {"readiness": [15, 0], "drill_done": [15, 30]}
    # Head office reads it in words in the audit log.
    assert labels.fields(entry.data) == [("变更", "预案就绪率权重：15 → 0；演练完成率权重：15 → 30")]
