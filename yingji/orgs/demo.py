"""The demo bank of `manage.py load_demo`: a head office, its departments, a call centre, two
branches, four sub-branches (one of them 和谐支行) and eight outlets, with named demo users."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from yingji.core import clock
from yingji.core.calendar_data import sync_calendar_from_package

from . import services
from .models import DutyRoster, Person, Position, Unit, UnitType
from .positions import sync_positions

T = UnitType
# code, parent code, name, type, address, phone
UNITS: list[tuple[str, str | None, str, str, str, str]] = [
    ("HQ", None, "总行", T.HEAD_OFFICE, "江城市中山大道1号", "027-85550000"),
    ("HQ-BGS", "HQ", "办公室", T.DEPARTMENT, "江城市中山大道1号", "027-85550001"),
    ("HQ-JCBW", "HQ", "监察保卫部", T.DEPARTMENT, "江城市中山大道1号", "027-85550002"),
    ("HQ-XXJS", "HQ", "信息技术部", T.DEPARTMENT, "江城市中山大道1号", "027-85550003"),
    ("HQ-XBB", "HQ", "消费者权益保护部", T.DEPARTMENT, "江城市中山大道1号", "027-85550004"),
    ("CC", "HQ", "客服中心", T.CALL_CENTRE, "江城市光谷大道88号", "95599"),
    ("JN", "HQ", "江南分行", T.BRANCH, "江城市江南区解放路18号", "027-86660000"),
    ("JN-BGS", "JN", "江南分行办公室", T.DEPARTMENT, "江城市江南区解放路18号", "027-86660001"),
    ("JB", "HQ", "江北分行", T.BRANCH, "江城市江北区建设大道66号", "027-87770000"),
    ("JN01", "JN", "和谐支行", T.SUB_BRANCH, "江城市江南区和谐路100号", "027-86661000"),
    ("JN02", "JN", "滨江支行", T.SUB_BRANCH, "江城市江南区滨江大道20号", "027-86662000"),
    ("JB01", "JB", "城北支行", T.SUB_BRANCH, "江城市江北区北环路8号", "027-87771000"),
    ("JB02", "JB", "临江支行", T.SUB_BRANCH, "江城市江北区临江路55号", "027-87772000"),
    ("JN0101", "JN01", "和谐路营业部", T.OUTLET, "江城市江南区和谐路100号", "027-86661001"),
    ("JN0102", "JN01", "和谐广场网点", T.OUTLET, "江城市江南区和谐广场3号", "027-86661002"),
    ("JN0201", "JN02", "滨江营业部", T.OUTLET, "江城市江南区滨江大道20号", "027-86662001"),
    ("JN0202", "JN02", "滨江花园网点", T.OUTLET, "江城市江南区滨江花园1栋", "027-86662002"),
    ("JB0101", "JB01", "城北营业部", T.OUTLET, "江城市江北区北环路8号", "027-87771001"),
    ("JB0102", "JB01", "北湖网点", T.OUTLET, "江城市江北区北湖路12号", "027-87771002"),
    ("JB0201", "JB02", "临江营业部", T.OUTLET, "江城市江北区临江路55号", "027-87772001"),
    ("JB0202", "JB02", "江滩网点", T.OUTLET, "江城市江北区沿江大道9号", "027-87772002"),
]

# username, unit code, name, mobile, positions — the first seven are the named demo users.
PEOPLE: list[tuple[str, str, str, str, list[str]]] = [
    ("hq_duty", "HQ-BGS", "周应急", "13900000001", ["emergency_admin"]),
    ("branch_duty", "JN-BGS", "吴分值", "13900000002", ["emergency_admin"]),
    ("hexie_manager", "JN0101", "郑和谐", "13900000003", ["outlet_head"]),
    ("hexie_lobby", "JN0101", "王大堂", "13900000004", ["lobby_manager"]),
    ("other_manager", "JB0101", "冯城北", "13900000005", ["outlet_head"]),
    ("cc_lead", "CC", "陈现场", "13900000006", ["cc_floor_supervisor"]),
    ("hq_president", "HQ", "李总行", "13900000010", ["president", "leader"]),
    ("hq_security", "HQ-JCBW", "赵保卫", "13900000011", ["dept_head", "security_officer"]),
    ("jn_president", "JN", "钱江南", "13900000012", ["president", "leader"]),
    ("jb_president", "JB", "孙江北", "13900000013", ["president", "leader"]),
    ("hexie_president", "JN01", "刘和谐", "13900000014", ["president", "leader"]),
    ("hexie_teller", "JN0101", "何柜员", "13900000015", ["teller"]),
    ("hexie_ops", "JN0101", "吕营运", "13900000016", ["ops_supervisor"]),
    ("hexie_guard", "JN0101", "施保安", "13900000017", ["guard"]),
    ("hexie_wealth", "JN0101", "张理财", "13900000018", ["wealth_manager"]),
    ("plaza_manager", "JN0102", "孔广场", "13900000019", ["outlet_head"]),
    ("cc_manager", "CC", "曹总经理", "13900000020", ["cc_general_manager"]),
    ("cc_agent", "CC", "严客服", "13900000021", ["cc_agent"]),
    ("hq_consumer", "HQ-XBB", "黄消保", "13900000022", ["consumer_protection"]),
    ("jn_consumer", "JN", "彭消保", "13900000023", ["consumer_protection"]),
    # Each sub-branch's 应急管理员: the unit above an outlet approves the end of its response.
    ("hexie_admin", "JN01", "韩应急", "13900000024", ["emergency_admin"]),
    ("binjiang_admin", "JN02", "滨应急", "13900000025", ["emergency_admin"]),
    ("chengbei_admin", "JB01", "北应急", "13900000026", ["emergency_admin"]),
    ("linjiang_admin", "JB02", "林应急", "13900000027", ["emergency_admin"]),
]

NAMED_USERS = [
    "admin",
    "hq_duty",
    "branch_duty",
    "hexie_manager",
    "hexie_lobby",
    "other_manager",
    "cc_lead",
    "hexie_ops",
    "hq_consumer",
    "hexie_admin",
    "hexie_president",
]
ROSTER_DAYS = 14


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create what is missing, touch nothing that exists: running it twice changes nothing."""
    created = {"units": 0, "people": 0, "roster": 0}
    # The positions come from a data migration; a database emptied since (a test flush) needs them back.
    sync_positions(Position)
    sync_calendar_from_package()  # likewise the holiday table; two counts when nothing changed
    _sync_complaint_categories()
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser("admin", "admin@example.invalid", settings.DEMO_PASSWORD)
    for code, parent_code, name, unit_type, address, phone in UNITS:
        if Unit.objects.filter(code=code).exists():
            continue
        parent = Unit.objects.get(code=parent_code) if parent_code else None
        services.create_unit(
            actor=admin, parent=parent, code=code, name=name, type=unit_type, address=address, phone=phone
        )
        created["units"] += 1
    for username, unit_code, name, mobile, positions in PEOPLE:
        if User.objects.filter(username=username).exists():
            continue
        services.create_person(
            actor=admin,
            unit=Unit.objects.get(code=unit_code),
            username=username,
            name=name,
            mobile=mobile,
            position_codes=positions,
            password=settings.DEMO_PASSWORD,
        )
        created["people"] += 1
    created["roster"] = _fill_roster(admin)
    return created


