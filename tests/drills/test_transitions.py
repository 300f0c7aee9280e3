"""A drill's life in one table: planned → briefed → running ⇄ paused → ended → reported, and cancelled
before it runs. Any other move is refused and changes nothing."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.core.errors import InvalidTransition
from yingji.core.transitions import allowed, transition
from yingji.drills.models import TRANSITIONS, Drill, Status

STATUSES = list(Status)


def test_the_table_names_every_status_and_ends_in_reported_or_cancelled():
    assert set(TRANSITIONS) == set(Status)
    assert TRANSITIONS[Status.REPORTED] == set() and TRANSITIONS[Status.CANCELLED] == set()
    assert Status.CANCELLED not in TRANSITIONS[Status.RUNNING]  # a running drill ends, it is not cancelled
    assert TRANSITIONS[Status.RUNNING] == {Status.PAUSED, Status.ENDED}
    assert TRANSITIONS[Status.PAUSED] == {Status.RUNNING, Status.ENDED}


@pytest.mark.django_db
# Each example starts from a planned drill again (the status is reset first), so sharing the fixture is safe.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.sampled_from(STATUSES), min_size=1, max_size=8))
def test_a_drill_moves_only_as_the_table_allows(plan_drill, moves):
    drill = plan_drill
    Drill.objects.filter(pk=drill.pk).update(status=Status.PLANNED)
    drill.refresh_from_db()
    for target in moves:
        current = drill.status
        with transaction.atomic():
            if allowed(TRANSITIONS, current, target):
                assert transition(drill, target, table=TRANSITIONS) == current
            else:
                with pytest.raises(InvalidTransition):
                    transition(drill, target, table=TRANSITIONS)
        assert Drill.objects.get(pk=drill.pk).status == drill.status
