"""Quizzes generated from the plan library and from the course: multiple choice, one right answer each.

Generation is deterministic: the same plan version (or course) and seed give the same questions, choices
and answers, so a known answer sheet always scores the same. Four kinds of question come from a plan —
which position performs a step, which of some steps comes first, a reporting time limit, and the level
of an event from its facts (computed by the library's own classification rules, so the answer is the
one an incident would get) — and two from the course (the kind a cause leads to, the kind a response
point answers). A question is a plain dict kept with the attempt:
``{"kind": …, "text": …, "choices": [...], "answer": <index of the right choice>}``."""

import random
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from yingji.notify import rulebook
from yingji.notify.models import NotificationRule
from yingji.orgs.models import Position
from yingji.plans.classify import classify
from yingji.plans.models import Fact, Level, LevelRule, PlanVersion, Step

from .models import CourseKind

POSITION, ORDER, TIME_LIMIT, LEVEL = "position", "order", "time_limit", "level"
CAUSE, POINT = "cause", "point"
PLAN_KINDS = (POSITION, ORDER, TIME_LIMIT, LEVEL)
CHOICES = 4
ACTION_CHARS = 60


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ACTION_CHARS else text[: ACTION_CHARS - 1] + "…"


def _question(kind: str, text: str, right: str, wrong: list[str], rng: random.Random) -> dict | None:
    """Up to three wrong choices besides the right one, shuffled; None without any wrong choice."""
    wrong = [w for w in dict.fromkeys(wrong) if w != right]
    if not wrong:
        return None
    choices = [right, *rng.sample(wrong, min(CHOICES - 1, len(wrong)))]
    rng.shuffle(choices)
    return {"kind": kind, "text": text, "choices": choices, "answer": choices.index(right)}


def _position_questions(title: str, steps: list[Step], rng: random.Random) -> list[dict]:
    names = [s.position.name for s in steps]
    others = list(Position.objects.order_by("sort_order").values_list("name", flat=True))
    out = []
    for step in steps:
        # A wrong choice may not be any position the plan gives the same action to.
        same = {s.position.name for s in steps if s.action.strip() == step.action.strip()}
        wrong = [n for n in [*names, *others] if n not in same]
        wrong = list(dict.fromkeys(wrong))[: CHOICES * 3]
        text = _("In “%(plan)s”, which position does this: “%(action)s”?") % {
            "plan": title,
            "action": _short(step.action),
        }
        if q := _question(POSITION, text, step.position.name, wrong, rng):
            out.append(q)
    return out


def _order_questions(title: str, steps: list[Step], rng: random.Random) -> list[dict]:
    distinct = list({_short(s.action): s for s in reversed(steps)}.values())  # the first of equal texts
    if len(distinct) < 2:
        return []
    out = []
    for _round in range(3):
        picked = rng.sample(distinct, min(CHOICES, len(distinct)))
        first = min(picked, key=lambda s: s.order)
        text = _("In “%(plan)s”, which of these steps comes first?") % {"plan": title}
        q = _question(ORDER, text, _short(first.action), [_short(s.action) for s in picked], rng)
        if q:
            out.append(q)
    return out


