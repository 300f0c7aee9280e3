"""演练前解读 (000: 内训师向全体员工解读演练预案的目的、职责分工、预想场景、处置要点及流程): its four
sections written from the drill and the plan steps it copied, then edited by people before issue; the
Word document is made from the sections as they were edited."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import documents

from .models import Briefing, Drill, ExpectedAction, Participant

# The sections in their order: (field, heading).
SECTIONS = (
    ("purpose", gettext_lazy("Purpose")),
    ("roles", gettext_lazy("Division of duties")),
    ("scenarios", gettext_lazy("Expected scenarios")),
    ("key_points", gettext_lazy("Key points and procedure")),
)


def section_headings() -> list[tuple[str, str]]:
    return [(field, str(heading)) for field, heading in SECTIONS]


def _action_line(n: int, action: ExpectedAction) -> str:
    who = action.position.name if action.position else _("everyone")
    line = f"{n}. 【{who}】{action.action}"
    if action.condition:
        line += _("(when: %s)") % action.condition
    if (deadline := action.deadline_on_clock()) is not None:
        line += _("(by %s)") % deadline.strftime("%H:%M")
    elif action.expected_minutes is not None:
        line += _("(within %s minutes)") % action.expected_minutes
    return line


def generate(drill: Drill) -> dict[str, str]:
    """The four sections from what the drill says now: its purposes; who does what (drill roles, the
    working groups and the positions the plans name); each scenario; each scenario's plan steps."""
    roles: list[str] = []
    for role, label in Participant.Role.choices:
        people = [p for p in drill.participants.all() if p.role == role]
        if people:
            names = "、".join(
                p.name
                + (
                    f"（{p.position.name}）"
                    if p.position
                    else f"（{p.organisation}）"
                    if p.organisation
                    else ""
                )
                for p in people
            )
            roles.append(f"{label}：{names}")
    for group in drill.groups:
        roles.append(f"{group['name']}：{group.get('duties', '')}")
    by_position: dict[str, list[str]] = {}
    scenarios = list(drill.scenarios.all())
    for scenario in scenarios:
        for action in scenario.expected_actions.all():
            name = action.position.name if action.position else _("everyone")
            if scenario.title not in by_position.setdefault(name, []):
                by_position[name].append(scenario.title)
    roles += [
        _("%(position)s: takes part in %(scenarios)s") % {"position": k, "scenarios": "、".join(v)}
        for k, v in by_position.items()
    ]

    scenario_lines = []
    for scenario in scenarios:
        first = next((i.text for i in drill.injects.all() if i.scenario_id == scenario.pk), "")
        text = scenario.situation or first
        start = f"（{scenario.clock_start:%H:%M}）" if scenario.clock_start else ""
        scenario_lines.append(f"{scenario.title}{start}：{text}" if text else scenario.title)

    key_points = []
    for scenario in scenarios:
        plan = scenario.snapshot.get("title", "")
        key_points.append(f"{scenario.title}" + (f"（{plan}）" if plan else ""))
        key_points += [_action_line(n, a) for n, a in enumerate(scenario.expected_actions.all(), 1)]
        key_points.append("")
    return {
        "purpose": drill.purposes,
        "roles": "\n".join(roles),
        "scenarios": "\n".join(scenario_lines),
        "key_points": "\n".join(key_points).strip(),
    }


def docx(briefing: Briefing) -> bytes:
    drill = briefing.drill
    when = drill.starts_at.strftime("%Y-%m-%d") if drill.starts_at else ""
    subtitle = " · ".join(x for x in (drill.unit.name, when, drill.place) if x)
    doc = documents.new_document(_("Briefing before the drill: %s") % drill.title, subtitle)
    for field, heading in section_headings():
        doc.add_heading(heading, level=1)
        for line in (getattr(briefing, field) or "").splitlines():
            if line.strip():
                doc.add_paragraph(line)
    if briefing.issued_at:
        documents.add_labelled(
            doc, _("Issued"), timezone.localtime(briefing.issued_at).strftime("%Y-%m-%d %H:%M")
        )
    return documents.to_bytes(doc)
