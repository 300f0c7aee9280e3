"""A drill is seen by its unit, the units above and the units taking part; never by a sibling. Only
planners change it; a player sees it."""

from yingji.audit.models import AuditEntry
from yingji.core.testing import footprint
from yingji.drills.models import Drill


def test_a_sibling_units_head_cannot_see_the_drill(client, plan_drill, other_manager):
    client.force_login(other_manager.user)
    assert client.get(f"/drills/{plan_drill.pk}/").status_code == 404
    assert client.get(f"/drills/{plan_drill.pk}/briefing/export.docx").status_code == 404
    assert plan_drill.title not in client.get("/drills/").content.decode()


def test_the_branch_above_sees_the_drill_in_its_list(client, plan_drill, branch_duty):
    client.force_login(branch_duty.user)
    assert plan_drill.title in client.get("/drills/").content.decode()
    page = client.get(f"/drills/{plan_drill.pk}/").content.decode()
    assert "09:00" not in page and "场景七 自然灾害" in page and "+1:30" in page


def test_a_player_sees_the_drill_but_cannot_change_it(client, plan_drill, hexie_lobby):
    client.force_login(hexie_lobby.user)
    page = client.get(f"/drills/{plan_drill.pk}/")
    assert page.status_code == 200 and f"/drills/{plan_drill.pk}/edit/" not in page.content.decode()
    before = footprint()
    response = client.post(
        f"/drills/{plan_drill.pk}/edit/", {"title": "改名", "form": "live", "scope": "single"}
    )
    assert response.status_code == 403
    assert footprint() == before and Drill.objects.get(pk=plan_drill.pk).title == plan_drill.title
    assert AuditEntry.objects.filter(action="drill.update").count() == 0