def _minutes_wrong(right: int) -> list[str]:
    candidates = [right // 2, right * 2, right + 30, right + 10, max(right - 10, 0), right * 3, 120, 5]
    return [str(n) for n in candidates if n > 0 and n != right]


def _time_questions(version: PlanVersion, steps: list[Step], rng: random.Random) -> list[dict]:
    out = []
    for step in steps:
        if step.timing == "within" and step.minutes:
            text = _("In “%(plan)s”, within how many minutes must this be done: “%(action)s”?") % {
                "plan": version.title,
                "action": _short(step.action),
            }
            if q := _question(TIME_LIMIT, text, str(step.minutes), _minutes_wrong(step.minutes), rng):
                out.append(q)
    rules = rulebook.current()
    for kind in version.plan.kinds.all():
        try:
            rule = rules.rule_for(kind.default_level)
        except NotificationRule.DoesNotExist:
            continue
        minutes = rule.late_report_minutes
        text = _(
            "“%(kind)s” is a %(level)s event. Within how many minutes of the event must the first report "
            "be made (later is 缓报)?"
        ) % {"kind": kind.name, "level": Level(kind.default_level).label}
        if q := _question(TIME_LIMIT, text, str(minutes), _minutes_wrong(minutes), rng):
            out.append(q)
    return out


def _fact_value(rule: LevelRule) -> object:
    if rule.fact == Fact.MEDIA_EXPOSURE:
        return True
    if rule.fact == Fact.AMOUNT_YUAN:
        return rule.threshold
    return int(rule.threshold)


def _fact_text(fact: str, value: object) -> str:
    if value is True:
        return _("%(fact)s: yes") % {"fact": Fact(fact).label}
    if isinstance(value, Decimal):
        value = f"{value.normalize():f}"
    return f"{Fact(fact).label}：{value}"


def _level_questions(version: PlanVersion, rng: random.Random) -> list[dict]:
    labels = {value: str(label) for value, label in Level.choices}
    book = rulebook.current()  # the level rules in memory, as incidents classify with them
    out = []
    for kind in version.plan.kinds.all():
        rules = book.rules_for(kind)
        facts_list: list[dict] = [{}]
        facts_list += [{r.fact: _fact_value(r)} for r in sorted(rules, key=lambda r: r.code)]
        facts = rng.choice(facts_list)
        level = classify(kind, facts, rules).level
        if facts:
            ((fact, value),) = facts.items()
            text = _("A “%(kind)s” event is reported with %(facts)s. What level is it?") % {
                "kind": kind.name,
                "facts": _fact_text(fact, value),
            }
        else:
            text = _("A “%(kind)s” event is reported with nothing that aggravates it. What level is it?") % {
                "kind": kind.name
            }
        right = labels[level]
        q = _question(LEVEL, text, right, [v for v in labels.values() if v != right], rng)
        if q:
            q["choices"] = [labels[v] for v in Level.values]  # always Ⅰ, Ⅱ, Ⅲ in that order
            q["answer"] = q["choices"].index(right)
            out.append(q)
    return out


def _pick(pools: dict[str, list[dict]], count: int, rng: random.Random) -> list[dict]:
    """One question of each kind that has any (in the kinds' order), then the rest drawn from all."""
    chosen = []
    for kind in pools:
        if pools[kind] and len(chosen) < count:
            chosen.append(pools[kind].pop(rng.randrange(len(pools[kind]))))
    rest = [q for kind in pools for q in pools[kind]]
    rng.shuffle(rest)
    chosen += rest[: max(0, count - len(chosen))]
    return chosen


def plan_quiz(version: PlanVersion, seed: int, count: int | None = None) -> list[dict]:
    """The questions of a plan version's quiz for this seed."""
    count = count or settings.YINGJI_QUIZ_QUESTIONS
    rng = random.Random(f"plan:{version.plan.code}:{version.number}:{seed}")
    steps = list(version.steps.select_related("position").order_by("order"))
    pools = {
        POSITION: _position_questions(version.title, steps, rng),
        ORDER: _order_questions(version.title, steps, rng),
        TIME_LIMIT: _time_questions(version, steps, rng),
        LEVEL: _level_questions(version, rng),
    }
    return _pick(pools, count, rng)


def course_quiz(seed: int, count: int | None = None) -> list[dict]:
    """The course's questions for this seed: which kind a cause leads to, which kind a point answers."""
    count = count or settings.YINGJI_QUIZ_QUESTIONS
    rng = random.Random(f"course:{seed}")
    kinds = list(CourseKind.objects.order_by("sort_order", "code"))
    names = [k.name for k in kinds]
    pools: dict[str, list[dict]] = {CAUSE: [], POINT: []}
    for kind in kinds:
        wrong = [n for n in names if n != kind.name]
        for cause in kind.causes:
            text = _("Which kind of outlet emergency does this cause lead to: “%(cause)s”?") % {
                "cause": cause
            }
            if q := _question(CAUSE, text, kind.name, wrong, rng):
                pools[CAUSE].append(q)
        for point in kind.points:
            text = _("Which kind of outlet emergency is this response point for: “%(point)s”?") % {
                "point": point
            }
            if q := _question(POINT, text, kind.name, wrong, rng):
                pools[POINT].append(q)
    return _pick(pools, count, rng)


def score(questions: list[dict], answers: list[int]) -> int:
    """Percent of the questions answered right, rounded down."""
    if not questions:
        return 0
    right = sum(1 for q, a in zip(questions, answers, strict=True) if a == q["answer"])
    return 100 * right // len(questions)
