"""The situation board at head-office scale (issue 20, Performance): head office with 10,000 units and
500 open incidents; the board under 300 ms at p95 and within 3× a bare Django page in the same run.

What it does, in one run:
  1. a scratch PostgreSQL database `bench_board` (dropped and created): migrate, the demo bank, the plan
     library and the warning rules; then generated data, bulk-written (data, not a service path):
     --branches branches under head office, each with --subs sub-branches of --outlets outlets (20 × 10 ×
     49 ≈ 10,000 units with the demo's), --incidents open incidents at random outlets (levels Ⅰ/Ⅱ/Ⅲ,
     reported up to two days ago), each with three notices (one acknowledged) and two tasks (one overdue),
     and --warnings active warnings; 周应急 (head office) gets a signed-in session written straight into
     the session table;
  2. in-process: the board's queries counted (the number must not depend on the data);
  3. gunicorn on `bench.bare_wsgi` (the project plus GET /bench/django-read: one row read by a Django view
     behind the whole middleware stack), gthread workers, DJANGO_DEBUG=false, persistent connections;
  4. closed loops of --clients clients for --seconds each, twice, alternating:
       bare   GET /bench/django-read?id=1, no cookie: one row read by a Django view;
       page   GET /bench/django-page as 周应急: the product's layout with nothing in it (base.html), the
              bare page of a signed-in person, which the board is measured against;
       board  GET / as 周应急: head office's home page, the board (kept while nothing changes);
       drawn  the same while a writer adds a timeline entry to an open incident every 10 ms, so that
              (nearly) every request finds the board changed and draws it anew: the worst case;
       poll   GET /reports/board/HQ/live/?v=<version>: the live region's poll when nothing changed (204).
Results as Markdown on stdout (for bench/RESULTS.md) and var/bench/situation_board.json.

Needs PostgreSQL on 127.0.0.1:5432 with trust auth for `postgres` (BENCH_PG overrides). From the repo
root:   .venv/bin/python bench/situation_board.py [--clients 4] [--seconds 15]
"""

import argparse
import http.client
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incident_surge import SERVER_ENV, db_url, percentile, recreate

REPO = Path(__file__).resolve().parent.parent
DB = "bench_board"
LOG_DIR = REPO / "var" / "bench"
BARE = "/bench/django-read?id=1"
PAGE = "/bench/django-page"
BARE_READ, BARE_PAGE = "bare Django read", "bare Django page, signed in"
BOARD, DRAWN = "board (head office home page)", "board drawn anew for every request"
POLL = "board poll, nothing changed (204)"
VERSION = re.compile(rb'id="yj-board-version" name="v" value="([^"]+)"')


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- 1. the database -------------------------------------------------------------------------------


