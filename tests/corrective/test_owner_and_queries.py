"""The owner always sees their action, wherever they work; the register costs the same few queries
however many rows it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yingji.corrective import services
from yingji.orgs.models import Person

pytestmark = pytest.mark.django_db


def test_an_owner_in_another_sub_branch_sees_their_action_and_its_finding(client, finding, branch_duty):
    binjiang_admin = Person.objects.select_related("user", "unit").get(user__username="binjiang_admin")
    found = finding(actor=branch_duty)
    action = services.open_action(
        actor=branch_duty, findings=[found], owner=binjiang_admin, text="统一采购防滑垫。"
    )
    client.force_login(binjiang_admin.user)
    assert client.get(action.get_absolute_url()).status_code == 200
    assert client.get(found.get_absolute_url()).status_code == 200
    assert action.get_absolute_url() in client.get("/corrective/").content.decode()
    # Work on it, yes; verify their own work, no.
    services.start(actor=binjiang_admin, action=action)
    assert "以后续演练验证" not in client.get(action.get_absolute_url()).content.decode()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_register_reads_the_same_number_of_queries_for_more_rows(
    client, finding, hexie_manager, hexie_lobby
):
    def open_some(n: int) -> None:
        for i in range(n):
            services.open_action(
                actor=hexie_manager, findings=[finding(text=f"问题{i}")], owner=hexie_lobby, text=f"措施{i}"
            )

    client.force_login(hexie_manager.user)
    open_some(2)
    few = (_queries(client, "/corrective/"), _queries(client, "/corrective/?show=findings"))
    open_some(6)
    assert (_queries(client, "/corrective/"), _queries(client, "/corrective/?show=findings")) == few
