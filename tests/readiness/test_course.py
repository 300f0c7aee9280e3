"""The course of seed 003 ships as data: eight kinds of outlet emergencies with their causes and
response points, each linked to the plans that cover it; loading it again adds nothing and keeps what
the bank edited."""

from io import StringIO

from django.core.management import call_command

from yingji.readiness import course
from yingji.readiness.models import CourseKind


def test_the_command_loads_the_eight_kinds_once(library):
    out = StringIO()
    call_command("load_readiness_course", stdout=out)
    assert "8 kinds added" in out.getvalue()
    assert list(CourseKind.objects.values_list("name", flat=True)) == [
        "网点客流激增（挤兑）",
        "业务系统故障（含排队叫号机故障）",
        "客户现场投诉发生激烈冲突",
        "客户突发疾病或意外受伤",
        "不合理占用服务资源的群访事件及个性化员工冲突事件",
        "媒体采访（含陪同投诉者到网点采访）",
        "员工人身安全受到威胁或伤害",
        "自然灾害、传染病疫情",
    ]
    edited = CourseKind.objects.get(code="crowd_surge")
    edited.points = [*edited.points, "本行补充：启动大额现金调拨预案"]
    edited.save()
    call_command("load_readiness_course", stdout=StringIO())
    assert CourseKind.objects.count() == 8
    assert CourseKind.objects.get(code="crowd_surge").points[-1] == "本行补充：启动大额现金调拨预案"


def test_each_kind_is_linked_to_the_plans_that_cover_it(the_course):
    plans = {entry.kind.code: {p.code for p in entry.plans} for entry in course.entries()}
    assert "model-bank-run" in plans["crowd_surge"]
    assert "model-system-failure" in plans["system_failure"]
    assert "outlet-service-customer-injured" in plans["customer_illness"]
    assert "outlet-service-media-interview" in plans["media_interview"]
    assert "outlet-service-staff-threatened" in plans["staff_threatened"]
    assert all(plans.values()), "every kind of the course has a plan in the library"
