"""The demo bank's plan readiness (issue 21's demo): 江南分行's staff have read and confirmed their role
cards and passed the quizzes of the plans that concern them, except at 和谐路营业部 (JN0101), where the
teller 何柜员 has done neither and the guard 施保安 failed one quiz, so that outlet's readiness is below
100 %. Made through the services, as staff would; called by `load_demo` after the bank, its people and
the plan library exist. Twice adds nothing."""

from django.conf import settings
from django.db import transaction
from django.utils import translation

from yingji.orgs.models import Person, Unit
from yingji.plans.models import Plan, PlanVersion

from . import cards, course, services
from .models import Acknowledgement

BRANCH = "JN"
NOT_STARTED = "hexie_teller"
FAILED_ONE = "hexie_guard"


def load_demo_readiness() -> dict[str, int]:
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _load()


def _load() -> dict[str, int]:
    course.load()
    branch = Unit.objects.filter(code=BRANCH).first()
    done = {"acknowledgements": 0, "quizzes": 0}
    if branch is None or not PlanVersion.objects.filter(status="approved").exists():
        return done
    staff = list(
        Person.objects.filter(unit__path__startswith=branch.path, user__is_active=True)
        .select_related("user", "unit")
        .prefetch_related("positions")
        .order_by("unit__path", "pk")
    )
    if Acknowledgement.objects.filter(person__in=staff).exists():
        return done
    plans = {p.pk: p for p in Plan.objects.all()}
    library = cards.concerns()
    for person in staff:
        username = person.user.get_username()
        if username == NOT_STARTED:
            continue
        failed = False
        for card in cards.cards_for(person):
            services.acknowledge(person=person, version=card.version, position=card.position)
            done["acknowledgements"] += 1
        for plan_id in (c.plan_id for c in library.values() if _concerns(c, person)):
            attempt = services.start_plan_quiz(person=person, plan=plans[plan_id], seed=plan_id)
            answers = [q["answer"] for q in attempt.questions]
            if username == FAILED_ONE and not failed:
                answers = [
                    (a + 1) % len(q["choices"]) for a, q in zip(answers, attempt.questions, strict=True)
                ]
                failed = True
            services.submit(person=person, attempt=attempt, answers=answers)
            done["quizzes"] += 1
    return done


def _concerns(current: cards.Current, person: Person) -> bool:
    return bool(current.positions & {p.pk for p in person.positions.all()})
