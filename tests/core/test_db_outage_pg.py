"""A ten-second PostgreSQL outage, for real (bench/db_outage.py): a private cluster is stopped under a
running gunicorn and job worker and started again. About 45 s; skipped where PostgreSQL's initdb and
pg_ctl are not installed. The worker is the one `make run` starts (WORKER_CMD in scripts/run.sh)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = 77

pytestmark = pytest.mark.outage


def test_pages_the_api_the_health_check_and_the_worker_survive_postgresql_stopped_for_ten_seconds():
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "db_outage.py"), "--outage-seconds", "10"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if run.returncode == SKIPPED:
        pytest.skip(run.stdout.strip())
    assert run.returncode == 0, run.stdout + run.stderr
