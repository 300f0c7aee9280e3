"""After termination the case is watched (004 第十八条 严防反复). The seeds give no length: it is the bank's
own setting (YINGJI_WATCH_HOURS), shown as 本行设定 in the header, and the case does not close before
the watch ends. The other times the product sets itself say so where they are used."""

from datetime import timedelta

import pytest
from django.urls import reverse

from yingji.core import clock
from yingji.core.errors import InvalidTransition
from yingji.core.testing import footprint
from yingji.incidents import services
from yingji.incidents.models import Status

from .factories import incident_in, person

pytestmark = pytest.mark.usefixtures("library")


def with_findings(incident):
    services.save_findings(
        actor=person("hexie_president"),
        incident=incident,
        cause="地面清洁后未放置警示牌",
        warnings_in_time=True,
        preventive_measures="雨天在门口铺设防滑垫并放置警示牌",
    )
    return incident


def test_the_case_is_not_closed_before_the_watch_ends(now, hexie_lobby, hexie_president):
    incident = with_findings(incident_in(Status.INVESTIGATING))
    now.advance(hours=71)
    before = footprint()
    with pytest.raises(InvalidTransition, match="观察期至") as refused:
        services.close_investigation(actor=hexie_president, incident=incident)
    assert "本行设定" in refused.value.message and "72" in refused.value.message
    assert footprint() == before
    incident.refresh_from_db()
    assert incident.status == Status.INVESTIGATING and incident.closed_at is None

    now.advance(hours=1, seconds=1)
    services.close_investigation(actor=hexie_president, incident=incident)
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED and incident.closed_at > incident.watch_until


def test_the_length_of_the_watch_is_the_banks_setting(now, hexie_lobby, settings):
    settings.YINGJI_WATCH_HOURS = 24
    incident = incident_in(Status.TERMINATED)
    assert incident.watch_until == incident.terminated_at + timedelta(hours=24)
    assert "本行设定 24 小时" in incident.timeline.last().text


def test_the_header_shows_until_when_the_case_is_watched(client, now, hexie_lobby, hexie_manager):
    incident = incident_in(Status.TERMINATED)
    client.force_login(hexie_manager.user)
    page = client.get(incident.get_absolute_url()).content.decode()
    shown = incident.watch_until.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert "观察期至" in page and shown in page and "本行设定 72 小时" in page


def test_the_rules_page_says_which_times_are_the_banks_own(client, library, hq_duty):
    client.force_login(hq_duty.user)
    page = client.get(reverse("notify:rules")).content.decode()
    assert page.count("本行设定：制度原文未规定此时限") == 6  # acknowledgement and 缓报 times of three levels
    assert "首报后 60 分钟内向监管机构报告" in page
