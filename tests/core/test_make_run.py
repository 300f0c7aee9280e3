"""`make run` as the person who types it sees it: the logins and the address last, the servers' lines in
var/log, one line per SMS, and the product's own pages with DEBUG off. Runs scripts/run.sh on a free port
against a database and var/ of its own; about a minute."""

import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNNING = re.compile(r"应急 Yingji is running: (http://127\.0\.0\.1:\d+/)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_make_run_ends_with_the_logins_and_the_address_and_shows_the_products_pages(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_DEBUG", "DJANGO_SECRET"))},
        "YINGJI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "PORT": str(free_port()),
    }
    run = subprocess.Popen(
        ["scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    printed: list[str] = []
    reader = threading.Thread(target=lambda: printed.extend(run.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        assert wait_for(lambda: any(RUNNING.search(line) for line in printed), 240), "".join(printed)
        time.sleep(1)  # the banner's last lines
        console = [line.rstrip("\n") for line in printed]
        shown = [line for line in console if line.strip()]
        url = RUNNING.search(next(line for line in console if RUNNING.search(line))).group(1)

        # The address, then where it can be reached from, close the banner; the logins come just before.
        running_at = next(i for i, line in enumerate(shown) if RUNNING.search(line))
        assert len(shown) - running_at <= 4 and shown[-1].startswith("=====")
        assert "密码 Password:" in shown[running_at - 1]
        # Nothing of the servers on the console: their lines are in var/log.
        assert not [line for line in console if "Task id=" in line or "SMS to" in line or "[INFO]" in line]

        # DEBUG off: the product's 404, not Django's page of URL patterns; static files still served.
        status, page = get(url + "no-such-page/")
        assert status == 404 and "未找到" in page and "URLconf" not in page
        css = re.search(r'href="(/static/css/yingji[^"]*\.css)"', get(url + "login/")[1]).group(1)
        assert get(url.rstrip("/") + css)[0] == 200

        # The demo's overdue complaints send SMS: one short line each in the worker's log, none twice.
        worker_log = tmp_path / "log" / "worker.log"
        assert wait_for(lambda: worker_log.exists() and "SMS to" in worker_log.read_text(), 90)
        lines = worker_log.read_text().splitlines()
        sms = [line for line in lines if line.startswith("SMS to")]
        assert sms and all(len(line) < 120 for line in sms)
        assert not [line for line in lines if line.startswith("请登录系统")]  # no second line of a text
        tasks = [line for line in lines if line.startswith("Task id=")]
        assert len(tasks) == len(set(tasks))
        assert "GET /no-such-page/" in (tmp_path / "log" / "web.log").read_text()
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        run.wait(60)
    assert "run: stopped." in "".join(printed)
