"""The warning rules the product ships (004 第二、七、十三条; 001 第二条 客流激增, 叫号机故障). Only the
60-minute outage is the seed's; every other number is 本行设定 from the settings, marked as such, and
head office's 应急管理员 change them on the rules page. Loading twice adds nothing."""

from django.conf import settings
from django.db import transaction

from yingji.core import clock
from yingji.orgs.models import UnitType
from yingji.plans.models import EventKind

from .models import Measure, RuleAction, WarningLevel, WarningRule


def shipped() -> list[dict]:
    s = settings
    return [
        {
            "name": f"接通率低于{s.YINGJI_SIGNAL_ANSWER_RATE_PCT}%",
            "measure": Measure.ANSWER_RATE,
            "unit_type": UnitType.CALL_CENTRE,
            "threshold": s.YINGJI_SIGNAL_ANSWER_RATE_PCT,
            "level": WarningLevel.YELLOW,
            "action": RuleAction.PROPOSE,
            "kind": "cc_call_connection",
            "reach": UnitType.HEAD_OFFICE,
            "source_note": "004第二条（四）、第十三条：接通率严重异常；阈值为本行设定",
        },
        {
            "name": f"服务水平低于{s.YINGJI_SIGNAL_SERVICE_LEVEL_PCT}%",
            "measure": Measure.SERVICE_LEVEL,
            "unit_type": UnitType.CALL_CENTRE,
            "threshold": s.YINGJI_SIGNAL_SERVICE_LEVEL_PCT,
            "level": WarningLevel.YELLOW,
            "action": RuleAction.PROPOSE,
            "kind": "cc_call_connection",
            "reach": UnitType.HEAD_OFFICE,
            "source_note": "004第二条（四）、第十三条：服务水平严重异常；阈值为本行设定",
        },
        {
            "name": "客服系统中断60分钟",
            "measure": Measure.SYSTEM_DOWN,
            "unit_type": UnitType.CALL_CENTRE,
            "for_minutes": 60,
            "level": WarningLevel.RED,
            "action": RuleAction.OPEN_INCIDENT,
            "kind": "cc_call_connection",
            "reach": UnitType.HEAD_OFFICE,
            "bank_own": False,
            "source_note": "004第二条：系统无法正常运行超过60分钟为突发金融事件",
        },
        {
            "name": "网点业务系统中断60分钟",
            "measure": Measure.SYSTEM_DOWN,
            "unit_type": UnitType.OUTLET,
            "for_minutes": 60,
            "level": WarningLevel.RED,
            "action": RuleAction.OPEN_INCIDENT,
            "kind": "it_system_failure",
            "reach": UnitType.BRANCH,
            "bank_own": False,
            "source_note": "001第二条（二）1、第五条：单个营业网点业务系统故障；60分钟取自004第二条",
        },
        {
            "name": f"排队超过{s.YINGJI_SIGNAL_QUEUE_PEOPLE}人",
            "measure": Measure.QUEUE_LENGTH,
            "unit_type": UnitType.OUTLET,
            "threshold": s.YINGJI_SIGNAL_QUEUE_PEOPLE,
            "level": WarningLevel.YELLOW,
            "action": RuleAction.PROPOSE,
            "kind": "crowd_surge",
            "reach": UnitType.SUB_BRANCH,
            "source_note": "001第二条（三）4：营业网点客流激增；阈值为本行设定",
        },
        {
            "name": f"最长等候超过{s.YINGJI_SIGNAL_WAIT_MINUTES}分钟",
            "measure": Measure.LONGEST_WAIT,
            "unit_type": UnitType.OUTLET,
            "threshold": s.YINGJI_SIGNAL_WAIT_MINUTES,
            "level": WarningLevel.ORANGE,
            "action": RuleAction.PROPOSE,
            "kind": "crowd_surge",
            "reach": UnitType.SUB_BRANCH,
            "source_note": "001第二条（三）4：营业网点客流激增；阈值为本行设定",
        },
        {
            "name": f"叫号机故障{s.YINGJI_SIGNAL_QUEUE_MACHINE_MINUTES}分钟",
            "measure": Measure.QUEUE_MACHINE_DOWN,
            "unit_type": UnitType.OUTLET,
            "for_minutes": s.YINGJI_SIGNAL_QUEUE_MACHINE_MINUTES,
            "level": WarningLevel.BLUE,
            "action": RuleAction.NOTIFY,
            "kind": "queue_machine_failure",
            "reach": UnitType.SUB_BRANCH,
            "source_note": "排队叫号机故障；时长为本行设定",
        },
        *(
            {
                "name": f"数据中断{s.YINGJI_SIGNAL_NO_DATA_MINUTES}分钟",
                "measure": Measure.NO_DATA,
                "unit_type": unit_type,
                "for_minutes": s.YINGJI_SIGNAL_NO_DATA_MINUTES,
                "level": WarningLevel.BLUE,
                "action": RuleAction.NOTIFY,
                "kind": None,
                "reach": reach,
                "source_note": "监测数据中断：该来源在设定分钟内未报送任何数据；时长为本行设定",
            }
            for unit_type, reach in (
                (UnitType.CALL_CENTRE, UnitType.BRANCH),
                (UnitType.OUTLET, UnitType.SUB_BRANCH),
            )
        ),
    ]


@transaction.atomic
def ensure_rules() -> int:
    """Add the shipped rules that are missing (by measure and unit type); returns how many."""
    kinds = {k.code: k for k in EventKind.objects.all()}
    added = 0
    for spec in shipped():
        spec = dict(spec)
        kind = kinds.get(spec.pop("kind"))
        if WarningRule.objects.filter(
            measure=spec["measure"], unit_type=spec["unit_type"], unit=None
        ).exists():
            continue
        WarningRule.objects.create(event_kind=kind, updated_at=clock.now(), **spec)
        added += 1
    return added
