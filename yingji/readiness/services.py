"""Every write of plan readiness: acknowledging a role card, starting a quiz, handing in its answers.
Each one transaction with its audit entry; a refusal leaves nothing behind."""

import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed
from yingji.core.transitions import transition
from yingji.orgs.models import Person, Position
from yingji.plans.models import Plan, PlanVersion, VersionStatus

from . import cards, quizzes
from .models import Acknowledgement, AttemptStatus, CourseKind, QuizAttempt, Subject

TRANSITIONS = {AttemptStatus.OPEN: {AttemptStatus.SUBMITTED}, AttemptStatus.SUBMITTED: set()}


def _require_active(person: Person | None) -> Person:
    if person is None or not person.is_active:
        raise NotAllowed(_("Only a member of staff can do this."))
    return person


def acknowledge(*, person: Person, version: PlanVersion, position: Position) -> Acknowledgement:
    """The person read their card (their position's part of this version) and confirms it. Only the
    version in force can be acknowledged, only for a position the person holds and the version names;
    confirming twice keeps the first confirmation."""
    _require_active(person)
    if not person.positions.filter(pk=position.pk).exists():
        raise NotAllowed(_("You do not hold this position."))
    with transaction.atomic():
        locked = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
        if locked.status != VersionStatus.APPROVED:
            raise InvalidTransition(
                _("This version of “%(title)s” is no longer in force; read the current one.")
                % {"title": locked.title}
            )
        if not cards.names_any(locked, {position.pk}):
            raise InvalidInput(_("This plan gives the position no part."))
        found = Acknowledgement.objects.filter(person=person, version=locked, position=position).first()
        if found is not None:
            return found
        ack = Acknowledgement.objects.create(
            person=person, version=locked, position=position, acknowledged_at=clock.now()
        )
        audit.record(
            actor=person.user,
            action="readiness.acknowledge",
            obj=ack,
            unit=person.unit,
            data={"plan": locked.plan.code, "number": locked.number, "position": position.code},
        )
    return ack


def _open_attempt(person: Person, **subject) -> QuizAttempt | None:
    return QuizAttempt.objects.filter(person=person, status=AttemptStatus.OPEN, **subject).first()


def start_plan_quiz(*, person: Person, plan: Plan, seed: int | None = None) -> QuizAttempt:
    """A quiz on a plan that concerns the person, generated from its version in force. An attempt
    already open is handed back instead of a second one."""
    _require_active(person)
    version = (
        PlanVersion.objects.select_related("plan").filter(plan=plan, status=VersionStatus.APPROVED).first()
    )
    held = set(person.positions.values_list("pk", flat=True))
    if version is None or not cards.names_any(version, held):
        raise NotAllowed(_("This plan does not concern your position."))
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)
        if (found := _open_attempt(person, subject=Subject.PLAN, plan=plan)) is not None:
            return found
        seed = seed if seed is not None else secrets.randbelow(2**31)
        return _create(
            person, Subject.PLAN, quizzes.plan_quiz(version, seed), seed, plan=plan, version=version
        )


def start_course_quiz(*, person: Person, seed: int | None = None) -> QuizAttempt:
    _require_active(person)
    if not CourseKind.objects.exists():
        raise InvalidInput(_("The course is not loaded yet."))
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)
        if (found := _open_attempt(person, subject=Subject.COURSE)) is not None:
            return found
        seed = seed if seed is not None else secrets.randbelow(2**31)
        return _create(person, Subject.COURSE, quizzes.course_quiz(seed), seed)


def _create(person: Person, subject: str, questions: list[dict], seed: int, **extra) -> QuizAttempt:
    if not questions:
        raise InvalidInput(_("No questions can be made from this yet."))
    attempt = QuizAttempt.objects.create(
        person=person,
        subject=subject,
        seed=seed,
        questions=questions,
        pass_mark=settings.YINGJI_QUIZ_PASS_SCORE,
        started_at=clock.now(),
        **extra,
    )
    plan = extra.get("plan")
    audit.record(
        actor=person.user,
        action="readiness.start_quiz",
        obj=attempt,
        unit=person.unit,
        data={"plan": plan.code if plan else None, "number": extra["version"].number if plan else None},
    )
    return attempt


def parse_answers(raw: list, questions: list[dict]) -> list[int]:
    """One chosen index per question, each among that question's choices."""
    if not isinstance(raw, list) or len(raw) != len(questions):
        raise InvalidInput(_("Answer every question."))
    answers, errors = [], {}
    for n, (value, question) in enumerate(zip(raw, questions, strict=True), start=1):
        try:
            index = int(value)
        except (TypeError, ValueError):
            index = -1
        if isinstance(value, bool) or not 0 <= index < len(question["choices"]):
            errors[f"q{n}"] = _("Choose one of the answers.")
        answers.append(index)
    if errors:
        raise InvalidInput(_("Answer every question."), fields=errors)
    return answers


def submit(*, person: Person, attempt: QuizAttempt, answers: list) -> QuizAttempt:
    """Hand in the answers: scored at once against the questions the attempt was given."""
    _require_active(person)
    if attempt.person_id != person.pk:
        raise NotAllowed(_("This is someone else's quiz."))
    chosen = parse_answers(answers, attempt.questions)
    with transaction.atomic():
        transition(attempt, AttemptStatus.SUBMITTED, table=TRANSITIONS)
        attempt.answers = chosen
        attempt.score = quizzes.score(attempt.questions, chosen)
        attempt.passed = attempt.score >= attempt.pass_mark
        attempt.submitted_at = clock.now()
        attempt.save(update_fields=["answers", "score", "passed", "submitted_at"])
        audit.record(
            actor=person.user,
            action="readiness.submit_quiz",
            obj=attempt,
            unit=person.unit,
            data={
                "plan": attempt.plan.code if attempt.plan_id else None,
                "score": attempt.score,
                "passed": attempt.passed,
            },
        )
    return attempt
