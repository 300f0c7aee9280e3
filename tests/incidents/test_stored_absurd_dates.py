"""What is already stored can always be listed and opened. An incident whose time of occurrence is
0001-01-01 in Asia/Shanghai (1 BC in UTC, stored before the input rules, or written around them)
once made the list, its room, its Word report and its alarm job fail for everyone who could see it.
Only PostgreSQL can hold such a time; SQLite refuses to store it in the first place."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from yingji.core import clock
from yingji.core.models import JobFailure
from yingji.core.testing import run_jobs
from yingji.incidents import services
from yingji.incidents.jobs import ALARMS
from yingji.notify.models import Notice

from .factories import kind

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL stores a time before year 1 in UTC"
)

YEAR_ONE = datetime(1, 1, 1, tzinfo=clock.SHANGHAI)


@pytest.fixture
def year_one_report(library, hexie_lobby):
    """王大堂's report, its time of occurrence mistyped as 0001-01-01 and stored as it was typed (the
    service is called directly: the form and the API refuse it now)."""
    return services.report_incident(
        reporter=hexie_lobby,
        kind=kind("customer_injured"),
        unit=hexie_lobby.unit,
        occurred_at=YEAR_ONE,
        description="一位老年客户在大厅湿滑处摔倒",
    )


def test_its_alarm_job_runs_and_tells_the_chain(year_one_report):
    run_jobs(queue=ALARMS)
    assert not JobFailure.objects.filter(task_path__contains="raise_alarm").exists()
    assert Notice.objects.filter(subject_id=year_one_report.pk).exists()


def test_the_branch_manager_still_lists_and_opens_every_incident(client, year_one_report, hexie_manager):
    run_jobs(queue=ALARMS)
    client.force_login(hexie_manager.user)
    listing = client.get("/incidents/")
    assert listing.status_code == 200
    assert year_one_report.number in listing.content.decode()
    assert client.get(year_one_report.get_absolute_url()).status_code == 200
    word = client.get(f"/incidents/{year_one_report.number}/report.docx")
    assert word.status_code == 200
    assert word["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_api_lists_and_answers_it_with_a_valid_time(client, year_one_report, hexie_manager):
    out = StringIO()
    call_command("issue_token", "hexie_manager", stdout=out)
    headers = {"Authorization": f"Bearer {out.getvalue().strip()}"}
    listing = client.get("/api/v1/incidents", headers=headers)
    assert listing.status_code == 200
    detail = client.get(f"/api/v1/incidents/{year_one_report.pk}", headers=headers)
    assert detail.status_code == 200
    occurred = datetime.fromisoformat(detail.json()["occurred_at"])
    assert occurred.year == 1 and occurred.utcoffset() is not None
    assert occurred.utcoffset().total_seconds() % 60 == 0
