"""Reads of plan readiness, always from the unit a viewer sees.

A person is concerned by a plan when one of their positions is named in its current version; they are
ready for it with an acknowledgement of every card they hold in that version and a passed quiz of the
plan (any attempt: a new version asks for the cards again, not for the quiz). A person is ready when
they are ready for every plan that concerns them. Staff whom no plan concerns are not counted.

The figures of a subtree cost five queries whatever its size: the library's positions (two), the people
and their positions, the acknowledgements of current versions, the passed quizzes."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from yingji.core.errors import NotVisible
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit
from yingji.plans.models import VersionStatus

from . import cards
from .models import Acknowledgement, QuizAttempt, Subject


@dataclass
class PlanState:
    plan: cards.Current
    cards_due: int  # cards of the current version not acknowledged
    quiz_passed: bool

    @property
    def ready(self) -> bool:
        return not self.cards_due and self.quiz_passed


@dataclass
class PersonReadiness:
    person_id: int
    name: str
    unit_id: int
    unit_path: str
    unit_name: str
    plans: list[PlanState] = field(default_factory=list)

    @property
    def concerned(self) -> bool:
        return bool(self.plans)

    @property
    def ready(self) -> bool:
        return self.concerned and all(p.ready for p in self.plans)

    @property
    def cards_due(self) -> int:
        return sum(p.cards_due for p in self.plans)

    @property
    def quizzes_missing(self) -> int:
        return sum(1 for p in self.plans if not p.quiz_passed)


@dataclass
class Summary:
    concerned: int = 0
    ready: int = 0
    cards_due: int = 0

    @property
    def percent(self) -> int | None:
        return None if not self.concerned else int(100 * self.ready / self.concerned)

    def add(self, row: PersonReadiness) -> None:
        if row.concerned:
            self.concerned += 1
            self.ready += row.ready
            self.cards_due += row.cards_due


def staff_of(root: Unit) -> QuerySet[Person]:
    """Active staff of the unit and every unit below it."""
    return Person.objects.filter(unit__path__startswith=root.path, user__is_active=True, unit__is_active=True)


def people_readiness(root: Unit, library: dict[int, cards.Current] | None = None) -> list[PersonReadiness]:
    """Each active person of the subtree with their state for every plan that concerns them."""
    library = library if library is not None else cards.concerns()
    staff = staff_of(root)
    people = {
        pk: PersonReadiness(pk, name, unit_id, path, unit_name)
        for pk, name, unit_id, path, unit_name in staff.order_by("unit__path", "name").values_list(
            "pk", "name", "unit_id", "unit__path", "unit__name"
        )
    }
    held: dict[int, set[int]] = {}
    for person_id, position_id in Person.positions.through.objects.filter(person__in=staff).values_list(
        "person_id", "position_id"
    ):
        held.setdefault(person_id, set()).add(position_id)
    acknowledged = set(
        Acknowledgement.objects.filter(person__in=staff, version__status=VersionStatus.APPROVED).values_list(
            "person_id", "version_id", "position_id"
        )
    )
    passed = set(
        QuizAttempt.objects.filter(person__in=staff, subject=Subject.PLAN, passed=True).values_list(
            "person_id", "plan_id"
        )
    )
    for pk, row in people.items():
        mine = held.get(pk, set())
        for plan in library.values():
            named = plan.positions & mine
            if not named:
                continue
            due = sum(1 for position_id in named if (pk, plan.version_id, position_id) not in acknowledged)
            row.plans.append(PlanState(plan, due, (pk, plan.plan_id) in passed))
    return list(people.values())


def summary(root: Unit) -> Summary:
    total = Summary()
    for row in people_readiness(root):
        total.add(row)
    return total


def by_child(root: Unit, rows: list[PersonReadiness] | None = None) -> list[tuple[Unit, Summary]]:
    """The root itself (its own staff) and each active unit directly below it (its whole subtree), for
    the units with staff concerned; `rows` when the caller already has the subtree's."""
    children = list(Unit.objects.filter(path__startswith=root.path, depth=root.depth + 1, is_active=True))
    width = len(root.path) + Unit.steplen
    lines: dict[str, tuple[Unit, Summary]] = {root.path: (root, Summary())}
    lines |= {c.path: (c, Summary()) for c in sorted(children, key=lambda u: u.path)}
    for row in rows if rows is not None else people_readiness(root):
        key = row.unit_path[:width] if len(row.unit_path) > len(root.path) else root.path
        if key in lines:
            lines[key][1].add(row)
    return [(unit, s) for unit, s in lines.values() if s.concerned]


@dataclass
class CardState:
    card: cards.Card
    acknowledged_at: object = None  # a datetime, or None
    earlier_version: int | None = None  # the number of an older version the person acknowledged


@dataclass
class MyPlan:
    """A plan that concerns the person: their cards in its version in force, and their quiz."""

    plan: object
    version: object
    cards: list[CardState]
    passed: QuizAttempt | None  # the best passed attempt
    last: QuizAttempt | None  # the latest handed-in attempt
    open: QuizAttempt | None  # an attempt being answered

    @property
    def cards_due(self) -> int:
        return sum(1 for c in self.cards if c.acknowledged_at is None)

    @property
    def ready(self) -> bool:
        return not self.cards_due and self.passed is not None


def my_plans(person: Person) -> list[MyPlan]:
    """The person's cards grouped by plan, with what they acknowledged and their quizzes."""
    found = cards.cards_for(person)
    plan_ids = {c.plan.pk for c in found}
    acks = list(
        Acknowledgement.objects.filter(person=person, version__plan_id__in=plan_ids).values_list(
            "version_id", "version__plan_id", "version__number", "position_id", "acknowledged_at"
        )
    )
    current = {(v, p): at for v, _plan, _n, p, at in acks}
    earlier: dict[tuple[int, int], int] = {}
    for _v, plan_id, number, position_id, _at in acks:
        earlier[(plan_id, position_id)] = max(number, earlier.get((plan_id, position_id), 0))
    attempts = list(
        QuizAttempt.objects.filter(person=person, subject=Subject.PLAN, plan_id__in=plan_ids).order_by(
            "-started_at", "-pk"
        )
    )
    out: dict[int, MyPlan] = {}
    for card in found:
        entry = out.get(card.plan.pk)
        if entry is None:
            mine = [a for a in attempts if a.plan_id == card.plan.pk]
            passed = max((a for a in mine if a.passed), key=lambda a: a.score or 0, default=None)
            last = next((a for a in mine if a.submitted_at), None)
            opened = next((a for a in mine if a.status == "open"), None)
            entry = out[card.plan.pk] = MyPlan(card.plan, card.version, [], passed, last, opened)
        at = current.get((card.version.pk, card.position.pk))
        older = earlier.get((card.plan.pk, card.position.pk))
        entry.cards.append(
            CardState(card, at, older if at is None and older and older < card.version.number else None)
        )
    return list(out.values())


def course_attempts(person: Person) -> list[QuizAttempt]:
    return list(
        QuizAttempt.objects.filter(person=person, subject=Subject.COURSE).order_by("-started_at", "-pk")
    )


def attempt_for(*, viewer, pk: int) -> QuizAttempt:
    """An attempt is its person's own: anyone else is answered as if it did not exist."""
    person = visibility.person_of(viewer)
    found = (
        QuizAttempt.objects.select_related("plan", "version", "person").filter(pk=pk, person=person).first()
        if person is not None
        else None
    )
    if found is None:
        raise NotVisible()
    return found
