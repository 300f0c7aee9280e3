"""Staff add their own categories under JR/T 0169-2018's."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from yingji.audit.models import AuditEntry
from yingji.complaints.models import Category
from yingji.core.testing import footprint

pytestmark = pytest.mark.django_db


def test_the_standards_categories_ship(demo):
    assert Category.objects.filter(is_standard=True, axis="business", name="信用卡").exists()
    assert Category.objects.filter(is_standard=True, axis="cause", name="定价收费").exists()


def test_a_consumer_protection_officer_adds_a_cause_that_intake_then_offers(client, demo):
    officer = User.objects.get(username="hq_consumer")
    client.force_login(officer)
    response = client.post("/complaints/categories/", {"axis": "cause", "name": "叫号系统跳号"}, follow=True)
    assert "叫号系统跳号" in response.content.decode()
    added = Category.objects.get(name="叫号系统跳号")
    assert added.axis == "cause" and not added.is_standard
    assert AuditEntry.objects.filter(action="complaint.category_add", object_id=str(added.pk)).exists()
    client.force_login(User.objects.get(username="hexie_lobby"))
    assert "叫号系统跳号" in client.get("/complaints/new/").content.decode()


def test_a_lobby_manager_cannot_add_a_category_and_nothing_changes(client, demo):
    client.force_login(User.objects.get(username="hexie_lobby"))
    before = footprint()
    assert client.post("/complaints/categories/", {"axis": "cause", "name": "随便"}).status_code == 403
    assert footprint() == before


def test_a_category_that_exists_is_refused_on_its_field(client, demo):
    client.force_login(User.objects.get(username="hq_consumer"))
    before = footprint()
    page = client.post("/complaints/categories/", {"axis": "business", "name": "信用卡"}).content.decode()
    assert "This category exists already." in page or "该分类已存在" in page
    assert footprint() == before


def test_the_category_form_offers_radio_buttons_not_drop_downs(client, demo):
    client.force_login(User.objects.get(username="hq_consumer"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = client.get("/complaints/categories/").content.decode()

    form = page[page.index('<form method="post"') :]
    assert "<select" not in form  # an empty drop-down said "- Select an option -" in English
    assert 'type="radio" name="axis"' in form
    assert 'type="radio" name="parent" value=""' in form
    assert "无（作为一级分类）" in form


def test_a_category_added_under_a_parent_chosen_by_its_radio_button(client, demo):
    client.force_login(User.objects.get(username="hq_consumer"))
    card = Category.objects.get(axis="business", name="信用卡")

    client.post("/complaints/categories/", {"axis": "business", "name": "信用卡年费", "parent": str(card.pk)})

    assert Category.objects.get(name="信用卡年费").parent == card
