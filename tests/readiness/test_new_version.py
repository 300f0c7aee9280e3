"""Publishing a new version of a plan asks the people it concerns to acknowledge again, and lowers their
unit's readiness until they do (issue 21, "Tests that must exist")."""

from django.urls import reverse

from yingji.orgs.models import Unit
from yingji.readiness import cards, selectors, services
from yingji.readiness.figures import year_figures

from .conftest import publish_new_version


def make_ready(person) -> None:
    """Everything a person must do: confirm each card, pass each plan's quiz (the right answers)."""
    for card in cards.cards_for(person):
        services.acknowledge(person=person, version=card.version, position=card.position)
    for entry in selectors.my_plans(person):
        attempt = services.start_plan_quiz(person=person, plan=entry.plan, seed=1)
        services.submit(person=person, attempt=attempt, answers=[q["answer"] for q in attempt.questions])


def _row(unit, person):
    return next(r for r in selectors.people_readiness(unit) if r.person_id == person.pk)


def test_a_new_version_asks_again_and_lowers_readiness_until_acknowledged(
    client, hexie_lobby, hexie_guard, injured, branch_duty, hq_duty
):
    outlet = Unit.objects.get(code="JN0101")
    make_ready(hexie_lobby)
    make_ready(hexie_guard)
    before = selectors.summary(outlet)
    assert _row(outlet, hexie_lobby).ready and _row(outlet, hexie_guard).ready

    new = publish_new_version(injured, drafter=branch_duty, approver=hq_duty, note="补充报告时限")

    # Both the lobby manager and the guard have a part in 客户意外受伤: both are asked again.
    lobby = next(p for p in selectors.my_plans(hexie_lobby) if p.plan == injured)
    assert lobby.version == new and lobby.cards_due == 1
    assert lobby.cards[0].earlier_version == new.number - 1
    assert not _row(outlet, hexie_lobby).ready and not _row(outlet, hexie_guard).ready
    after = selectors.summary(outlet)
    assert after.ready == before.ready - 2 and after.cards_due == before.cards_due + 2
    assert year_figures(outlet, 2026)["acknowledgements_due"] == after.cards_due

    client.force_login(hexie_lobby.user)
    page = client.get(reverse("readiness:mine")).content.decode()
    assert f"现行为第 {new.number} 版，请阅读后重新确认" in page

    # Confirming the new card restores the lobby manager; the quiz passed before still counts.
    card = next(c for c in cards.cards_for(hexie_lobby) if c.plan == injured)
    response = client.post(reverse("readiness:acknowledge", args=[new.pk, "lobby_manager"]))
    assert response.status_code == 302
    assert card.version == new and _row(outlet, hexie_lobby).ready
    assert selectors.summary(outlet).ready == after.ready + 1
