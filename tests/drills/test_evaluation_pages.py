"""The evaluation page as its users see it: an evaluator rates from their phone during the run, the
lead evaluator concludes, a finding lands in the register; who is not an evaluator gets no rating form."""

import pytest
from django.urls import reverse

from yingji.corrective.models import Finding
from yingji.drills.models import ActionRating, Participant, Status

from .test_evaluation import _action, _briefed_drill, _lead, _person, _run_with_log


@pytest.fixture
def running(library, now):
    drill = _briefed_drill()
    _run_with_log(drill, now, log_after_minutes=3)
    return drill


@pytest.fixture
def now():
    from django.utils import timezone

    from yingji.core import clock

    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


def test_an_evaluator_rates_an_action_from_the_page(client, running):
    client.force_login(_person("hexie_president").user)
    page = client.get(reverse("drills:evaluation", args=[running.pk]))
    assert page.status_code == 200
    assert "data-yj-rate-form" in page.content.decode()
    assert "王大堂" in page.content.decode()  # who took the action, and when

    answer = client.post(
        reverse("drills:rate_action", args=[running.pk, _action(running).pk]), {"rating": "S", "note": "稍慢"}
    )

    assert answer.status_code == 302
    assert ActionRating.objects.get().rating == "S"
    assert "刘和谐 S" in client.get(reverse("drills:evaluation", args=[running.pk])).content.decode()


def test_a_player_sees_the_evaluation_but_cannot_rate(client, running):
    client.force_login(_person("hexie_lobby").user)
    page = client.get(reverse("drills:evaluation", args=[running.pk]))
    assert page.status_code == 200 and "data-yj-rate-form" not in page.content.decode()
    answer = client.post(
        reverse("drills:rate_action", args=[running.pk, _action(running).pk]), {"rating": "P"}
    )
    assert answer.status_code == 403 and not ActionRating.objects.exists()


def test_another_sub_branchs_staff_cannot_open_it(client, running):
    client.force_login(_person("plaza_manager").user)  # 和谐广场网点: not taking part
    assert client.get(reverse("drills:evaluation", args=[running.pk])).status_code == 404


def test_the_lead_evaluator_records_a_finding_and_concludes(client, running):
    admin, president = _person("hexie_admin").user, _person("hexie_president").user
    from yingji.drills import evaluating, services

    evaluating.rate_action(actor=president, expected_action=_action(running), rating="U")
    services.end_run(actor=admin, drill=running)
    _lead(running)
    client.force_login(president)
    page = client.get(reverse("drills:evaluation", args=[running.pk])).content.decode()
    assert "data-yj-proposed" in page

    client.post(
        reverse("drills:add_finding", args=[running.pk]),
        {
            "expected_action": _action(running).pk,
            "grade": "deficiency",
            "category": "procedure",
            "text": "未能报告支行",
        },
    )
    objective = running.objectives.get()
    client.post(reverse("drills:rate_objective", args=[running.pk, objective.pk]), {"rating": "U"})
    client.post(reverse("drills:conclude", args=[running.pk]))

    running.refresh_from_db()
    assert Finding.objects.get().text == "未能报告支行"
    assert running.status == Status.EVALUATED
    page = client.get(reverse("drills:evaluation", args=[running.pk])).content.decode()
    assert "0.0" in page and "不合格" in page
    assert Participant.objects.filter(drill=running, role="evaluator").count() == 2


def test_a_weakness_seen_in_an_earlier_drill_is_counted_on_the_page(client, library, now):
    from yingji.drills import evaluating

    from .test_evaluation import _ended_with_rating

    for title in ("第三季度演练", "第四季度演练"):
        drill = _briefed_drill(title)
        _ended_with_rating(drill, now, "U")
        evaluating.record_drill_finding(
            actor=_person("hexie_admin").user,
            drill=drill,
            expected_action=_action(drill),
            category="skills",
            grade="rectification",
            text="大堂经理不会使用急救箱",
        )
    client.force_login(_person("hexie_admin").user)
    page = client.get(reverse("drills:evaluation", args=[drill.pk])).content.decode()
    assert "已出现 2 次" in page


def test_the_planner_marks_an_action_not_critical_so_a_u_proposes_nothing(client, library, now):
    drill = _briefed_drill()
    drill.status = Status.PLANNED  # still being planned
    drill.save(update_fields=["status"])
    client.force_login(_person("hexie_admin").user)
    assert "data-yj-critical" in client.get(drill.get_absolute_url()).content.decode()

    client.post(reverse("drills:mark_critical", args=[drill.pk, _action(drill).pk]), {"critical": "0"})

    assert _action(drill).critical is False
    assert "data-yj-critical" not in client.get(drill.get_absolute_url()).content.decode()
