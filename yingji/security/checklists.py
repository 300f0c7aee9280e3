"""The checklist shipped from seed 001 (2020年银行安全保卫工作计划 (五)开展安全检查与培训): "查规章制度的
健全性、查责任制度落实情况、查用电安全、查防火安全、查安全防范器械及报警操作", each area with concrete
items from the seed's plans (110 紧急报警按钮, 声光报警器, 灭火器材, 监控录像, 自卫器械, UPS …).
Staff add items on the checklist page; `load` adds or updates only the shipped ones."""

from django.db import transaction

from .models import Area, ChecklistItem

# code, name, corrective category, items (key, text)
AREAS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "rules",
        "规章制度健全性",
        "procedure",
        [
            ("rules-1", "总行下发的各类安保规章制度已传达并在本单位留存、可查阅"),
            ("rules-2", "本单位突发事件应急预案齐全，为现行版本，员工知晓存放位置"),
            ("rules-3", "营业网点安全管理制度（开关门、钱箱交接、来人登记）上墙或成册"),
            ("rules-4", "安全检查、整改、教育培训均有记录可查（有记录、有反馈、有整改）"),
        ],
    ),
    (
        "duty",
        "责任制度落实",
        "procedure",
        [
            ("duty-1", "本年度安全责任书已与部门及每位员工签订"),
            ("duty-2", "带班领导、值班人员按排班到岗，值班记录完整"),
            ("duty-3", "预警分工明确，临柜人员熟知各自报警、护款职责"),
            ("duty-4", "安全保卫工作专题会议按时召开并有会议纪要"),
        ],
    ),
    (
        "electric",
        "用电安全",
        "facilities",
        [
            ("electric-1", "配电箱完好、加锁，周围无杂物堆放"),
            ("electric-2", "无私拉乱接电线、无超负荷使用插座"),
            ("electric-3", "UPS 电源工作正常，可保障营业和安保用电"),
            ("electric-4", "下班后非必要电器已断电"),
        ],
    ),
    (
        "fire",
        "防火安全",
        "facilities",
        [
            ("fire-1", "灭火器材配备齐全、在有效期内，压力正常，放置位置明显"),
            ("fire-2", "安全出口、疏散通道畅通，应急照明和疏散指示标志完好"),
            ("fire-3", "营业场所内无易燃易爆物品存放"),
            ("fire-4", "员工会使用灭火器材，知晓“119”报警和疏散程序"),
        ],
    ),
    (
        "defence",
        "安全防范器械及报警操作",
        "facilities",
        [
            ("defence-1", "“110”紧急报警按钮测试有效，与公安联网正常"),
            ("defence-2", "声光报警器工作正常"),
            ("defence-3", "监控录像设备运行正常，录像保存期限符合要求"),
            ("defence-4", "自卫器械配备到位、放置在临柜人员可及处"),
            ("defence-5", "员工能正确演示报警操作"),
        ],
    ),
]


@transaction.atomic
def load() -> dict[str, int]:
    """Add or update the shipped areas and items; an item staff added, or switched off, stays as it is."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for order, (code, name, category, items) in enumerate(AREAS):
        area, _created = Area.objects.update_or_create(
            code=code, defaults={"name": name, "category": category, "sort_order": order * 10}
        )
        for item_order, (key, text) in enumerate(items):
            item = ChecklistItem.objects.filter(shipped_key=key).first()
            if item is None:
                ChecklistItem.objects.create(
                    area=area, text=text, sort_order=item_order * 10, shipped_key=key
                )
                counts["created"] += 1
            elif (item.area_id, item.text, item.sort_order) != (area.pk, text, item_order * 10):
                item.area, item.text, item.sort_order = area, text, item_order * 10
                item.save(update_fields=["area", "text", "sort_order"])
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    return counts