def _sync_complaint_categories() -> None:
    """JR/T 0169-2018's categories come from a data migration too; a flushed database needs them back."""
    from yingji.complaints.categories import sync_categories
    from yingji.complaints.models import Category

    sync_categories(Category)


def _fill_roster(admin: User) -> int:
    """Each unit with a leader gets two weeks of 带班领导, rotating through its leaders."""
    leaders_by_unit = {
        "HQ": ["hq_president", "hq_security"],
        "JN": ["jn_president"],
        "JB": ["jb_president"],
        "JN01": ["hexie_president"],
        "JN0101": ["hexie_manager", "hexie_president"],
        "JN0102": ["plaza_manager"],
        "JB0101": ["other_manager"],
        "CC": ["cc_manager", "cc_lead"],
    }
    today, added = clock.local_today(), 0
    for code, usernames in leaders_by_unit.items():
        unit = Unit.objects.get(code=code)
        leaders = list(Person.objects.filter(user__username__in=usernames).order_by("user__username"))
        for offset in range(ROSTER_DAYS):
            day = today + timedelta(days=offset)
            if not DutyRoster.objects.filter(unit=unit, on_date=day).exists():
                services.assign_duty_leader(
                    actor=admin, unit=unit, on_date=day, leader=leaders[offset % len(leaders)]
                )
                added += 1
    return added
