"""A live drill run on PostgreSQL with 200 players on phones (the drills issue, Performance).

Targets: a released inject reaches every player's page within 2 s at p95; a poll that finds nothing new
costs no more than 1.5× a bare Django read in the same run (poll req/s ≥ bare req/s / 1.5).

What it does, in one run:
  1. a scratch database `bench_drill` (dropped and created): migrate, the demo bank, and a drill of
     和谐支行 with 200 generated players (people of its two outlets, bulk-written: data, not a service
     path) and 韩应急 as its controller. Its script, written through the services before the briefing:
     for each paced phase, events the controller releases by hand (far in the script, so only the button
     releases them) and events that fall due by running time during that phase. Each player and the
     controller get a signed-in session written straight into the session table (no 200 logins);
  2. gunicorn on `bench.bare_wsgi` (the project plus GET /bench/django-read: one row read by a Django
     view behind the whole middleware stack), gthread workers as docs/operations.md runs them,
     DJANGO_DEBUG=false, persistent connections; a warm-up of every URL measured;
  3. the controller starts the clock, and every phone opens the run page (its first mark);
  4. the phases, load from threads of this process (http.client, a kept-alive connection per client):
       (a) bare   closed loop: --clients clients GET /bench/django-read for --seconds, without a
                  cookie, then again with a phone's session cookie (which costs any signed-in request
                  its session: read, and written back while SESSION_SAVE_EVERY_REQUEST is on);
       (b) poll   closed loop: the same clients poll the live region for --seconds, each request as the
                  next phone (its own session cookie, its own mark): every answer must be 204;
                  (a) and (b) run twice, alternating, and the ratios are taken from their means;
       (c) paced  for each interval of --intervals: every phone (and the controller's page) polls every
                  interval from a random phase, as htmx does; the controller releases an event by hand
                  (POST, as the button does) or one falls due by the clock, alternately, every --gap
                  seconds; for each player and event, the time from the release (the button's request
                  sent, or the running time reaching the event's offset) to the answer of the first poll
                  that shows it.
Results as Markdown on stdout (for bench/RESULTS.md) and var/bench/drill_poll.json.

Needs PostgreSQL on 127.0.0.1:5432 with trust auth for `postgres` (BENCH_PG overrides). From the repo
root:   .venv/bin/python bench/drill_poll.py [--players 200] [--intervals 3,1.5,1] [--clients 16]
        [--settings bench.settings_session_not_renewed]
"""

import argparse
import heapq
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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from incident_surge import SERVER_ENV, cpu_by_group, cpu_times, db_url, percentile, recreate

REPO = Path(__file__).resolve().parent.parent
DB = "bench_drill"
LOG_DIR = REPO / "var" / "bench"
BARE = "/bench/django-read?id=1"
OUTLETS = ["JN0101", "JN0102"]
# The running time by which every phone has opened the run page and both closed-loop rounds are over:
# the paced phases' events are written into the script (before the start) from here on.
SETUP_SECONDS = 40
CLOSED = ("bare Django read", "bare Django read, signed in", "poll, nothing new")
CLOSED_ROUNDS = 2
MARK = re.compile(rb'name="since" value="([^"]*)"')
PASS = re.compile(rb'name="pass" value="([^"]*)"')
SHOWN = re.compile(rb'data-yj-inject="(\d+)"')
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- 1. the database -------------------------------------------------------------------------------


@dataclass
class Event:
    number: int
    inject_id: int
    at: float  # seconds into its paced phase
    by_hand: bool
    offset: int  # in the script (running time)
    released: float = 0.0  # wall time (time.time()) of the release


@dataclass
class Script:
    drill_id: int
    player_cookies: list[str]
    controller_cookie: str
    phases: list[dict]  # per paced phase: interval, starts (running time), length, events


def phase_plan(args) -> list[dict]:
    """When each paced phase starts in running time, how long it lasts, and when its events come."""
    plans = []
    start = SETUP_SECONDS + CLOSED_ROUNDS * len(CLOSED) * args.seconds + 10
    for interval in (float(i) for i in args.intervals.split(",")):
        lead = 2 * interval
        events = [(lead + k * args.gap, k % 2 == 0) for k in range(args.events)]
        length = lead + args.events * args.gap + max(args.gap, 2 * interval)
        plans.append({"interval": interval, "starts": start, "length": length, "events": events})
        start += length + 5
    return plans


