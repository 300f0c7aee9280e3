"""What the complaint import's workbook holds: its columns (header, example, help for the template) and
the names a bank writes for channels, kinds and major causes. Read by the import (imports.py) and by
the template it offers (views_import.py)."""

from django.utils.translation import gettext_lazy

from yingji.core.workbook_import import Column

from .models import Channel, Kind, MajorCause

# What a bank writes in the channel, kind and major-cause columns; the codes are accepted too.
CHANNEL_NAMES: dict[str, str] = {
    "柜面": Channel.COUNTER,
    "客服热线": Channel.HOTLINE,
    "客户救助电话": Channel.AID_PHONE,
    "服务监督电话": Channel.SUPERVISION_PHONE,
    "客户意见簿": Channel.OPINION_BOOK,
    "服务质量监督员": Channel.QUALITY_SUPERVISOR,
    "信函": Channel.LETTER,
    "网站": Channel.WEBSITE,
    "电子银行": Channel.EBANKING,
    "电子邮件": Channel.EMAIL,
    "监管转办": Channel.REGULATOR,
    "媒体": Channel.MEDIA,
    "其他": Channel.OTHER,
}
CHANNEL_ALIASES = {
    "柜台": Channel.COUNTER,
    "热线": Channel.HOTLINE,
    "电话": Channel.HOTLINE,
    "来信": Channel.LETTER,
}
KIND_NAMES: dict[str, str] = {"建议型": Kind.SUGGESTION, "问题型": Kind.PROBLEM, "恶意": Kind.MALICIOUS}
KIND_ALIASES = {
    "建议": Kind.SUGGESTION,
    "问题": Kind.PROBLEM,
    "恶意型": Kind.MALICIOUS,
    "恶意投诉": Kind.MALICIOUS,
}
MAJOR_NAMES: dict[str, str] = {
    "自然灾害": MajorCause.DISASTER,
    "事故": MajorCause.ACCIDENT,
    "公共卫生事件": MajorCause.PUBLIC_HEALTH,
}

COLUMNS = (
    Column(
        "channel",
        "渠道",
        True,
        12,
        "客服热线",
        help=gettext_lazy("One of the channels listed below, or its code."),
    ),
    Column(
        "received_at",
        "受理时间",
        True,
        18,
        "2026-03-02 09:30",
        as_text=True,
        help=gettext_lazy("Date and time in Beijing time, e.g. 2026-03-02 09:30; not in the future."),
    ),
    Column("unit", "受理机构代码", True, 14, "JN0101", 32, True, gettext_lazy("Code of a unit you see.")),
    Column("customer_name", "客户姓名", True, 12, "张三", 50, help=gettext_lazy("Full name.")),
    Column(
        "customer_phone",
        "联系电话",
        False,
        16,
        "13800000000",
        20,
        True,
        gettext_lazy("Optional: 5 to 20 digits."),
    ),
    Column(
        "customer_id_number",
        "证件号码",
        False,
        22,
        "",
        18,
        True,
        gettext_lazy("Optional: an ID card number of 15 or 18 characters."),
    ),
    Column(
        "content",
        "投诉内容",
        True,
        40,
        "排队一个多小时无人引导。",
        help=gettext_lazy("What the customer complains about."),
    ),
    Column(
        "request", "诉求", False, 24, "要求道歉", help=gettext_lazy("Optional: what the customer asks for.")
    ),
    Column(
        "kind",
        "投诉性质",
        False,
        10,
        "问题型",
        help=gettext_lazy("建议型, 问题型 or 恶意 (or its code); empty means 问题型."),
    ),
    Column(
        "business",
        "业务类别",
        False,
        16,
        "柜面及网点服务",
        help=gettext_lazy("Optional: a business type listed below, by name or code."),
    ),
    Column(
        "cause",
        "投诉原因",
        False,
        16,
        "服务态度及服务质量",
        help=gettext_lazy("Optional: a cause listed below, by name or code."),
    ),
    Column(
        "joint_count",
        "联名人数",
        False,
        10,
        "1",
        help=gettext_lazy("Optional: how many people complain together; empty means 1."),
    ),
    Column(
        "subject_unit",
        "被投诉机构代码",
        False,
        14,
        "",
        32,
        True,
        gettext_lazy("Optional: code of the institution complained about, a unit you see."),
    ),
    Column(
        "staff_complained_name",
        "被投诉员工",
        False,
        12,
        "",
        50,
        help=gettext_lazy("Optional: name of the staff member complained about."),
    ),
    Column(
        "major_cause",
        "重大事件起因",
        False,
        14,
        "",
        help=gettext_lazy("Optional: 自然灾害, 事故 or 公共卫生事件; such a complaint opens an incident."),
    ),
)
HEADERS = {c.field: c.header for c in COLUMNS}