def build(args) -> dict:
    recreate(DB)
    os.environ.update(SERVER_ENV, DATABASE_URL=db_url(DB))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection, connections, transaction

    from yingji.incidents.models import Incident, Status, Task
    from yingji.monitoring.defaults import ensure_rules
    from yingji.monitoring.models import SignalWarning, WarningRule, WarningStatus
    from yingji.notify.defaults import ensure_defaults
    from yingji.notify.models import Notice
    from yingji.orgs.demo import load_demo
    from yingji.orgs.models import Person, Unit, UnitType
    from yingji.plans.loader import load_library
    from yingji.plans.models import EventKind

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    load_demo()
    load_library()
    ensure_defaults()
    ensure_rules()
    rng = random.Random(20)
    hq = Unit.objects.get(code="HQ")
    outlets: list[Unit] = []
    with transaction.atomic():
        for b in range(args.branches):
            branch = hq.add_child(code=f"B{b:02d}", name=f"第{b + 1}分行", type=UnitType.BRANCH)
            subs, below = [], []
            for s in range(args.subs):
                path = Unit._get_path(branch.path, branch.depth + 1, s + 1)
                subs.append(
                    Unit(
                        path=path,
                        depth=branch.depth + 1,
                        numchild=args.outlets,
                        code=f"B{b:02d}S{s:02d}",
                        name=f"第{b + 1}分行第{s + 1}支行",
                        type=UnitType.SUB_BRANCH,
                    )
                )
                for o in range(args.outlets):
                    below.append(
                        Unit(
                            path=Unit._get_path(path, branch.depth + 2, o + 1),
                            depth=branch.depth + 2,
                            numchild=0,
                            code=f"B{b:02d}S{s:02d}O{o:02d}",
                            name=f"第{b + 1}分行第{s + 1}支行第{o + 1}网点",
                            type=UnitType.OUTLET,
                        )
                    )
            Unit.objects.bulk_create(subs)
            outlets += Unit.objects.bulk_create(below)
            Unit.objects.filter(pk=branch.pk).update(numchild=args.subs)
        reporter = Person.objects.get(user__username="hexie_lobby")
        recipients = list(Person.objects.order_by("pk")[:10])
        kinds = list(EventKind.objects.order_by("pk"))
        now = datetime.now(UTC)
        incidents = []
        for n in range(args.incidents):
            level = rng.choices(["I", "II", "III"], weights=[1, 4, 15])[0]
            reported = now - timedelta(minutes=rng.randint(1, 48 * 60))
            incidents.append(
                Incident(
                    number=f"YJ-BENCH-{n:06d}",
                    kind=rng.choice(kinds),
                    unit=rng.choice(outlets),
                    reporter=reporter,
                    occurred_at=reported - timedelta(minutes=5),
                    reported_at=reported,
                    description="生成的基准数据",
                    level=level,
                    classified_level=level,
                    status=rng.choice([Status.REPORTED, Status.ACTIVATED, Status.RESPONDING]),
                )
            )
        incidents = Incident.objects.bulk_create(incidents)
        notices, tasks = [], []
        for i in incidents:
            for k in range(3):
                notices.append(
                    Notice(
                        subject_type="incidents.incident",
                        subject_id=i.pk,
                        unit=i.unit,
                        recipient=recipients[k],
                        title=f"{i.number} 通知",
                        url=f"/incidents/{i.number}/",
                        reason="基准",
                        created_at=i.reported_at,
                        ack_due_at=i.reported_at + timedelta(minutes=15),
                        acknowledged_at=i.reported_at + timedelta(minutes=3) if k == 0 else None,
                        key=f"bench:{i.pk}:{k}",
                    )
                )
            for k in range(2):
                tasks.append(
                    Task(
                        incident=i,
                        order=k,
                        title="生成的任务",
                        created_at=i.reported_at,
                        due_at=now - timedelta(minutes=10) if k == 0 else now + timedelta(hours=1),
                    )
                )
        Notice.objects.bulk_create(notices, batch_size=2000)
        Task.objects.bulk_create(tasks, batch_size=2000)
        rule = WarningRule.objects.filter(unit_type=UnitType.OUTLET).order_by("pk").first()
        SignalWarning.objects.bulk_create(
            [
                SignalWarning(
                    rule=rule,
                    unit=rng.choice(outlets),
                    source="bench",
                    level=rule.level,
                    title=f"排队超过30人（{40 + n}人）",
                    status=WarningStatus.RAISED,
                    threshold=rule.threshold,
                    value=40 + n,
                    condition_since=now - timedelta(minutes=n),
                    raised_at=now - timedelta(minutes=n),
                )
                for n in range(args.warnings)
            ]
        )
    user = Person.objects.select_related("user").get(user__username="hq_duty").user
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    with connection.cursor() as cursor:  # the bare read's one row
        cursor.execute(
            "CREATE TABLE bench_bare (id bigserial PRIMARY KEY, key varchar(100) NOT NULL, "
            "body jsonb NOT NULL, at timestamptz NOT NULL)"
        )
        cursor.execute("INSERT INTO bench_bare (key, body, at) VALUES ('one', '{\"n\": 1}', now())")
        cursor.execute("ANALYZE")
    units = Unit.objects.count()
    queries = count_queries(user)
    connections.close_all()
    log(
        f"database {DB}: {units} units, {len(incidents)} open incidents, "
        f"in {time.monotonic() - started:.0f} s"
    )
    return {"cookie": f"sessionid={session.session_key}", "units": units, "queries": queries}


