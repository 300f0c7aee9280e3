"""The statistics page: counts by month, unit, channel, business type, cause and kind; the on-time rate;
complaints per 1,000 outlets — for a small bank of known complaints, as each viewer sees them."""

import re
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from yingji.complaints import reports, services
from yingji.complaints.models import Callback, Category
from yingji.core import clock
from yingji.orgs.models import Person, Unit

NOW = datetime(2025, 6, 10, 10, 0, tzinfo=clock.SHANGHAI)
PERIOD = {"since": date(2025, 1, 1), "until": date(2025, 6, 10)}


def _person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


@pytest.fixture
def hq_consumer(demo) -> Person:
    return _person("hq_consumer")


@pytest.fixture
def hexie_president(demo) -> Person:
    return _person("hexie_president")


@pytest.fixture
def frozen():
    with clock.frozen(NOW) as frozen_clock:
        yield frozen_clock


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2025, month, day, hour, 0, tzinfo=clock.SHANGHAI)


def register(receiver: Person, unit_code: str, received_at: datetime, channel: str = "counter", **more):
    return services.register_complaint(
        receiver=receiver,
        unit=Unit.objects.get(code=unit_code),
        channel=channel,
        received_at=received_at,
        customer_name="张三",
        customer_phone="13812345678",
        content="排队太久",
        **more,
    )


def decide(complaint, *, handler: Person, reviewer: Person, delivered_at: datetime):
    services.start_handling(actor=handler, complaint=complaint)
    services.submit_proposal(actor=handler, complaint=complaint, findings="属实", proposal="致歉")
    services.approve_proposal(reviewer=reviewer, complaint=complaint)
    return services.record_decision(
        actor=handler,
        complaint=complaint,
        findings="属实",
        basis="服务规范",
        remedy="致歉",
        delivered_how="phone",
        delivered_at=delivered_at,
    )


@pytest.fixture
def bank(frozen, hexie_lobby, hexie_manager, other_manager):
    """Three complaints this year and one last year:
    - March, 和谐路营业部, counter, 银行卡 / 服务态度: decided in 5 days (on time), customer satisfied;
    - April, 和谐路营业部, hotline, problem: decided after 24 days (late);
    - May, 城北营业部, letter, suggestion: still open, its 15 days are over;
    - December 2024, 和谐路营业部: outside the period."""
    business = Category.objects.filter(axis=Category.Axis.BUSINESS).order_by("sort_order", "code").first()
    cause = Category.objects.filter(axis=Category.Axis.CAUSE).order_by("sort_order", "code").first()
    march = register(hexie_lobby, "JN0101", at(3, 3), business=business, cause=cause)
    decide(march, handler=hexie_lobby, reviewer=hexie_manager, delivered_at=at(3, 8))
    services.record_callback(actor=hexie_lobby, complaint=march, satisfaction=Callback.Satisfaction.SATISFIED)
    april = register(hexie_lobby, "JN0101", at(4, 1), channel="hotline")
    decide(april, handler=hexie_lobby, reviewer=hexie_manager, delivered_at=at(4, 25))
    may = register(other_manager, "JB0101", at(5, 20), channel="letter", kind="suggestion")
    last_year = register(hexie_lobby, "JN0101", datetime(2024, 12, 20, 9, tzinfo=clock.SHANGHAI))
    return {
        "march": march,
        "april": april,
        "may": may,
        "last_year": last_year,
        "business": business,
        "cause": cause,
    }


