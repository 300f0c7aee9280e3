"""The posts of DOMAIN.md §1. Synced by a data migration; later issues add theirs the same way."""

# code, Chinese name, English name, heads the unit
POSITIONS: list[tuple[str, str, str, bool]] = [
    ("president", "行长", "President", True),
    ("vice_president", "副行长", "Vice president", False),
    ("leader", "行领导", "Bank leader", False),
    ("dept_head", "部门负责人", "Head of department", True),
    ("emergency_admin", "应急管理员", "Emergency administrator", False),
    ("security_officer", "安全保卫人员", "Security officer", False),
    ("it_staff", "信息技术人员", "IT staff", False),
    ("consumer_protection", "消保专员", "Consumer-protection officer", False),
    ("outlet_head", "网点负责人", "Outlet head", True),
    ("lobby_manager", "大堂经理", "Lobby manager", False),
    ("teller", "柜员", "Teller", False),
    ("ops_supervisor", "营运主管", "Operations supervisor", False),
    ("guard", "保安", "Guard", False),
    ("wealth_manager", "理财经理", "Wealth manager", False),
    ("trainer", "内训师", "Trainer", False),
    ("cash_escort", "押运员", "Cash-in-transit escort", False),
    ("cc_general_manager", "总经理", "Call-centre general manager", True),
    ("cc_floor_supervisor", "现场主管", "Floor supervisor", False),
    ("cc_team_lead", "组长", "Team leader", False),
    ("cc_assistant_manager", "经理助理", "Assistant manager", False),
    ("cc_agent", "客服代表", "Customer-service agent", False),
]


def sync_positions(position_model) -> None:
    for order, (code, name, name_en, is_head) in enumerate(POSITIONS):
        position_model.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "is_unit_head": is_head, "sort_order": order * 10},
        )