def build(args) -> Script:
    recreate(DB)
    os.environ.update(SERVER_ENV, DATABASE_URL=db_url(DB))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection, connections, transaction

    from yingji.drills import services
    from yingji.drills.models import Participant
    from yingji.orgs.demo import load_demo
    from yingji.orgs.models import Person, Unit

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    load_demo()
    admin = Person.objects.select_related("user", "unit").get(user__username="hexie_admin")
    sub_branch = Unit.objects.get(code="JN01")
    outlets = list(Unit.objects.filter(code__in=OUTLETS).order_by("code"))
    drill = services.create_from_scratch(
        actor=admin.user, unit=sub_branch, units=[sub_branch, *outlets], title="全辖营业网点客户受伤联合演练"
    )
    with transaction.atomic():  # the players: generated data, bulk-written
        unusable = make_password(None)
        users = User.objects.bulk_create(
            [User(username=f"drill_player_{n:03d}", password=unusable) for n in range(args.players)]
        )
        people = Person.objects.bulk_create(
            [
                Person(user=u, unit=outlets[n % len(outlets)], name=f"演练员{n:03d}", mobile=f"137{n:08d}")
                for n, u in enumerate(users)
            ]
        )
        Participant.objects.bulk_create(
            [Participant(drill=drill, person=p, name=p.name, role=Participant.Role.PLAYER) for p in people]
        )
    services.add_participant(actor=admin.user, drill=drill, role="controller", person=admin)
    phases = phase_plan(args)
    for p, plan in enumerate(phases):
        events = []
        for k, (at, by_hand) in enumerate(plan["events"]):
            inject = services.add_inject(
                actor=admin.user,
                drill=drill,
                # By hand: far in the script, so only the button releases it. By the clock: when the
                # running time reaches the moment of the phase it is planned for.
                offset_seconds=36_000 + 100 * p + k if by_hand else int(plan["starts"] + at),
                text=f"第{p + 1}轮第{k + 1}个事件：" + ("导调人工下发" if by_hand else "按脚本时间到点下发"),
                channel="in_app",
            )
            events.append(Event(inject.number, inject.pk, at, by_hand, inject.offset_seconds))
        plan["events"] = events
    services.issue_briefing(actor=admin.user, drill=drill)

    def session_of(user) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return f"sessionid={session.session_key}"

    cookies = [session_of(u) for u in users]
    controller = session_of(admin.user)
    with connection.cursor() as cursor:  # the bare read's one row
        cursor.execute(
            "CREATE TABLE bench_bare (id bigserial PRIMARY KEY, key varchar(100) NOT NULL, "
            "body jsonb NOT NULL, at timestamptz NOT NULL)"
        )
        cursor.execute("INSERT INTO bench_bare (key, body, at) VALUES ('one', '{\"n\": 1}', now())")
    connections.close_all()
    log(f"database {DB}: drill {drill.pk}, {len(users)} players, in {time.monotonic() - started:.0f} s")
    return Script(drill.pk, cookies, controller, phases)


def start_the_clock(script: Script) -> float:
    """The controller starts the drill (the service, as the button calls it); the wall time it started."""
    from django.db import connections

    from yingji.drills import services
    from yingji.drills.models import Drill
    from yingji.orgs.models import Person

    admin = Person.objects.select_related("user").get(user__username="hexie_admin").user
    drill = services.start_run(actor=admin, drill=Drill.objects.get(pk=script.drill_id))
    connections.close_all()
    return drill.started_at.timestamp()


# --- 2. the server ---------------------------------------------------------------------------------


class Server:
    def __init__(self, args):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            **SERVER_ENV,
            "DATABASE_URL": db_url(DB),
            "DJANGO_SETTINGS_MODULE": args.settings,
        }
        self.out = open(LOG_DIR / "drill-gunicorn.log", "w")  # noqa: SIM115
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
                str(args.threads),
                "-b",
                f"127.0.0.1:{args.port}",
                "--backlog",
                "2048",
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
        raise SystemExit("gunicorn did not come up: see var/bench/drill-gunicorn.log")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.out.close()


# --- 3. the clients --------------------------------------------------------------------------------


