def test_outlet_head_sees_own_unit_page(client, hexie_manager):
    client.force_login(hexie_manager.user)
    page = client.get(hexie_manager.unit.get_absolute_url())
    assert page.status_code == 200
    assert "和谐路营业部" in page.content.decode()
