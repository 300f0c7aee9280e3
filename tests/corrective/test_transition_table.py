"""Whatever people click, in whatever order, a corrective action only ever moves along TRANSITIONS: a
move the table does not list is refused with InvalidTransition and changes nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.core.errors import InvalidTransition
from yingji.corrective import services
from yingji.corrective.models import TRANSITIONS, VERIFYING, CorrectiveAction, Rating, Status

pytestmark = pytest.mark.django_db


def _verify(rating: str):
    def call(action, owner, head):
        return services.verify(actor=head, action=action, by_source="演练", rating=rating)

    return call


# Each call and the status it aims for (a verification with M or U aims back at "open").
CALLS = {
    "start": lambda a, owner, head: services.start(actor=owner, action=a),
    "complete": lambda a, owner, head: services.complete(actor=owner, action=a, evidence="已整改"),
    "cancel": lambda a, owner, head: services.cancel(actor=head, action=a, reason="重复"),
    **{f"verify_{r}": _verify(r) for r in Rating.values},
}
TARGET = {"start": Status.IN_PROGRESS, "complete": Status.DONE, "cancel": Status.CANCELLED}
TARGET |= {f"verify_{r}": Status.VERIFIED if r in VERIFYING else Status.OPEN for r in Rating.values}
REACHABLE = {Status.OPEN} | {s for targets in TRANSITIONS.values() for s in targets}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.sampled_from(sorted(CALLS)), max_size=12))
def test_no_sequence_of_calls_reaches_an_unlisted_state(finding, hexie_manager, hexie_lobby, now, calls):
    action = services.open_action(
        actor=hexie_manager, findings=[finding()], owner=hexie_lobby, text="铺防滑垫。"
    )
    for name in calls:
        before = CorrectiveAction.objects.get(pk=action.pk).status
        events = action.events.count()
        try:
            CALLS[name](action, hexie_lobby, hexie_manager)
        except InvalidTransition:
            assert TARGET[name] not in TRANSITIONS.get(before, ())
            assert CorrectiveAction.objects.get(pk=action.pk).status == before
            assert action.events.count() == events
        else:
            after = CorrectiveAction.objects.get(pk=action.pk).status
            assert after == TARGET[name] and after in TRANSITIONS[before]
        assert CorrectiveAction.objects.get(pk=action.pk).status in REACHABLE