def count_queries(user) -> int:
    """The statements one board costs, in-process (the same for any amount of data)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yingji.reports import board

    root = board.board_root(user)
    with CaptureQueriesContext(connection) as captured:
        board.board(user, root)
    return len(captured.captured_queries)


# --- 2. the server ---------------------------------------------------------------------------------


class Server:
    def __init__(self, args):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **SERVER_ENV, "DATABASE_URL": db_url(DB)}
        self.out = open(LOG_DIR / "board-gunicorn.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                str(REPO / ".venv" / "bin" / "gunicorn"),
                "--chdir",
                str(REPO),
                "bench.bare_wsgi:application",
                "-w",
                str(args.web_workers),
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "-b",
                f"127.0.0.1:{args.port}",
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=env,
            stdout=self.out,
            stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not come up: see var/bench/board-gunicorn.log")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.out.close()


def get(conn_box: list, port: int, path: str, headers: dict) -> tuple[int, bytes]:
    for attempt in (1, 2):
        if conn_box[0] is None:
            conn_box[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn_box[0].request("GET", path, None, headers)
            response = conn_box[0].getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            conn_box[0].close()
            conn_box[0] = None
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def churn(deadline: float) -> None:
    """Changes on the board every 10 ms: a timeline entry written to an open incident, straight in SQL."""
    import psycopg

    with psycopg.connect(db_url(DB), autocommit=True) as conn:
        incident = conn.execute("SELECT min(id) FROM incidents_incident").fetchone()[0]
        while time.monotonic() < deadline:
            conn.execute(
                "INSERT INTO incidents_timelineentry (incident_id, at, event, text, data) "
                "VALUES (%s, now(), 'comment', '基准', '{}')",
                [incident],
            )
            time.sleep(0.01)


def closed_loop(args, name: str, path: str, headers: dict, expect: int, churn: bool = False) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def work() -> None:
        box: list = [None]
        mine = []
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            status, _body = get(box, args.port, path, headers)
            mine.append((time.perf_counter() - t0) * 1000)
            if status != expect:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(args.clients)]
    if churn:
        threads.append(threading.Thread(target=globals()["churn"], args=(deadline,)))
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    result = {
        "name": name,
        "requests": len(latencies),
        "errors": errors[0],
        "rps": round(len(latencies) / elapsed, 1),
        "p50": round(percentile(latencies, 50), 1),
        "p95": round(percentile(latencies, 95), 1),
        "p99": round(percentile(latencies, 99), 1),
    }
    log(f"{name}: {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=20)
    parser.add_argument("--subs", type=int, default=10)
    parser.add_argument("--outlets", type=int, default=49)
    parser.add_argument("--incidents", type=int, default=500)
    parser.add_argument("--warnings", type=int, default=40)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    built = build(args)
    server = Server(args)
    try:
        signed_in = {"Cookie": built["cookie"], "Host": "127.0.0.1"}
        status, body = get([None], args.port, "/", signed_in)
        found = VERSION.search(body)
        if status != 200 or found is None:
            raise SystemExit(f"head office's home page answered {status} without a board")
        poll = f"/reports/board/HQ/live/?v={found.group(1).decode()}"
        plain = {"Host": "127.0.0.1"}
        for path, headers in ((BARE, plain), (PAGE, signed_in), ("/", signed_in), (poll, signed_in)):
            for _ in range(5):  # warm-up
                get([None], args.port, path, headers)
        rounds = []
        for _ in range(2):
            rounds.append(closed_loop(args, BARE_READ, BARE, plain, 200))
            rounds.append(closed_loop(args, BARE_PAGE, PAGE, signed_in, 200))
            rounds.append(closed_loop(args, BOARD, "/", signed_in, 200))
            rounds.append(closed_loop(args, DRAWN, "/", signed_in, 200, churn=True))
            status, body = get([None], args.port, "/", signed_in)  # the version after the changes above
            poll = f"/reports/board/HQ/live/?v={VERSION.search(body).group(1).decode()}"
            rounds.append(closed_loop(args, POLL, poll, signed_in, 204))
    finally:
        server.stop()
    result = {
        "args": vars(args),
        "built": {k: v for k, v in built.items() if k != "cookie"},
        "rounds": rounds,
    }
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    (LOG_DIR / "situation_board.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(markdown(args, built, rounds))


def markdown(args, built: dict, rounds: list[dict]) -> str:
    def mean(name: str, key: str) -> float:
        values = [r[key] for r in rounds if r["name"] == name]
        return round(sum(values) / len(values), 1)

    lines = [
        f"{datetime.now(UTC):%Y-%m-%d} (UTC) · {platform.node()} ({os.cpu_count()} cores) · PostgreSQL on "
        f"127.0.0.1 · gunicorn {args.web_workers} gthread workers × 4 threads · {args.clients} clients, "
        f"{args.seconds:.0f} s per phase, two rounds · {built['units']} units, {args.incidents} open "
        f"incidents, {args.warnings} active warnings · one board drawn: {built['queries']} queries",
        "",
        "| phase | round | requests | errors | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    per_round = len(rounds) // 2
    for i, r in enumerate(rounds):
        lines.append(
            f"| {r['name']} | {i // per_round + 1} | {r['requests']} | {r['errors']} | {r['rps']} | "
            f"{r['p50']} | {r['p95']} | {r['p99']} |"
        )
    page = mean(BARE_PAGE, "p95")
    for name in (BOARD, DRAWN):
        p95 = mean(name, "p95")
        under, within = p95 < 300, p95 <= 3 * page
        lines.append(
            f"- {name}: p95 {p95} ms (target < 300 ms: **{'met' if under else 'missed'}**); "
            f"{p95 / page:.2f}× the bare page's p95 {page} ms (≤ 3: **{'met' if within else 'missed'}**)"
        )
    poll = mean(POLL, "p95")
    lines.append(f"- poll with nothing changed: p95 {poll} ms, {poll / page:.2f}× the bare page")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
