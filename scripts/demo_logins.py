"""Print the demo logins that `manage.py load_demo` creates, read from yingji/orgs/demo.py."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from yingji.orgs.demo import NAMED_USERS, PEOPLE, UNITS  # noqa: E402
from yingji.orgs.models import UnitType  # noqa: E402
from yingji.orgs.positions import POSITIONS  # noqa: E402


def describe(username: str) -> str:
    if username == "admin":
        return "系统管理员（超级用户），不属于任何单位，看全行"
    units = {code: (parent, name, kind) for code, parent, name, kind, _addr, _phone in UNITS}
    positions = {code: name for code, name, _en, _head in POSITIONS}
    _user, unit_code, name, _mobile, codes = next(p for p in PEOPLE if p[0] == username)
    parent, unit_name, kind = units[unit_code]
    # A department acts for the unit it belongs to (Unit.acting_unit).
    acting = parent if kind == UnitType.DEPARTMENT and parent else unit_code
    if units[acting][0] is None:
        scope = "看全行"
    elif any(p == acting for p, *_ in units.values()):
        scope = f"看{units[acting][1]}及其下级单位"
    else:
        scope = f"只看{units[acting][1]}"
    if kind == UnitType.DEPARTMENT and parent and not unit_name.startswith(units[parent][1]):
        unit_name = units[parent][1] + unit_name  # 办公室 → 总行办公室
    return f"{name} · {unit_name} · {'、'.join(positions[c] for c in codes)}，{scope}"


def main() -> None:
    print("演示账号 Demo logins:")
    width = max(len(u) for u in NAMED_USERS)
    for username in NAMED_USERS:
        print(f"  {username:<{width}} {describe(username)}")
    print(f"  密码 Password: {settings.DEMO_PASSWORD}")


if __name__ == "__main__":
    main()
