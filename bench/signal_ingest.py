"""Signal ingest on PostgreSQL (issue 20, Performance): 2,000 points per second sustained for 5 minutes,
in batches of 100 over the API, with the warnings evaluated within 5 s of the point that crosses a
threshold; and ingest points/s at least 20× the requests/s of the bare Django insert endpoint
(`POST /bench/django-insert` of bench/bare_wsgi.py) measured in the same run.

What it does, in one run:
  1. a scratch database `bench_signals` (dropped and created): migrate, the plan library, the demo
     bank, the shipped warning rules, --outlets generated outlets under the four sub-branches (bulk
     data, as bench/incident_surge.py makes them), and one queue-system integration per sub-branch;
  2. gunicorn on `bench.bare_wsgi` (gthread workers, DEBUG off, persistent connections);
  3. phases, load from threads of this process (kept-alive connections):
       (a) bare   closed loop: --clients clients POST /bench/django-insert for --closed-seconds;
       (b) ingest closed loop: the same clients POST /api/v1/signals batches of 100 for --closed-seconds
                  (the most the server takes: the ratio against (a) is taken from these two);
       (c) paced  open loop at --rate points/s (batches of 100) for --seconds: every outlet reports its
                  queue length, longest wait, queue machine and core system once a second; every
                  --cross-every seconds one outlet's queue crosses the rule's 30 people (and stays above
                  it for SURGE_SECONDS). For each crossing: the time from sending its batch to the
                  warning's raised_at (read from the database afterwards); the evaluation job raises it.
Results as Markdown on stdout (for bench/RESULTS.md) and var/bench/signal_ingest.json.

Needs PostgreSQL on 127.0.0.1:5432 with trust auth for `postgres` (BENCH_PG overrides). From the repo
root:   .venv/bin/python bench/signal_ingest.py [--outlets 500] [--rate 2000] [--seconds 300]
"""

import argparse
import http.client
import json
import os
import platform
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incident_surge import (
    SERVER_ENV,
    Request,
    db_url,
    generate_outlets,
    latency_ms,
    percentile,
    recreate,
    run_load,
)

REPO = Path(__file__).resolve().parent.parent
DB = "bench_signals"
LOG_DIR = REPO / "var" / "bench"
BATCH = 100
METRICS = (  # per outlet and second: four points
    ("queue", "queue_length"),
    ("queue", "longest_wait_minutes"),
    ("queue", "queue_machine_status"),
    ("core", "system_status"),
)
SUB_BRANCHES = ["JN01", "JN02", "JB01", "JB02"]
# A queue that crosses 30 people stays above it this long, as a surge does (a queue does not go from 45
# to 12 in a second). The evaluation judges the series a second after a batch: a reading superseded
# by a normal one within that second is not a warning.
SURGE_SECONDS = 10


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(args) -> dict[str, list[str]]:
    """The database; returns each integration's raw token with the outlets it reports for."""
    recreate(DB)
    os.environ.update(SERVER_ENV, DATABASE_URL=db_url(DB))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from yingji.monitoring import services
    from yingji.monitoring.defaults import ensure_rules
    from yingji.notify.defaults import ensure_defaults
    from yingji.orgs.demo import load_demo
    from yingji.orgs.models import Person, Unit
    from yingji.plans.loader import load_library

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    load_library()
    ensure_defaults()
    load_demo()
    ensure_rules()
    generated = generate_outlets(args.outlets)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_bare (id bigserial PRIMARY KEY, key varchar(100) NOT NULL, "
            "body jsonb NOT NULL, at timestamptz NOT NULL)"
        )
    feeds: dict[str, list[str]] = {}
    for code in SUB_BRANCHES:
        sub_branch = Unit.objects.get(code=code)
        contact = Person.objects.filter(unit=sub_branch).first()
        _integration, raw = services.issue_integration(
            actor=None,
            name=f"{sub_branch.name}排队系统",
            kind="queue_system",
            units=[sub_branch],
            contact=contact,
        )
        feeds[raw] = [o.code for o in generated if o.code.startswith(code)]
    connections.close_all()
    log(f"{DB}: {len(generated)} outlets, {len(feeds)} integrations in {time.monotonic() - started:.0f} s")
    return feeds


