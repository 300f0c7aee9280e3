"""Head office reads the audit log in words: each action named, its data as labelled fields, never an
action code or a Python dict."""

import re
from datetime import date
from pathlib import Path

import pytest

from yingji.audit import labels
from yingji.core.calendar_data import package_years
from yingji.core.services_calendar import set_calendar_day
from yingji.orgs.models import ImportRun
from yingji.orgs.services import update_person

YINGJI = Path(__file__).resolve().parents[2] / "yingji"
# `action="x.y"` and `audit_action="x.y"` (not `satisfaction="…"`), and the code in a record_each tuple.
ACTION_ARGUMENT = re.compile(r'(?<![A-Za-z0-9])(?:audit_)?action="([a-z_]+(?:\.[a-z_]+)+)"')
RECORD_EACH_CODE = re.compile(r'record_each\(\s*\[\s*\(\s*[^,]+,\s*"([a-z_]+\.[a-z_]+)"', re.S)


def recorded_action_codes() -> set[str]:
    codes: set[str] = set()
    for path in YINGJI.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        codes |= set(ACTION_ARGUMENT.findall(text)) | set(RECORD_EACH_CODE.findall(text))
        if 'action=f"orgs.import_{kind}"' in text:
            codes |= {f"orgs.import_{kind}" for kind in ImportRun.Kind.values}
    return codes


def test_every_action_code_recorded_anywhere_has_a_label():
    codes = recorded_action_codes()
    assert {"complaint.accept", "incident.report", "orgs.import_people"} <= codes  # the scan finds them
    assert sorted(codes - set(labels.ACTIONS)) == []


def test_a_command_or_a_job_is_shown_as_the_system_and_its_object_in_words():
    assert labels.actor_label(None, "system") == "系统"
    assert labels.actor_label(7, "王大堂") == "王大堂"
    assert labels.object_type_label("plans.library") == "预案库"
    assert labels.object_type_label("complaints.complaint") == "投诉"


def test_an_unknown_code_or_key_is_shown_as_it_is():
    assert labels.action_label("drill.start") == "drill.start"
    assert labels.fields({"colour": "red"}) == [("colour", "red")]


def test_data_is_shown_as_labelled_readable_fields():
    shown = labels.fields(
        {
            "changed": {"name": ["王大堂", "王小堂"], "mobile": ["13900000001", "13900000002"]},
            "positions": ["lobby_manager", "teller"],
            "watch_until": "2026-12-03T04:30:00+00:00",
            "date": "2026-10-01",
            "on": True,
            "group": None,
            "previous": {"is_working_day": False, "name": "国庆节", "source": "chinese-calendar"},
        }
    )
    assert shown == [
        ("变更", "名称：王大堂 → 王小堂；手机：13900000001 → 13900000002"),
        ("岗位", "大堂经理、柜员"),
        ("观察至", "2026-12-03 12:30"),
        ("日期", "2026-10-01"),
        ("启用", "是"),
        ("工作组", "—"),
        ("原值", "工作日：否；名称：国庆节；来源：国务院办公厅通知"),
    ]


def test_codes_of_a_choice_are_shown_in_words():
    assert labels.fields({"satisfaction": "satisfied", "axis": "business", "to": "malicious"}) == [
        ("满意度", "满意"),
        ("分类维度", "业务类别"),
        ("新", "恶意"),
    ]


@pytest.mark.django_db
def test_ids_and_codes_are_shown_as_names(demo, library, hexie_lobby):
    from yingji.plans.models import EventKind

    kind = EventKind.objects.order_by("code").first()
    data = {"assignee": hexie_lobby.pk, "to_unit": hexie_lobby.unit.code, "kind": kind.code}
    assert labels.fields(data, labels.Names([data])) == [
        ("经办人", hexie_lobby.name),
        ("转办单位", hexie_lobby.unit.name),
        ("类别", kind.name),
    ]


def test_every_label_reads_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        untranslated = [
            code
            for table in (labels.ACTIONS, labels.FIELDS, labels.VALUES, labels.OBJECT_TYPES)
            for code, label in table.items()
            if not any("\u4e00" <= ch <= "\u9fff" for ch in str(label))
        ]
    assert untranslated == []


def _log_table(client) -> str:
    html = client.get("/audit/").content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")]


@pytest.mark.django_db
def test_head_office_reads_a_calendar_change_in_words(client, hq_duty):
    day = date(package_years()[-1] + 1, 10, 1)
    set_calendar_day(actor=hq_duty.user, date=day, is_working_day=False, name="国庆节")
    client.force_login(hq_duty.user)
    table = _log_table(client)
    assert "设置工作日历中的一天" in table and "工作日历中的一天" in table
    assert f'<dt>日期</dt><dd class="text-break">{day:%Y-%m-%d}</dd>' in table
    assert '<dt>名称</dt><dd class="text-break">国庆节</dd>' in table
    assert "calendar.day_set" not in table and "{&#x27;" not in table and "core.calendarday" not in table


@pytest.mark.django_db
def test_head_office_reads_a_persons_change_in_words(client, hq_duty, hexie_lobby):
    update_person(
        actor=hq_duty.user,
        person=hexie_lobby,
        name="王小堂",
        mobile=hexie_lobby.mobile,
        position_codes=["lobby_manager", "teller"],
    )
    client.force_login(hq_duty.user)
    table = _log_table(client)
    assert "修改人员信息" in table and "人员 #" in table
    assert "名称：王大堂 → 王小堂" in table
    assert "person.update" not in table and "[&#x27;" not in table


@pytest.mark.django_db
def test_the_action_filter_lists_actions_in_words(client, hq_duty, hexie_lobby):
    update_person(
        actor=hq_duty.user,
        person=hexie_lobby,
        name="王小堂",
        mobile=hexie_lobby.mobile,
        position_codes=["lobby_manager"],
    )
    client.force_login(hq_duty.user)
    html = client.get("/audit/", {"action": "person.update"}).content.decode()
    assert '<option value="person.update" selected>修改人员信息</option>' in html
