"""The organisation a plan version brings with it, as data: its leadership group, its working groups and
who approves ending the response. One place says what each shape may hold; the loader checks the
shipped fixtures with it and the services check an administrator's edits with it.

    leadership             {"leader": "<position>", "deputies": ["<position>", …], "members": [...]}
    groups                 [{"name": "综合协调小组", "leader_position": "<position> or empty",
                             "duties": "…"}]; a step names its group by `Step.group`
    termination_approvers  [{"position": "<position>", "unit": "incident" | "above" | "head_office",
                             "label": "the source's words"} or {"role": "leader", "label": "…"}];
                           empty: the incidents side applies its default (the 组长 and the unit above's
                           应急管理员)

Positions are `orgs.Position` codes. The incidents app reads these shapes as they are: change them only
together with it."""

from dataclasses import dataclass

GROUP_KEYS = {"name", "leader_position", "duties"}
GROUP_NAME_MAX = 60  # Step.group's max_length
LEADERSHIP_KEYS = {"leader", "deputies", "members"}
APPROVER_UNITS = ("incident", "above", "head_office")
APPROVER_ROLES = ("leader",)
POSITION_APPROVER_KEYS = {"position", "unit", "label"}
ROLE_APPROVER_KEYS = {"role", "label"}


def group_errors(groups: object, positions: set[str]) -> list[str]:
    if not isinstance(groups, list):
        return ["groups must be a list"]
    errors: list[str] = []
    seen: set[str] = set()
    for number, group in enumerate(groups, start=1):
        where = f"group {number}"
        if not isinstance(group, dict):
            errors.append(f"{where} must be an object")
            continue
        errors.extend(f"{where}: unknown key {key}" for key in sorted(set(group) - GROUP_KEYS))
        name = group.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{where}: needs a name")
        elif len(name) > GROUP_NAME_MAX:
            errors.append(f"{where}: name longer than {GROUP_NAME_MAX} characters")
        elif name in seen:
            errors.append(f"{where}: name {name} is used twice")
        else:
            seen.add(name)
        leader = group.get("leader_position", "")
        if leader and leader not in positions:
            errors.append(f"{where}: unknown position {leader}")
        if not isinstance(group.get("duties", ""), str):
            errors.append(f"{where}: duties must be text")
    return errors


def leadership_errors(leadership: object, positions: set[str]) -> list[str]:
    if not isinstance(leadership, dict):
        return ["leadership must be an object"]
    if not leadership:
        return []
    errors = [f"leadership: unknown key {key}" for key in sorted(set(leadership) - LEADERSHIP_KEYS)]
    if leadership.get("leader") not in positions:
        errors.append(f"leadership: unknown leader position {leadership.get('leader')}")
    for key in ("deputies", "members"):
        codes = leadership.get(key, [])
        if not isinstance(codes, list):
            errors.append(f"leadership: {key} must be a list")
            continue
        errors.extend(f"leadership: unknown {key} position {code}" for code in codes if code not in positions)
    return errors


def approver_errors(approvers: object, positions: set[str]) -> list[str]:
    if not isinstance(approvers, list):
        return ["termination_approvers must be a list"]
    errors: list[str] = []
    for number, approver in enumerate(approvers, start=1):
        where = f"termination approver {number}"
        if not isinstance(approver, dict):
            errors.append(f"{where} must be an object")
            continue
        if not isinstance(approver.get("label"), str) or not approver["label"].strip():
            errors.append(f"{where}: needs a label (the source's words)")
        if "role" in approver:
            errors.extend(f"{where}: unknown key {key}" for key in sorted(set(approver) - ROLE_APPROVER_KEYS))
            if approver["role"] not in APPROVER_ROLES:
                errors.append(f"{where}: unknown role {approver['role']}")
            continue
        errors.extend(f"{where}: unknown key {key}" for key in sorted(set(approver) - POSITION_APPROVER_KEYS))
        if approver.get("position") not in positions:
            errors.append(f"{where}: unknown position {approver.get('position')}")
        if approver.get("unit") not in APPROVER_UNITS:
            errors.append(f"{where}: unit must be one of {', '.join(APPROVER_UNITS)}")
    return errors


def group_names(groups: list[dict]) -> list[str]:
    return [g["name"] for g in groups]


def groups_as_lines(groups: list[dict]) -> str:
    """The working groups as an administrator edits them: one a line, 名称：职责."""
    return "\n".join(f"{g['name']}：{g.get('duties', '')}" if g.get("duties") else g["name"] for g in groups)


def groups_from_lines(text: str, *, before: list[dict]) -> list[dict]:
    """Lines of 名称：职责 (either colon) back into groups. A group keeps the leader position it had under
    the same name; the lines do not carry it."""
    leaders = {g["name"]: g.get("leader_position", "") for g in before}
    groups = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        name, _colon, duties = line.replace(":", "：", 1).partition("：")
        name = name.strip()
        groups.append({"name": name, "leader_position": leaders.get(name, ""), "duties": duties.strip()})
    return groups


@dataclass(frozen=True)
class Approver:
    """One termination approver as a reader sees it: the source's words, and whom the product asks."""

    label: str
    role: str  # "leader" or ""
    position: str  # a position code or ""
    unit: str  # "incident", "above", "head_office" or ""


def approvers(data: list[dict]) -> list[Approver]:
    return [
        Approver(
            label=a.get("label", ""),
            role=a.get("role", ""),
            position=a.get("position", ""),
            unit=a.get("unit", ""),
        )
        for a in data
    ]
