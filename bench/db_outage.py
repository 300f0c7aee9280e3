"""A database outage is survived, not fatal: proved against a real PostgreSQL that is stopped and started.

    .venv/bin/python bench/db_outage.py [--outage-seconds 10] [--debug] \\
        [--worker-cmd "manage.py jobs_worker --queue-name '*'"]

It creates a private PostgreSQL cluster in a temporary directory (initdb, on a free port of its own;
the machine's own cluster is never touched), migrates a database there and loads the demo bank, starts
gunicorn and the job worker against it (the worker's command line is the one `make run` uses, read
from scripts/run.sh, unless --worker-cmd names another), and signs a demo user in. Then it stops
PostgreSQL for --outage-seconds and checks that

- a page answers 503 with the Chinese page, `/api/v1/me` 503 JSON in the API's error shape, and
  `/healthz` 503, each with Retry-After, every time they are asked during the outage;
- the job worker is still running at the end of it;

starts PostgreSQL again and checks that the very first requests answer 200 (the page with the same
session, the API, the health check: nothing was restarted) and that a job enqueued after the return
runs. It prints each check, exits 1 if any failed (77 when PostgreSQL's initdb/pg_ctl are not
installed), and removes the cluster and stops every process it started, whatever happened.

PostgreSQL's programs are looked up on PATH, then in /usr/lib/postgresql/*/bin. As root, the cluster
runs as the `postgres` user (PostgreSQL refuses to run as root)."""

import argparse
import contextlib
import glob
import http.cookiejar
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
SKIP = 77  # what test harnesses read as "skipped"
USER = "hexie_manager"  # a demo person: outlet head of 和谐路营业部
PASSWORD = "Outage@2026-demo"


def pg_bin() -> Path | None:
    """The directory holding initdb, pg_ctl, createdb and psql (symbolic links on PATH followed)."""
    needed = ("initdb", "pg_ctl", "createdb", "psql")
    on_path = shutil.which("initdb")
    places = [str(Path(on_path).resolve().parent)] if on_path else []
    places += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]), reverse=True)
    for place in places:
        if all((Path(place) / program).exists() for program in needed):
            return Path(place)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_command(override: str | None) -> list[str]:
    """`make run`'s job worker (WORKER_CMD in scripts/run.sh), or the one given."""
    if override:
        words = shlex.split(override)
    else:
        line = next(
            ln
            for ln in (ROOT / "scripts" / "run.sh").read_text().splitlines()
            if ln.startswith("WORKER_CMD=(")
        )
        words = shlex.split(re.fullmatch(r"WORKER_CMD=\((.*)\)", line).group(1))
    words = [PY if w in ("$PY", "python", ".venv/bin/python") else w for w in words]
    return words if words[0] in (PY, "nice") else [PY, *words]


class Cluster:
    """A throw-away PostgreSQL cluster in `directory`, on `port`, trusting local connections."""

    def __init__(self, bindir: Path, directory: Path, port: int):
        self.bindir, self.dir, self.port = bindir, directory, port
        self.data = directory / "data"
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")  # KeyError: no postgres user to run it as
            os.chown(directory, entry.pw_uid, entry.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bindir / program), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.dir,
        )

    def init(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self.run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "postgres.log"), "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def psql(self, sql: str) -> str:
        where = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "yingji"]
        out = subprocess.run(
            [str(self.bindir / "psql"), *where, "-tAc", sql], check=True, capture_output=True, text=True
        )
        return out.stdout.strip()


