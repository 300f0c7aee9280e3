"""王大堂, 和谐路营业部's lobby manager, sees their role card in each plan in force that names their
position, in the plan's order, with timing and the reporting time limits; they confirm each card."""

import pytest

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed
from yingji.core.testing import footprint
from yingji.orgs.models import Position
from yingji.readiness import cards, services
from yingji.readiness.models import Acknowledgement

from .conftest import publish_new_version


def _card(person, plan_code: str, position: str = "lobby_manager") -> cards.Card:
    return next(
        c for c in cards.cards_for(person) if c.plan.code == plan_code and c.position.code == position
    )


def test_the_lobby_managers_card_in_the_injury_plan_lists_their_steps_in_order(hexie_lobby, injured):
    card = _card(hexie_lobby, injured.code)
    assert card.version == injured.current_version
    assert [s.order for s in card.steps] == [1, 2, 3, 4, 6]
    assert card.steps[0].action.startswith("大堂经理发现情况后，查看客户伤情")
    assert [cards.timing_text(s) for s in card.steps[:3]] == ["立即", "客户受伤较轻时", "客户伤势较严重时"]
    # 客户意外受伤 is a level Ⅲ event: its first report is late (缓报) after the level's limit.
    (limit,) = card.limits
    assert limit.kind == "客户意外受伤" and limit.first_report_minutes == 30
    assert limit.regulator_minutes is None


def test_the_guard_sees_only_the_step_the_plan_gives_the_guard(hexie_guard, injured):
    card = _card(hexie_guard, injured.code, "guard")
    assert [s.order for s in card.steps] == [5]
    assert not any(c.position.code == "lobby_manager" for c in cards.cards_for(hexie_guard))


def test_a_leadership_role_makes_a_card_even_without_steps(library):
    concerned = cards.concerns()
    with_leadership = [
        c for c in concerned.values() if c.positions - {p for p in _step_positions(c.version_id)}
    ]
    assert with_leadership, "the shipped library names leading groups"


def _step_positions(version_id: int) -> set[int]:
    from yingji.plans.models import Step

    return set(Step.objects.filter(version_id=version_id).values_list("position_id", flat=True))


def test_acknowledging_a_card_records_the_time_and_an_audit_entry(hexie_lobby, injured, now):
    version = injured.current_version
    ack = services.acknowledge(person=hexie_lobby, version=version, position=_lobby())
    assert ack.acknowledged_at == clock.now()
    entry = AuditEntry.objects.filter(action="readiness.acknowledge").latest("seq")
    assert entry.data == {"plan": injured.code, "number": version.number, "position": "lobby_manager"}
    assert entry.unit_id == hexie_lobby.unit_id
    # Twice is once.
    assert services.acknowledge(person=hexie_lobby, version=version, position=_lobby()) == ack
    assert Acknowledgement.objects.filter(person=hexie_lobby).count() == 1


def test_a_card_of_a_position_one_does_not_hold_is_refused_and_changes_nothing(hexie_guard, injured):
    before = footprint()
    with pytest.raises(NotAllowed):
        services.acknowledge(person=hexie_guard, version=injured.current_version, position=_lobby())
    assert footprint() == before


def test_a_plan_that_gives_the_position_no_part_is_refused(hexie_manager, library):
    from yingji.plans.models import Plan

    plan = Plan.objects.get(code="cc-call-connection")
    head = Position.objects.get(code="outlet_head")
    before = footprint()
    with pytest.raises(InvalidInput):
        services.acknowledge(person=hexie_manager, version=plan.current_version, position=head)
    assert footprint() == before


def test_a_superseded_version_cannot_be_acknowledged(hexie_lobby, injured, branch_duty, hq_duty):
    old = injured.current_version
    publish_new_version(injured, drafter=branch_duty, approver=hq_duty)
    before = footprint()
    with pytest.raises(InvalidTransition):
        services.acknowledge(person=hexie_lobby, version=old, position=_lobby())
    assert footprint() == before


def _lobby() -> Position:
    return Position.objects.get(code="lobby_manager")
