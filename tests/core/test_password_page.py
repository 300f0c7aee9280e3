"""An outlet employee changes their password on the product's own page, not the admin's."""

from yingji.orgs.models import Person

NEW = "Another#Pass-2026"


def test_the_password_page_is_the_products_own_in_chinese(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    page = client.get("/password/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Django" not in html and "/django-admin/" not in html
    assert 'id="yj-menu"' in html  # the product's menu: the layout of every other page
    assert "修改密码" in html
    # The password rules, in Chinese: Django's own and the bank's.
    assert "你的密码必须包含至少 8 个字符。" in html
    assert "新密码不能与当前密码相同。" in html


def test_changing_ones_password_ends_on_the_products_done_page(client, hexie_lobby, demo_password):
    client.force_login(hexie_lobby.user)
    done = client.post(
        "/password/",
        {"old_password": demo_password, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    html = done.content.decode()
    assert done.redirect_chain[-1][0] == "/password/done/"
    assert "Django" not in html and 'id="yj-menu"' in html
    assert "您的密码已修改。" in html
    assert Person.objects.get(pk=hexie_lobby.pk).user.check_password(NEW)