class Browser:
    """A person's browser: keeps the session cookie, never follows redirects, never raises on a status."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=15) as answer:
                return answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, dict(answer.headers), answer.read().decode()

    def sign_in(self, username: str, password: str) -> int:
        self.request("/login/")
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        status, _headers, _body = self.request(
            "/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
            {"Referer": self.base + "/login/"},
        )
        return status


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def check(self, what: str, ok: bool, detail: str = "") -> bool:
        print(
            f"  {'ok  ' if ok else 'FAIL'} {what}{f'  ({detail})' if detail and not ok else ''}", flush=True
        )
        if not ok:
            self.failed.append(what)
        return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage-seconds", type=float, default=10)
    parser.add_argument("--worker-cmd", help="the job worker's command line (default: scripts/run.sh's)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    parser.add_argument("--debug", action="store_true", help="DJANGO_DEBUG=true, as `make run` runs")
    args = parser.parse_args()

    bindir = pg_bin()
    if bindir is None:
        print("db_outage: PostgreSQL's initdb and pg_ctl are not installed; nothing to try.")
        return SKIP
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            print("db_outage: running as root and there is no postgres user to run PostgreSQL as.")
            return SKIP

    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="yj-outage-"))
    cluster = Cluster(bindir, tmp, free_port())
    web_port = free_port()
    base = f"http://127.0.0.1:{web_port}"
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{cluster.port}/yingji",
        YINGJI_VAR_DIR=str(tmp / "var"),
        YINGJI_DEMO_PASSWORD=PASSWORD,
        DJANGO_DEBUG="true" if args.debug else "false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    processes: dict[str, subprocess.Popen] = {}
    checks = Checks()

    def manage(*words: str) -> str:
        out = subprocess.run(
            [PY, "manage.py", *words], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        return out.stdout

    def spawn(name: str, command: list[str]) -> None:
        log = open(tmp / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    try:
        worker = worker_command(args.worker_cmd)
        print(f"db_outage: private PostgreSQL on port {cluster.port} in {tmp}; web on {base}")
        print(f"db_outage: job worker: {shlex.join(worker)}")
        cluster.init()
        cluster.start()
        cluster.run("createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "yingji")
        manage("migrate", "--noinput")
        manage("load_demo")
        manage("collectstatic", "--noinput", "--verbosity", "0")
        token = manage("issue_token", USER).strip()
        api_headers = {"Authorization": f"Bearer {token}"}
        web = [
            "yingji.wsgi",
            "--bind",
            f"127.0.0.1:{web_port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
        ]
        spawn("gunicorn", [GUNICORN, *web, "--threads", "4", "--access-logfile", "-"])
        spawn("worker", worker)
        browser = Browser(base)
        for _ in range(150):
            try:
                if browser.request("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        print(f"db_outage: ready after {time.monotonic() - started:.0f} s")

        print("before the outage:")
        checks.check("healthz 200", browser.request("/healthz")[0] == 200)
        checks.check(f"{USER} signs in", browser.sign_in(USER, PASSWORD) == 302)
        status, _h, body = browser.request("/")
        checks.check("her home page 200 with her name", status == 200 and "郑和谐" in body, f"{status}")
        checks.check("GET /api/v1/me 200", browser.request("/api/v1/me", headers=api_headers)[0] == 200)

        cluster.stop("fast")
        down_at = time.monotonic()
        print(f"PostgreSQL stopped; for {args.outage_seconds:g} s:")
        answers: dict[str, list[int]] = {"page": [], "api": [], "healthz": []}
        first = True
        while True:
            status, headers, body = browser.request("/")
            answers["page"].append(status)
            if first:
                checks.check(
                    "a page answers 503 with the Chinese page and Retry-After",
                    status == 503 and "服务暂时不可用" in body and "Retry-After" in headers,
                    f"{status} {body[:120]!r}",
                )
            status, headers, body = browser.request("/api/v1/me", headers=api_headers)
            answers["api"].append(status)
            if first:
                try:
                    shape = json.loads(body)
                except ValueError:
                    shape = {}
                checks.check(
                    "/api/v1/me answers 503 JSON {error, message, fields} with Retry-After",
                    status == 503
                    and set(shape) == {"error", "message", "fields"}
                    and shape["error"] == "database_unavailable"
                    and "Retry-After" in headers,
                    f"{status} {body[:120]!r}",
                )
            status, headers, _body = browser.request("/healthz")
            answers["healthz"].append(status)
            if first:
                checks.check(
                    "/healthz answers 503 with Retry-After", status == 503 and "Retry-After" in headers
                )
            first = False
            if time.monotonic() - down_at >= args.outage_seconds:
                break
            time.sleep(0.5)
        for what, statuses in answers.items():
            checks.check(
                f"{what}: 503 every time ({len(statuses)} requests)",
                set(statuses) == {503},
                f"{sorted(set(statuses))}",
            )
        checks.check("the web server is still running", processes["gunicorn"].poll() is None)
        checks.check(
            "the job worker is still running",
            processes["worker"].poll() is None,
            f"exited with {processes['worker'].returncode}",
        )

        cluster.start()
        print(f"PostgreSQL started again after {time.monotonic() - down_at:.1f} s:")
        status, _h, body = browser.request("/")
        checks.check(
            "the first page after: 200, same session", status == 200 and "郑和谐" in body, f"{status}"
        )
        checks.check(
            "the first API call after: 200", browser.request("/api/v1/me", headers=api_headers)[0] == 200
        )
        checks.check("the first health check after: 200", browser.request("/healthz")[0] == 200)
        statuses = [browser.request(path)[0] for path in ("/", "/incidents/", "/complaints/", "/healthz") * 4]
        checks.check(
            f"every thread answers again ({len(statuses)} requests: all 200)",
            set(statuses) == {200},
            f"{statuses}",
        )

        job_id = manage(
            "shell",
            "-c",
            "from yingji.notify.tasks import deliver_notices as job; print(job.enqueue(notice_ids=[]).id)",
        ).split()[-1]
        enqueued = time.monotonic()
        state = ""
        while time.monotonic() - enqueued < 60:
            state = cluster.psql(
                f"SELECT status FROM django_tasks_database_dbtaskresult WHERE id = '{job_id}'"
            )
            if state in ("SUCCESSFUL", "FAILED") or processes["worker"].poll() is not None:
                break
            time.sleep(0.5)
        checks.check(
            f"a job enqueued after the return runs ({time.monotonic() - enqueued:.1f} s)",
            state == "SUCCESSFUL",
            f"status {state or 'unknown'}"
            + (", the worker is not running" if processes["worker"].poll() is not None else ""),
        )
        outage_lines = (tmp / "gunicorn.log").read_text().count("database unavailable, answering 503")
        requests = sum(len(s) for s in answers.values())
        print(
            f"  the web log says the outage began {outage_lines} time(s) for {requests} requests answered 503"
        )
    except subprocess.CalledProcessError as exc:
        print(f"db_outage: {shlex.join(map(str, exc.cmd))} failed:\n{exc.stderr}", file=sys.stderr)
        checks.failed.append("setup")
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            cluster.stop("immediate")
        if args.keep or checks.failed:
            shutil.rmtree(cluster.data, ignore_errors=True)
            print(f"db_outage: logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    took = time.monotonic() - started
    if checks.failed:
        print(f"db_outage: {len(checks.failed)} check(s) failed in {took:.0f} s: {'; '.join(checks.failed)}")
        return 1
    print(f"db_outage: every check passed in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