class Client:
    """One kept-alive connection, reconnecting when the server closed it while idle (gthread workers
    keep an idle connection 2 s), as a phone's browser does."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def send(self, method: str, path: str, headers: dict, body: bytes | None = None):
        for attempt in (1, 2):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body, headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response, data
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 2 or fresh:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Phone:
    n: int  # -1: the controller's page
    cookie: str
    mark: str = ""
    held: str = ""  # the poll pass the region was drawn with (drills/poll_pass.py)
    client: Client | None = None
    seen: dict[int, float] = field(default_factory=dict)  # inject number → wall time first shown

    def live_path(self, drill_id: int) -> str:
        return f"/drills/{drill_id}/run/live/?since={self.mark}&pass={self.held}"

    def read(self, body: bytes, at: float) -> None:
        found = MARK.search(body)
        if found:
            self.mark = found.group(1).decode()
        if held := PASS.search(body):
            self.held = held.group(1).decode()
        for number in SHOWN.findall(body):
            self.seen.setdefault(int(number), at)


def open_pages(args, script: Script, phones: list[Phone]) -> None:
    """Every phone opens the run page: the page it polls from, with its first mark."""

    def work(chunk: list[Phone]) -> None:
        for phone in chunk:
            response, body = phone.client.send(
                "GET", f"/drills/{script.drill_id}/run/", {"Cookie": phone.cookie}
            )
            if response.status != 200:
                raise SystemExit(f"the run page answered {response.status} to phone {phone.n}")
            phone.read(body, time.time())

    threads = [threading.Thread(target=work, args=(phones[i :: args.clients],)) for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def closed_loop(args, name: str, request, seconds: float | None = None) -> dict:
    """--clients clients send `request(i)` (the i-th request of the phase) back to back for --seconds."""
    counter = iter(range(10**9))
    lock = threading.Lock()
    results: list[tuple[int, float]] = []  # (status, seconds)
    deadline = time.monotonic() + (seconds or args.seconds)

    def work() -> None:
        client = Client(args.port)
        mine = []
        while time.monotonic() < deadline:
            with lock:
                i = next(counter)
            path, headers = request(i)
            sent = time.monotonic()
            try:
                response, _ = client.send("GET", path, headers)
                mine.append((response.status, time.monotonic() - sent))
            except (OSError, http.client.HTTPException):
                mine.append((0, time.monotonic() - sent))
        client.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(args.clients)]
    load = os.getloadavg()[0]
    before, began = cpu_times(), time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - began
    cpu = cpu_by_group(before, cpu_times())
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    expected = 200 if name.startswith("bare") else 204
    ok = statuses.get(expected, 0)
    summary = {
        "phase": name,
        "requests": len(results),
        "ok": ok,
        "statuses": statuses,
        "wall_s": round(wall, 2),
        "per_s": round(ok / wall, 1),
        "latency_ms": ms([s for status, s in results if status == expected]),
        "cpu_ms_per_request": {k: round(v * 1000 / max(ok, 1), 2) for k, v in cpu.items()},
        "load_average": round(load, 1),
    }
    log(
        f"  {name}: {ok}/{len(results)} {statuses} = {summary['per_s']}/s, latency {summary['latency_ms']}, "
        f"CPU ms/request {summary['cpu_ms_per_request']}"
    )
    return summary


def ms(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    scaled = [v * 1000 for v in values]
    return {f"p{p}": round(percentile(scaled, p), 1) for p in (50, 95, 99)} | {"max": round(max(scaled), 1)}


def paced(args, script: Script, phones: list[Phone], controller: Phone, plan: dict, started: float) -> dict:
    """Every phone polls every `interval` from its own random phase; events are released as planned."""
    interval, events = plan["interval"], plan["events"]
    wait = started + plan["starts"] - time.time()
    if wait < -1:
        raise SystemExit(f"the phases before ran {-wait:.0f} s late: raise SETUP_SECONDS")
    time.sleep(max(wait, 0))
    t0 = time.time()
    end = t0 + plan["length"]
    rng = random.Random(int(interval * 1000))
    everyone = [*phones, controller]
    queue = [(t0 + rng.uniform(0, interval), phone.n, phone) for phone in everyone]
    heapq.heapify(queue)
    lock = threading.Lock()
    polls: list[tuple[int, float]] = []  # (status, seconds)

    def poller() -> None:
        mine = []
        while True:
            with lock:
                if not queue or queue[0][0] > end:
                    break
                due, n, phone = heapq.heappop(queue)
            time.sleep(max(0.0, due - time.time()))
            sent = time.time()
            try:
                response, body = phone.client.send(
                    "GET", phone.live_path(script.drill_id), {"Cookie": phone.cookie}
                )
                done = time.time()
                if response.status == 200:
                    phone.read(body, done)
                mine.append((response.status, done - sent))
            except (OSError, http.client.HTTPException):
                mine.append((0, time.time() - sent))
            with lock:  # htmx's timer: the next poll an interval after this one was due, or at once
                heapq.heappush(queue, (max(due + interval, time.time()), n, phone))
        with lock:
            polls.extend(mine)

    token: dict[str, str] = {}

    def controller_acts() -> None:
        client = Client(args.port)
        response, body = client.send("GET", f"/drills/{script.drill_id}/run/", {"Cookie": controller.cookie})
        csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "") or "")
        token["cookie"] = f"{controller.cookie}; csrftoken={csrf.group(1)}" if csrf else controller.cookie
        token["form"] = CSRF.search(body).group(1).decode()
        for event in events:
            at = t0 + event.at
            if not event.by_hand:
                event.released = started + event.offset  # the running time reaches it (never paused)
                continue
            time.sleep(max(0.0, at - time.time()))
            event.released = time.time()
            response, _ = client.send(
                "POST",
                f"/drills/{script.drill_id}/run/injects/{event.inject_id}/release/",
                {
                    "Cookie": token["cookie"],
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                f"csrfmiddlewaretoken={token['form']}".encode(),
            )
            if response.status != 302:
                log(f"  the release of event {event.number} answered {response.status}")
        client.close()

    threads = [threading.Thread(target=poller) for _ in range(args.pollers)]
    acting = threading.Thread(target=controller_acts)
    load = os.getloadavg()[0]
    before = cpu_times()
    for t in [*threads, acting]:
        t.start()
    for t in [*threads, acting]:
        t.join()
    wall = time.time() - t0
    cpu = cpu_by_group(before, cpu_times())
    delays, missed = [], 0
    by_kind: dict[str, list[float]] = {"by hand": [], "by the clock": []}
    for event in events:
        for phone in phones:
            seen = phone.seen.get(event.number)
            if seen is None:
                missed += 1
                continue
            delay = seen - event.released
            delays.append(delay)
            by_kind["by hand" if event.by_hand else "by the clock"].append(delay)
    statuses: dict[int, int] = {}
    for status, _ in polls:
        statuses[status] = statuses.get(status, 0) + 1
    summary = {
        "phase": f"paced, every {interval:g} s",
        "interval_s": interval,
        "wall_s": round(wall, 1),
        "polls": len(polls),
        "polls_per_s": round(len(polls) / wall, 1),
        "statuses": statuses,
        "poll_latency_ms": {
            "204": ms([s for status, s in polls if status == 204]),
            "200": ms([s for status, s in polls if status == 200]),
        },
        "events": len(events),
        "deliveries": len(delays),
        "missed": missed,
        "release_to_page_s": {k: round(v / 1000, 2) for k, v in ms(delays).items()},
        "by_kind_s": {k: {q: round(v / 1000, 2) for q, v in ms(d).items()} for k, d in by_kind.items()},
        "cpu_ms_per_poll": {k: round(v * 1000 / max(len(polls), 1), 2) for k, v in cpu.items()},
        "cpu_cores": {k: round(v / wall, 2) for k, v in cpu.items()},
        "load_average": round(load, 1),
    }
    log(
        f"  paced every {interval:g} s: {len(polls)} polls {statuses}, release → page "
        f"{summary['release_to_page_s']} ({missed} missed), poll ms {summary['poll_latency_ms']}, "
        f"cores {summary['cpu_cores']}"
    )
    return summary


# --- the run ---------------------------------------------------------------------------------------


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def markdown(args, result: dict) -> str:
    closed = result["closed"]

    def mean(name: str) -> float:
        rates = [p["per_s"] for p in closed if p["phase"] == name]
        return sum(rates) / len(rates)

    bare, signed_in, poll = (mean(name) for name in CLOSED)
    ratio = bare / poll
    lines = [
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} ({os.cpu_count()} cores) · "
        f"PostgreSQL on 127.0.0.1 · "
        f"commit {result['commit']} · settings `{args.settings}` · gunicorn {args.web_workers} gthread "
        f"workers × {args.threads} threads, "
        f"`DJANGO_DEBUG=false`, persistent connections · {args.players} players + the controller · load "
        f"generator on the same machine ({args.clients} closed-loop clients, {args.pollers} paced pollers)",
        "",
        "| phase | answered | req/s | p50 ms | p95 ms | p99 ms | gunicorn CPU ms/req | PostgreSQL "
        "| load generator | load average |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in closed:
        lat, cpu = p["latency_ms"], p["cpu_ms_per_request"]
        lines.append(
            f"| {p['phase']} | {p['ok']}/{p['requests']} | {p['per_s']} | {lat.get('p50')} | "
            f"{lat.get('p95')} | {lat.get('p99')} | {cpu.get('gunicorn', 0)} | {cpu.get('postgresql', 0)} | "
            f"{cpu.get('load generator', 0)} | {p['load_average']} |"
        )
    lines += [
        "",
        "| paced phase | polls/s | 204 / 200 | poll p95 ms (204 · 200) | release → page p50 / p95 / max s "
        "| by hand p95 | by the clock p95 | missed | cores: gunicorn · PostgreSQL · load generator "
        "| load average |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in result["paced"]:
        d, k, c = p["release_to_page_s"], p["by_kind_s"], p["cpu_cores"]
        lines.append(
            f"| every {p['interval_s']:g} s | {p['polls_per_s']} | {p['statuses'].get(204, 0)} / "
            f"{p['statuses'].get(200, 0)} | {p['poll_latency_ms']['204'].get('p95')} · "
            f"{p['poll_latency_ms']['200'].get('p95')} | {d.get('p50')} / {d.get('p95')} / {d.get('max')} | "
            f"{k['by hand'].get('p95')} | {k['by the clock'].get('p95')} | {p['missed']} of "
            f"{p['events'] * args.players} | {c.get('gunicorn', 0)} · {c.get('postgresql', 0)} · "
            f"{c.get('load generator', 0)} | {p['load_average']} |"
        )
    lines += ["", "Targets:", ""]
    lines.append(
        f"- a poll that finds nothing new costs ≤ 1.5× the bare Django read: {met(ratio <= 1.5)}: "
        f"{bare:.0f} / {poll:.0f} req/s = {ratio:.2f}×"
    )
    lines.append(
        f"- the same against the bare read sent by a signed-in phone (the same, sent with a session cookie): "
        f"{met(signed_in / poll <= 1.5)}: {signed_in:.0f} / {poll:.0f} req/s = {signed_in / poll:.2f}×"
    )
    for p in result["paced"]:
        p95 = p["release_to_page_s"].get("p95", float("inf"))
        lines.append(
            f"- a released inject on every player's page within 2 s at p95, polling every "
            f"{p['interval_s']:g} s: "
            f"{met(p95 <= 2 and not p['missed'])}: p95 {p95} s, max {p['release_to_page_s'].get('max')} s, "
            f"{p['missed']} never shown"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--intervals", default="3,1.5,1", help="poll intervals of the paced phases, seconds")
    parser.add_argument("--seconds", type=float, default=15, help="length of each closed-loop phase")
    parser.add_argument("--clients", type=int, default=16, help="closed-loop clients")
    parser.add_argument("--pollers", type=int, default=32, help="threads sending the paced polls")
    parser.add_argument("--events", type=int, default=6, help="events per paced phase (by hand, by clock)")
    parser.add_argument("--gap", type=float, default=8, help="seconds between two events")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8797)))
    parser.add_argument(
        "--settings", default="yingji.settings", help="the server's settings module (bench/settings_*.py)"
    )
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    script = build(args)
    server = Server(args)
    try:
        phones = [
            Phone(n, cookie, client=Client(args.port)) for n, cookie in enumerate(script.player_cookies)
        ]
        controller = Phone(-1, script.controller_cookie, client=Client(args.port))
        warm = Client(args.port)
        for _ in range(20 * args.web_workers):
            warm.send("GET", BARE, {})
        started = start_the_clock(script)
        log(f"the clock started; {len(phones)} phones open the run page")
        open_pages(args, script, [*phones, controller])
        for phone in [*phones, controller]:
            phone.client.close()  # each phase opens its own connections
        # The quiet poll: every phone's current mark, each request the next phone's.
        quiet = [(p.live_path(script.drill_id), {"Cookie": p.cookie}) for p in phones]
        closed_loop(args, "warm-up", lambda i: quiet[i % len(quiet)] if i % 2 else (BARE, {}), 3)
        requests = {
            "bare Django read": lambda i: (BARE, {}),
            # The same read sent by a signed-in phone: what its session costs any request (read, and
            # written back when the settings renew it on every request), but no user and no drill.
            "bare Django read, signed in": lambda i: (BARE, quiet[i % len(quiet)][1]),
            "poll, nothing new": lambda i: quiet[i % len(quiet)],
        }
        closed = [closed_loop(args, name, requests[name]) for _ in range(CLOSED_ROUNDS) for name in CLOSED]
        paced_results = [paced(args, script, phones, controller, plan, started) for plan in script.phases]
    finally:
        server.stop()
    result = {"commit": commit, "args": vars(args), "closed": closed, "paced": paced_results}
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    (LOG_DIR / "drill_poll.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(markdown(args, result))


if __name__ == "__main__":
    main()
