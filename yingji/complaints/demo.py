"""A few complaints at every stage for the demo bank, so `make run` opens on a register with
something in it: made through the services at times in the past, as staff would have made them."""

from datetime import timedelta

from django.db import transaction

from yingji.core import clock
from yingji.orgs.models import Person, Unit

from . import services
from .models import Category, Complaint


def _person(username: str) -> Person:
    return Person.objects.select_related("unit", "user").get(user__username=username)


@transaction.atomic
def load_demo_complaints() -> int:
    """Only into an empty register: running it again adds nothing."""
    if Complaint.objects.exists():
        return 0
    lobby, ops, manager = _person("hexie_lobby"), _person("hexie_ops"), _person("hexie_manager")
    teller, other = _person("hexie_teller"), _person("other_manager")
    hexie, chengbei = Unit.objects.get(code="JN0101"), Unit.objects.get(code="JB0101")
    category = {c.code: c for c in Category.objects.all()}
    start = clock.now() - timedelta(days=20)
    made = 0

    def register(receiver, unit, days_ago, **fields):
        nonlocal made
        received = clock.now() - timedelta(days=days_ago)
        complaint = services.register_complaint(
            receiver=receiver,
            unit=unit,
            received_at=received,
            **fields,
        )
        made += 1
        return complaint

    # Received 19 days ago at 城北营业部 and never decided: overdue now.
    with clock.frozen(clock.now() - timedelta(days=19)):
        register(
            other,
            chengbei,
            0,
            channel="letter",
            customer_name="李女士",
            customer_phone="13712340004",
            content="代销基金亏损，认为销售时未充分揭示风险。",
            request="赔偿损失",
            kind="problem",
            business=category["agency"],
            cause=category["disclosure"],
        )
    with clock.frozen(start) as now:
        # Decided and called back: the whole way through.
        done = register(
            lobby,
            hexie,
            0,
            channel="counter",
            customer_name="赵女士",
            customer_phone="13712340001",
            content="取号后等候一个半小时，叫号系统跳号，大堂无人解释。",
            request="要求解释并道歉",
            kind="problem",
            business=category["counter_service"],
            cause=category["service_attitude"],
        )
        order = services.issue_work_order(
            actor=lobby, complaint=done, to_unit=hexie, assignee=ops, instructions="调取叫号记录和监控"
        )
        now.advance(hours=2)
        services.accept_work_order(actor=ops, order=order)
        now.advance(days=2)
        services.submit_proposal(
            actor=ops,
            complaint=done,
            findings="叫号系统当日 10:05 故障重启，导致客户号码被跳过；大堂经理未及时解释。",
            proposal="向客户当面致歉，优先办理；对叫号系统做故障排查。",
        )
        now.advance(hours=3)
        services.approve_proposal(reviewer=manager, complaint=done)
        now.advance(days=1)
        services.record_decision(
            actor=ops,
            complaint=done,
            findings="叫号系统故障重启导致跳号，情况属实。",
            basis="《营业网点服务规范》第十二条",
            remedy="当面致歉；叫号系统已修复。",
            delivered_how="phone",
            delivered_at=clock.now(),
        )
        now.advance(days=1)
        services.record_callback(actor=ops, complaint=done, satisfaction="satisfied", note="客户表示理解")
        # A hotline complaint, handed to the outlet and being handled.
        now.advance(days=8)
        handling = register(
            lobby,
            hexie,
            0,
            channel="hotline",
            customer_name="钱先生",
            customer_phone="13712340002",
            content="信用卡年费未按约定减免，多次致电未解决。",
            request="退还年费 300 元",
            kind="problem",
            business=category["credit_card"],
            cause=category["pricing_fees"],
            staff_complained=teller,
        )
        services.issue_work_order(
            actor=lobby, complaint=handling, to_unit=hexie, assignee=ops, instructions="核实减免条件"
        )
        # A suggestion, just registered.
        now.advance(days=3)
        register(
            lobby,
            hexie,
            0,
            channel="opinion_book",
            customer_name="孙先生",
            content="建议在网点增设老年人专用等候区和老花镜。",
            kind="suggestion",
            business=category["counter_service"],
            cause=category["rules_process"],
        )
    return made