class Server:
    def __init__(self, args):
        import socket

        with socket.socket() as probe:  # another server on the port would answer for ours
            if probe.connect_ex(("127.0.0.1", args.port)) == 0:
                raise SystemExit(f"port {args.port} is taken: choose another with --port")
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **SERVER_ENV, "DATABASE_URL": db_url(DB)}
        self.out = open(LOG_DIR / "signals-gunicorn.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                str(REPO / ".venv" / "bin" / "gunicorn"),
                "--chdir",
                str(REPO),
                "bench.bare_wsgi:application",
                "-w",
                str(args.web_workers),
                "--worker-class",
                args.worker_class,
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
        # The job worker that evaluates the batches the API stored (and tells people of the warnings).
        self.worker_out = open(LOG_DIR / "signals-worker.log", "w")  # noqa: SIM115
        self.worker = subprocess.Popen(
            [str(REPO / ".venv" / "bin" / "python"), "manage.py", "jobs_worker", "--queue-name", "*"],
            cwd=REPO,
            env=env,
            stdout=self.worker_out,
            stderr=subprocess.STDOUT,
        )
        for _ in range(150):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not come up: see var/bench/signals-gunicorn.log")

    def stop(self) -> None:
        for proc in (self.proc, self.worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.out.close()
        self.worker_out.close()


def batches(feeds: dict[str, list[str]], seconds: float, rate: int, start: datetime, crossings: dict) -> list:
    """The paced load: per second `rate` points, each outlet once a second (its four metrics), in
    batches of 100 of one integration's outlets; a crossing every so often (in `crossings`)."""
    per_batch = BATCH // len(METRICS)
    chunks = [
        (raw, outlets[i : i + per_batch])
        for raw, outlets in feeds.items()
        for i in range(0, len(outlets), per_batch)
    ]
    per_second = rate // BATCH
    found = []
    n = 0
    surging: dict[str, int] = {}  # outlet → the second its surge ends
    for second in range(int(seconds)):
        at = (start + timedelta(seconds=second)).isoformat()
        for k in range(per_second):
            raw, outlets = chunks[n % len(chunks)]
            n += 1
            points = []
            crossing = crossings.get((second, k))
            if crossing:
                surging[crossing] = second + SURGE_SECONDS
            for code in outlets:
                queue = 45 if surging.get(code, -1) > second else 8 + (n + len(code)) % 9
                values = {
                    "queue_length": queue,
                    "longest_wait_minutes": queue // 2,
                    "queue_machine_status": 1,
                    "system_status": 1,
                }
                for source, metric in METRICS:
                    points.append(
                        {"source": source, "unit": code, "metric": metric, "at": at, "value": values[metric]}
                    )
            tag = f"cross:{crossing}" if crossing else "ingest"
            found.append(
                Request(
                    tag,
                    "/api/v1/signals",
                    json.dumps({"points": points}).encode(),
                    token=raw,
                    at=second + k / per_second,
                )
            )
    return found


def summary(name: str, results, wall: float, cpu: dict, points_per_request: int = 0) -> dict:
    ok = [r for r in results if r.status in (200, 201)]
    if len(ok) < len(results):
        bad = next(r for r in results if r.status not in (200, 201))
        log(f"{name}: {len(results) - len(ok)} failed, e.g. {bad.status} {bad.error} {str(bad.answer)[:300]}")
    lat = [r.done - r.sent for r in ok]
    row = {
        "phase": name,
        "requests": len(results),
        "ok": len(ok),
        "errors": len(results) - len(ok),
        "wall_s": round(wall, 1),
        "req_per_s": round(len(ok) / wall, 1),
        "latency_ms": latency_ms(lat) if lat else {},
        "cpu_s": cpu,
    }
    if points_per_request:
        row["points_per_s"] = round(len(ok) * points_per_request / wall, 1)
    late = [(r.sent - r.scheduled) for r in results if r.scheduled is not None]
    if late:
        row["start_lag_ms_p95"] = round(percentile(late, 95) * 1000, 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--outlets", type=int, default=500)
    parser.add_argument("--rate", type=int, default=2000, help="points per second in the paced phase")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--closed-seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--cross-every", type=int, default=15)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--worker-class", default="sync", help="gunicorn's: sync (the issue's) or gthread")
    parser.add_argument("--threads", type=int, default=1, help="per worker, for --worker-class gthread")
    parser.add_argument("--port", type=int, default=8947)
    args = parser.parse_args()

    feeds = build(args)
    server = Server(args)
    run: dict = {"args": vars(args), "phases": []}
    try:
        # Warm every worker up.
        warm = [Request("bare", "/bench/django-insert", b'{"key": "warm"}') for _ in range(200)]
        run_load(args.port, warm, args.clients, False)

        # (a) and (b): closed loops of about --closed-seconds each.
        bare_n = 400
        _probe, wall, _ = run_load(
            args.port,
            [Request("bare", "/bench/django-insert", b'{"key": "p"}')] * bare_n,
            args.clients,
            False,
        )
        n = max(int(bare_n / wall * args.closed_seconds), 5000)
        reqs = [
            Request("bare", "/bench/django-insert", json.dumps({"key": f"b{i}"}).encode()) for i in range(n)
        ]
        results, wall, cpu = run_load(args.port, reqs, args.clients, False)
        run["phases"].append(summary("bare Django insert (closed loop)", results, wall, cpu))
        log(f"bare: {run['phases'][-1]['req_per_s']} req/s")

        start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)  # an hour of history, replayed
        probe_load = batches(feeds, 10, 1000, start, {})
        _probe, wall, _ = run_load(args.port, probe_load, args.clients, False)
        n_batches = max(int(len(probe_load) / wall * args.closed_seconds), 1000)
        closed = batches(feeds, n_batches // 10 + 1, 1000, start + timedelta(seconds=10), {})[:n_batches]
        results, wall, cpu = run_load(args.port, closed, args.clients, False)
        run["phases"].append(summary("signal ingest (closed loop)", results, wall, cpu, BATCH))
        log(f"ingest closed: {run['phases'][-1]['points_per_s']} points/s")

        # (c) paced, now-time, with crossings.
        per_second = args.rate // BATCH
        crossings = {}
        for i, second in enumerate(range(5, int(args.seconds) - 5, args.cross_every)):
            # the outlet that batch k of that second carries
            k = i % per_second
            per_batch = BATCH // len(METRICS)
            chunks = [o[j : j + per_batch] for o in feeds.values() for j in range(0, len(o), per_batch)]
            crossings[(second, k)] = chunks[(second * per_second + k) % len(chunks)][0]
        paced_start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
        load = batches(feeds, args.seconds, args.rate, paced_start, crossings)
        # Sent when its points are measured (the wall clock reaches their time).
        delay = (paced_start - datetime.now(UTC)).total_seconds()
        time.sleep(max(delay - 0.2, 0))
        wall_offset = time.time() - time.monotonic()  # monotonic → wall clock, for raised_at
        results, wall, cpu = run_load(args.port, load, max(args.clients, 32), True)
        run["phases"].append(
            summary(f"signal ingest paced at {args.rate} points/s", results, wall, cpu, BATCH)
        )
        log(f"paced: {run['phases'][-1]}")

        # Crossing → warning raised: the warning's raised_at against the moment its batch was sent.
        import psycopg

        detections = []
        with psycopg.connect(db_url(DB)) as conn:
            for r in results:
                if not r.request.tag.startswith("cross:"):
                    continue
                code = r.request.tag.split(":", 1)[1]
                row = conn.execute(
                    "SELECT w.raised_at FROM monitoring_signalwarning w JOIN orgs_unit u ON u.id = w.unit_id "
                    "WHERE u.code = %s ORDER BY w.raised_at LIMIT 1",
                    (code,),
                ).fetchone()
                sent_at = wall_offset + r.sent
                detections.append(
                    {
                        "outlet": code,
                        "seconds": round(row[0].timestamp() - sent_at, 3) if row else None,
                        "answer_ms": round((r.done - r.sent) * 1000, 1),
                    }
                )
        run["detections"] = detections
    finally:
        server.stop()
    run["machine"] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    run["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    run["commit"] = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    (LOG_DIR / "signal_ingest.json").write_text(json.dumps(run, ensure_ascii=False, indent=1))
    print(markdown(run))


def markdown(run: dict) -> str:
    lines = [
        "| phase | requests | errors | req/s | points/s | latency p50 / p90 / p99 ms | CPU s |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in run["phases"]:
        lat = p["latency_ms"]
        lines.append(
            f"| {p['phase']} | {p['requests']} | {p['errors']} | {p['req_per_s']} | "
            f"{p.get('points_per_s', '')} | {lat.get('p50')} / {lat.get('p90')} / {lat.get('p99')} | "
            f"{p['cpu_s']} |"
        )
    bare = run["phases"][0]["req_per_s"]
    closed = run["phases"][1]["points_per_s"]
    paced = run["phases"][2]
    det = [d["seconds"] for d in run.get("detections", []) if d["seconds"] is not None]
    worst = max(det) if det else "—"
    p95 = round(percentile(det, 95), 3) if det else "—"
    lines += [
        "",
        f"- ingest capacity {closed} points/s = **{closed / bare:.1f}×** the bare Django insert's "
        f"{bare} req/s (target ≥ 20×)",
        f"- paced: {paced.get('points_per_s')} points/s sustained over {paced['wall_s']} s, "
        f"{paced['errors']} errors (target 2,000 for 300 s)",
        f"- crossings: {len(run.get('detections', []))}, a warning raised for {len(det)} (by the evaluation "
        f"job, after the answer); sent → raised_at max {worst} s, p95 {p95} s (target ≤ 5 s)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