class _Table(HTMLParser):
    """The text of each cell of the table with the given id, row by row."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table(html: str, table_id: str) -> list[list[str]]:
    parser = _Table(table_id)
    parser.feed(html)
    return parser.rows


def counts(rows) -> dict[str, int]:
    return {row.label: row.count for row in rows}


def test_head_office_consumer_protection_sees_the_whole_bank_in_numbers(bank, hq_consumer):
    stats = reports.statistics(hq_consumer.user, **PERIOD)

    assert stats.root.code == "HQ"
    assert stats.total == 3
    assert counts(stats.by_month) == {
        "2025-01": 0,
        "2025-02": 0,
        "2025-03": 1,
        "2025-04": 1,
        "2025-05": 1,
        "2025-06": 0,
    }
    by_unit = counts(stats.by_unit)
    assert by_unit["江南分行"] == 2
    assert by_unit["江北分行"] == 1
    assert by_unit["客服中心"] == 0
    assert {row.key: row.count for row in stats.by_channel} == {"counter": 1, "hotline": 1, "letter": 1}
    assert {row.key: row.count for row in stats.by_kind} == {"problem": 2, "suggestion": 1}
    assert counts(stats.by_business)[bank["business"].name] == 1
    assert counts(stats.by_business)[str(reports._("Not classified"))] == 2
    assert counts(stats.by_cause)[bank["cause"].name] == 1
    assert {row.key: row.count for row in stats.by_satisfaction} == {"satisfied": 1}


def test_on_time_rate_counts_the_decisions_delivered_within_the_deadline(bank, hq_consumer):
    stats = reports.statistics(hq_consumer.user, **PERIOD)

    assert (stats.decided, stats.decided_on_time) == (2, 1)
    assert stats.on_time_rate == 50.0
    assert stats.overdue_open == 1  # May's letter: 15 days were over on 4 June


def test_complaints_per_thousand_outlets_is_the_regulators_ratio(bank, hq_consumer, hexie_president):
    bank_wide = reports.statistics(hq_consumer.user, **PERIOD)
    sub_branch = reports.statistics(hexie_president.user, **PERIOD)

    assert bank_wide.outlets == 8
    assert bank_wide.per_thousand_outlets == 375.0  # 3 complaints ÷ 8 outlets × 1000
    assert sub_branch.root.code == "JN01"
    assert (sub_branch.total, sub_branch.outlets) == (2, 2)
    assert sub_branch.per_thousand_outlets == 1000.0
    assert counts(sub_branch.by_unit) == {"和谐路营业部": 2, "和谐广场网点": 0}


def test_a_chosen_unit_narrows_the_numbers_to_its_subtree(bank, hq_consumer):
    stats = reports.statistics(hq_consumer.user, unit_code="JB", **PERIOD)

    assert stats.root.code == "JB"
    assert stats.total == 1
    assert stats.outlets == 4
    assert counts(stats.by_unit) == {"城北支行": 1, "临江支行": 0}
    assert stats.decided == 0
    assert stats.on_time_rate is None


def test_an_outlet_head_of_another_branch_counts_only_their_own(bank, other_manager):
    stats = reports.statistics(other_manager.user, **PERIOD)

    assert stats.total == 1
    assert {row.key: row.count for row in stats.by_channel} == {"letter": 1}
    assert reports.statistics(other_manager.user, unit_code="JN0101", **PERIOD) is None


def test_the_page_shows_the_numbers_as_tables_and_links_the_ledger(client, bank, hq_consumer):
    client.force_login(hq_consumer.user)

    response = client.get(
        reverse("complaints:stats"), {"received_from": "2025-01-01", "received_to": "2025-06-10"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="stat-total">3<' in html
    assert 'id="stat-on-time">50.0%<' in html
    assert 'id="stat-overdue">1<' in html
    assert 'id="stat-per-outlets">375.0<' in html
    assert ["江南分行", "2"] in table(html, "table-unit")
    assert ["江北分行", "1"] in table(html, "table-unit")
    months, numbers = table(html, "table-month")
    assert dict(zip(months[1:], numbers[1:], strict=True)) == {
        "2025-01": "0",
        "2025-02": "0",
        "2025-03": "1",
        "2025-04": "1",
        "2025-05": "1",
        "2025-06": "0",
    }
    assert len(table(html, "table-channel")) == 1 + 3
    assert 'id="complaint-stats-data"' in html
    assert "/complaints/ledger.xlsx?received_from=2025-01-01&amp;received_to=2025-06-10" in html
    assert "<script>" not in html  # the CSP refuses inline scripts; the data is JSON, not code


def test_the_period_defaults_to_this_year(client, bank, hq_consumer):
    client.force_login(hq_consumer.user)

    response = client.get(reverse("complaints:stats"))

    stats = response.context["stats"]
    assert (stats.since, stats.until) == (date(2025, 1, 1), date(2025, 6, 10))
    assert stats.total == 3


def test_a_period_ending_before_it_starts_is_refused_with_a_reason(client, bank, hq_consumer):
    client.force_login(hq_consumer.user)

    response = client.get(
        reverse("complaints:stats"), {"received_from": "2025-06-01", "received_to": "2025-05-01"}
    )

    assert response.status_code == 200
    assert response.context["stats"] is None
    assert response.context["form"].errors["received_to"]


def test_a_unit_the_viewer_does_not_see_is_not_offered(client, bank, other_manager):
    client.force_login(other_manager.user)

    response = client.get(reverse("complaints:stats"), {"unit": "JN0101"})

    assert response.context["stats"] is None
    assert "unit" in response.context["form"].errors
    assert "和谐路营业部" not in response.content.decode()


def test_the_page_costs_the_same_queries_however_many_complaints(
    client, bank, hq_consumer, hexie_lobby, django_assert_max_num_queries
):
    client.force_login(hq_consumer.user)
    client.get(reverse("complaints:stats"))  # warm the session
    for day in range(1, 11):
        register(hexie_lobby, "JN0101", at(2, day), channel="website")

    with django_assert_max_num_queries(23):
        response = client.get(reverse("complaints:stats"))

    assert response.context["stats"].total == 13


def test_a_filter_over_a_very_large_tree_offers_sub_branches_and_above(hq_duty, monkeypatch):
    from yingji.complaints import reports

    monkeypatch.setattr(reports, "FILTER_UNITS_MAX", 5)
    codes = {code for code, _name in reports.unit_choices(hq_duty.user)}
    assert {"HQ", "JN", "JN01"} <= codes
    assert "JN0101" not in codes and "HQ-BGS" not in codes


def test_on_a_phone_every_table_scrolls_inside_its_card_rather_than_being_cut_off(client, bank, hq_consumer):
    client.force_login(hq_consumer.user)

    html = client.get(
        reverse("complaints:stats"), {"received_from": "2025-01-01", "received_to": "2025-06-10"}
    )
    html = html.content.decode()

    tables = re.findall(r'<table class="table[^"]*yj-stats-table" id="([^"]+)"', html)
    assert len(tables) == 7
    for table_id in tables:
        assert re.search(rf'<div class="table-responsive">\s*<table[^>]*id="{table_id}"', html), table_id
