"""The complaint register at scale on PostgreSQL (issue 5, Performance).

Targets (1,000,000 complaints over 10,000 units): "overdue now" for head office under 50 ms p95 and for
one outlet under 20 ms p95; the first page of a filtered list under 200 ms p95; importing 10,000 rows
under 60 s. Run it at 10^4, 10^5 and 10^6 rows to see how each cost grows.

What it does, against the database DATABASE_URL names (its name must contain "bench"; it is created
when missing):
  1. once: migrate, `load_demo`, then --units units under head office (branches → sub-branches →
     outlets, written with COPY and treebeard's own materialised paths), and three bench users: a
     branch head at the first generated branch, plus the demo's hq_duty and hexie_manager (JN0101);
  2. tops the register up to --rows complaints with COPY (rows already there are kept, so 10^4 →
     10^5 → 10^6 is three runs on one database): received over two years, ~70 % closed (replied,
     called back, archived, withdrawn), the open ones due between half a day ago and 30 days ahead so
     ~0.5 % of all rows are overdue now; a quarter come by the hotline, registered at the call centre
     and handled by an outlet through a work order; every channel, kind and JR/T 0169 category; then
     VACUUM ANALYZE;
  3. times the real code paths (--runs times each, after two warm-ups): selectors.overdue_now's first
     page and count, and the list page's reads (its filter form's selection and search, the
     paginator's count and first page) for head office, a branch and an outlet; prints p50/p95 in ms,
     and the planning + execution time PostgreSQL reports for one EXPLAIN (ANALYZE, BUFFERS) of the
     exact SQL each ran (the plans go to var/bench/complaints_scale_plans_<rows>.txt; --explain prints
     them). A register larger than --rows is cut back to it (newest ids deleted);
  4. with --import-rows N and yingji/complaints/imports.py present: an N-row .xlsx in the import
     template's columns, imported through that module, timed once (its rows stay: import last).

Time (2 busy cores): 10^6 rows take ~8 min to generate and ~3 min to measure; every measured statement is
cut at 20 s (statement_timeout); the 10,000-row import took ~13 min. Data generation is not a service
path: complaints are written with COPY, without events, deadlines or audit entries (the reads measured
here do not touch them).

Run from the repo root:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench \
      .venv/bin/python bench/complaints_scale.py --rows 100000 [--runs 30] [--explain] [--import-rows 10000]
  ... --drop    drops the benchmark database and exits.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

OPEN_SHARE = {  # status → share of all rows (sums to 1)
    "registered": 0.05,
    "assigned": 0.05,
    "handling": 0.12,
    "paused": 0.02,
    "pending_review": 0.03,
    "returned": 0.01,
    "approved": 0.02,
}
CLOSED_SHARE = {"replied": 0.15, "called_back": 0.20, "archived": 0.33, "withdrawn": 0.02}
CHANNELS = {  # channel → weight
    "counter": 30,
    "hotline": 25,
    "aid_phone": 3,
    "supervision_phone": 2,
    "opinion_book": 2,
    "quality_supervisor": 1,
    "letter": 3,
    "website": 5,
    "ebanking": 15,
    "email": 3,
    "regulator": 8,
    "media": 1,
    "other": 2,
}
KINDS = {"problem": 85, "suggestion": 13, "malicious": 2}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明"]
CONTENTS = [
    "客户反映在网点排队等候时间过长，大堂经理未及时引导。",
    "客户称信用卡年费被重复扣收，要求退还。",
    "客户对理财产品收益与宣传不符提出异议。",
    "客户反映手机银行转账失败但账户已扣款。",
    "客户投诉柜员办理业务时态度生硬。",
    "客户反映贷款提前还款违约金计算有误。",
    "客户称自助设备吞卡，要求尽快取回。",
    "客户对短信通知费收取不知情，要求取消。",
]


def pg_dsn() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL must name a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/yingji_bench"
        )
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to write test data into {name!r}: the database name must contain 'bench'")
    admin = urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", ""))
    return admin, name


def ensure_database(admin: str, name: str) -> bool:
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def drop_database(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"dropped {name}")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(REPO / "manage.py"), *args], check=True, cwd=REPO)


# ---------------------------------------------------------------------------------------------- units


def generate_units(total: int) -> None:
    """Branches → sub-branches → outlets under head office: ~total units in three levels."""
    from django.db import connection, transaction

    from yingji.orgs.models import Unit

    if Unit.objects.filter(code__startswith="X").exists():
        return
    hq = Unit.objects.get(code="HQ")
    branches = max(1, round(total / 480))  # 21 × (1 + 20 × (1 + 23)) ≈ 10,000
    subs_per = 20
    outlets_per = max(1, round(total / branches / subs_per) - 1)
    rows = []
    for b in range(branches):
        b_path = Unit._get_path(hq.path, 2, hq.numchild + b + 1)
        b_code = f"X{b + 1:02d}"
        rows.append((b_path, 2, subs_per, b_code, f"测试{b + 1}分行", "branch"))
        for s in range(subs_per):
            s_path = Unit._get_path(b_path, 3, s + 1)
            s_code = f"{b_code}{s + 1:02d}"
            rows.append((s_path, 3, outlets_per, s_code, f"测试{b + 1}-{s + 1}支行", "sub_branch"))
            for o in range(outlets_per):
                rows.append(
                    (
                        Unit._get_path(s_path, 4, o + 1),
                        4,
                        0,
                        f"{s_code}{o + 1:02d}",
                        f"测试{b + 1}-{s + 1}-{o + 1}网点",
                        "outlet",
                    )
                )
    with transaction.atomic(), connection.cursor() as cur:
        with cur.connection.cursor().copy(
            "COPY orgs_unit (path, depth, numchild, code, name, type, address, phone, is_active) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row((*row, "", "", True))
        Unit.objects.filter(pk=hq.pk).update(numchild=hq.numchild + branches)
    print(f"units: {len(rows)} added under {hq.code}")


def bench_users() -> dict[str, object]:
    from django.contrib.auth.models import User

    from yingji.orgs.models import Person, Unit

    branch = Unit.objects.get(code="X01")
    user, made = User.objects.get_or_create(username="bench_branch")
    if made:
        Person.objects.create(user=user, unit=branch, name="分行测试员", mobile="13800000001")
    return {
        "head office (hq_duty)": User.objects.get(username="hq_duty"),
        "branch X01 (bench_branch)": user,
        "outlet JN0101 (hexie_manager)": User.objects.get(username="hexie_manager"),
    }


# ----------------------------------------------------------------------------------------- complaints


def _weighted(d: dict[str, float]) -> tuple[list[str], list[float]]:
    return list(d), list(d.values())


def generate_complaints(target: int, now: datetime, seed: int = 5) -> int:
    from django.db import connection

    from yingji.complaints.models import Category, Complaint
    from yingji.orgs.models import Person, Unit

    have = Complaint.objects.count()
    if have >= target:
        return 0
    rng = random.Random(seed + have)
    units = list(Unit.objects.values_list("id", "type", "path"))
    outlets = [u for u in units if u[1] == "outlet"]
    subs = [u for u in units if u[1] == "sub_branch"]
    others = [u for u in units if u[1] in ("branch", "department", "head_office")]
    parent_of = {path: uid for uid, _t, path in units}
    cc = Unit.objects.get(code="CC").pk
    people = list(Person.objects.values_list("id", flat=True))
    business = list(Category.objects.filter(axis="business").values_list("id", flat=True))
    cause = list(Category.objects.filter(axis="cause").values_list("id", flat=True))
    statuses, status_w = _weighted({**OPEN_SHARE, **CLOSED_SHARE})
    open_set = set(OPEN_SHARE)
    channels, channel_w = _weighted(CHANNELS)
    kinds, kind_w = _weighted(KINDS)
    two_years = 730 * 86400
    cols = (
        "number, channel, received_at, registered_at, customer_name, customer_phone, customer_id_number, "
        "staff_complained_name, request, content, kind, joint_count, major_cause, is_major, status, "
        "clock_started_at, period_days, decision_due_at, decision_rule, paused_at, replied_at, closed_at, "
        "satisfaction, business_id, cause_id, handling_unit_id, owner_id, receiver_id, unit_id"
    )
    n = target - have
    started = time.perf_counter()
    batch = 50_000
    with connection.cursor() as dj:
        cur = dj.connection.cursor()
        for start in range(have, target, batch):
            stop = min(start + batch, target)
            st = rng.choices(statuses, status_w, k=stop - start)
            ch = rng.choices(channels, channel_w, k=stop - start)
            kd = rng.choices(kinds, kind_w, k=stop - start)
            with cur.copy(f"COPY complaints_complaint ({cols}) FROM STDIN") as copy:
                for i in range(start, stop):
                    status, channel = st[i - start], ch[i - start]
                    period = rng.choices((15, 30, 60), (90, 8, 2))[0]
                    if status in open_set:
                        due = now + timedelta(seconds=rng.uniform(-0.5 * 86400, 29.5 * 86400))
                        received = due - timedelta(days=period)
                    else:
                        received = now - timedelta(seconds=rng.uniform(period * 86400, two_years))
                        due = received + timedelta(days=period)
                    r = rng.random()
                    if channel == "hotline":
                        unit = cc
                        handling = rng.choice(outlets)[0] if status != "registered" and r < 0.8 else cc
                    else:
                        u = (
                            rng.choice(outlets)
                            if r < 0.9
                            else rng.choice(subs)
                            if r < 0.95
                            else rng.choice(others)
                        )
                        unit = u[0]
                        handling = unit
                        if u[1] == "outlet" and rng.random() < 0.1:
                            handling = parent_of[u[2][:-4]]
                    closed = status not in open_set
                    replied = (
                        received + timedelta(seconds=rng.uniform(3600, period * 86400)) if closed else None
                    )
                    copy.write_row(
                        (
                            f"TS-{received.year}-{i + 1:07d}",
                            channel,
                            received,
                            received + timedelta(minutes=5),
                            rng.choice(SURNAMES) + rng.choice(GIVEN),
                            f"13{rng.randrange(10**9):09d}",
                            "",
                            "",
                            "",
                            CONTENTS[i % len(CONTENTS)],
                            kd[i - start],
                            1,
                            "",
                            False,
                            status,
                            received,
                            period,
                            due,
                            "bench",
                            due - timedelta(days=2) if status == "paused" else None,
                            replied if status != "withdrawn" else None,
                            replied,
                            "satisfied" if status in ("called_back", "archived") else "",
                            rng.choice(business),
                            rng.choice(cause),
                            handling,
                            rng.choice(people),
                            rng.choice(people),
                            unit,
                        )
                    )
            print(f"  complaints {stop:>9,} ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as dj:
        dj.execute("VACUUM ANALYZE complaints_complaint")
        dj.execute("VACUUM ANALYZE orgs_unit")
    print(f"complaints: {n:,} added in {time.perf_counter() - started:.0f} s (with VACUUM ANALYZE)")
    return n


# ------------------------------------------------------------------------------------------- measure


def timed(fn, runs: int) -> tuple[float, float, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, [q["sql"] for q in ctx.captured_queries]


def explain(sql: str) -> tuple[str, float]:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement, and its planning + execution time in ms."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [r[0] for r in cur.fetchall()]
    ms = sum(
        float(line.split(":")[1].split()[0])
        for line in lines
        if line.startswith(("Planning Time", "Execution Time"))
    )
    return "\n".join(lines), ms


# What the list page asks (yingji/complaints/views.py complaint_list: the filter form, its search, the
# paginator's count and first page, and the overdue count in the heading).
LIST_FILTERS = {
    "status=handling & channel=hotline": {"status": "handling", "channel": "hotline"},
    "status=open": {"status": "open"},
    "search name 王伟": {"q": "王伟"},
}


def list_page(user, data: dict[str, str]):
    """The list page's reads after its filter form is built: the count and the first page."""
    from django.core.paginator import Paginator

    from yingji.complaints import selectors
    from yingji.complaints.forms import FilterForm
    from yingji.complaints.views import PER_PAGE

    form = FilterForm(data, viewer=user)
    form.is_valid()

    def run() -> None:
        complaints = selectors.complaints_for(user, **form.selection()).filter(form.search())
        page = Paginator(complaints, PER_PAGE).get_page(1)
        list(page.object_list)

    return run


def filter_form(user) -> None:
    from yingji.complaints.forms import FilterForm

    str(FilterForm({}, viewer=user)["unit"])


def cases(users: dict[str, object], now: datetime) -> list[tuple[str, object]]:
    from yingji.complaints import selectors

    out = []
    for label, user in users.items():
        out.append(
            (
                f"overdue now, first 25 · {label}",
                lambda u=user: list(selectors.overdue_now(viewer=u, now=now)[:25]),
            )
        )
        out.append(
            (f"overdue now, count · {label}", lambda u=user: selectors.overdue_now(viewer=u, now=now).count())
        )
        for name, data in LIST_FILTERS.items():
            out.append((f"list page (count + first 25), {name} · {label}", list_page(user, data)))
        out.append((f"list page filter form (its unit choices) · {label}", lambda u=user: filter_form(u)))
    return out


def check_scope(users: dict[str, object]) -> None:
    """selectors.scope must see exactly what the rule says (visibility.scope on unit or handling unit,
    through the units' paths): compare the counts of the rule, the id-list form and the subquery form."""
    from django.db.models import Q

    from yingji.complaints import selectors
    from yingji.complaints.models import Complaint
    from yingji.orgs import visibility

    for label, user in users.items():
        rule = visibility.scope(user, "unit") | visibility.scope(user, "handling_unit")
        units = visibility.visible_units(user).values("pk")
        ids = list(units.values_list("pk", flat=True))
        counts = {
            "rule": Complaint.objects.filter(rule).count(),
            "selectors.scope": Complaint.objects.filter(selectors.scope(user)).count(),
            "subquery": Complaint.objects.filter(Q(unit__in=units) | Q(handling_unit__in=units)).count(),
            "id list": Complaint.objects.filter(Q(unit_id__in=ids) | Q(handling_unit_id__in=ids)).count(),
        }
        same = len(set(counts.values())) == 1
        print(f"scope check · {label}: {counts} {'same' if same else 'DIFFERENT'}")
        if not same:
            sys.exit("selectors.scope does not match the visibility rule")


def measure(rows: int, runs: int, show_plans: bool, only: str) -> list[tuple[str, float, float, int, float]]:
    from django.db import connection

    from yingji.core import clock

    now = clock.now()
    users = bench_users()
    check_scope(users)
    with connection.cursor() as cur:
        cur.execute("SET statement_timeout = '20s'")
    plans = REPO / "var" / "bench" / f"complaints_scale_plans_{rows}.txt"
    plans.parent.mkdir(parents=True, exist_ok=True)
    results = []
    with plans.open("w") as out:
        for label, fn in cases(users, now):
            if only and only not in label:
                continue
            # The filter form renders every visible unit: seconds at head office, so a few runs do.
            p50, p95, sqls = timed(fn, min(runs, 5) if "filter form" in label else runs)
            db_ms = 0.0
            out.write(f"## {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms\n")
            for sql in sqls:
                plan, ms = explain(sql)
                db_ms += ms
                out.write(f"{sql}\n{plan}\n\n")
                if show_plans:
                    print("    " + sql + "\n    " + plan.replace("\n", "\n    "))
            results.append((label, p50, p95, len(sqls), db_ms))
            print(
                f"{label:<90} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {len(sqls)} q  db {db_ms:6.1f} ms",
                flush=True,
            )
    print(f"plans: {plans}")
    return results


def measure_import(n: int) -> str:
    try:
        from yingji.complaints import imports  # noqa: F401
    except ImportError:
        return "yingji/complaints/imports.py does not exist: import not measured"
    return bench_import(n)


def bench_import(n: int) -> str:
    """An n-row workbook in the template's columns, through the import page's calls: start_import (reads
    the file, keeps it on a queued run) and import_complaints (the job: checks every row, registers them
    all in one transaction through register_complaint). Runs on the register as it is; the rows stay."""
    from io import BytesIO

    import openpyxl
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yingji.complaints import imports
    from yingji.complaints.models import ImportRun
    from yingji.core import clock
    from yingji.orgs.models import Unit

    rng = random.Random(10)
    outlets = list(Unit.objects.filter(type="outlet").values_list("code", flat=True))
    channels = ["客服热线", "柜面", "信函", "网站", "电子银行", "hotline", "counter"]
    kinds = ["问题型", "建议型", "问题型", "问题型"]
    now = clock.now().astimezone(clock.SHANGHAI)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([c.header for c in imports.COLUMNS])
    for i in range(n):
        at = now - timedelta(minutes=rng.randrange(60, 20 * 24 * 60))
        values = {
            "channel": rng.choice(channels),
            "received_at": at.strftime("%Y-%m-%d %H:%M"),
            "unit": rng.choice(outlets),
            "customer_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "customer_phone": f"13{rng.randrange(10**9):09d}",
            "content": CONTENTS[i % len(CONTENTS)],
            "kind": rng.choice(kinds),
            "joint_count": "1",
        }
        sheet.append([values.get(c.field, "") for c in imports.COLUMNS])
    buffer = BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    actor = User.objects.get(username="hq_duty")
    upload = SimpleUploadedFile("bench.xlsx", data)
    started = time.perf_counter()
    run, errors = imports.start_import(actor=actor, upload=upload)
    queued = time.perf_counter() - started
    if run is None:
        return f"import refused: {[e.as_dict() for e in errors[:5]]}"
    if run.status == ImportRun.Status.QUEUED:
        run = imports.import_complaints(run=run)
    total = time.perf_counter() - started
    return (
        f"import of {n:,} rows ({len(data) / 2**20:.1f} MiB .xlsx): {run.status}, "
        f"{run.created_count:,} created, {len(run.errors or [])} errors; upload step {queued:.1f} s, "
        f"total {total:.1f} s ({total / n * 1000:.2f} ms per row)"
    )


def shrink(target: int) -> None:
    """Back down to `target` complaints (the newest ids go), to measure a smaller register."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM complaints_complaint")
        if cur.fetchone()[0] <= target:
            return
        cur.execute("SELECT count(*) FROM complaints_importrun")
        if cur.fetchone()[0]:
            sys.exit("imported complaints have events and deadlines: --drop the database to go smaller")
        cur.execute(
            "DELETE FROM complaints_complaint WHERE id > "
            "(SELECT id FROM complaints_complaint ORDER BY id OFFSET %s LIMIT 1)",
            [target - 1],
        )
        cur.execute("VACUUM ANALYZE complaints_complaint")
    print(f"complaints: back down to {target:,}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000, help="complaints in the register (topped up)")
    ap.add_argument("--units", type=int, default=10_000, help="units generated under head office")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each query")
    ap.add_argument("--only", default="", help="measure only cases whose label contains this")
    ap.add_argument("--import-rows", type=int, default=0, help="also time an import of this many rows")
    ap.add_argument("--no-measure", action="store_true")
    ap.add_argument("--drop", action="store_true", help="drop the benchmark database and exit")
    args = ap.parse_args()

    admin, name = pg_dsn()
    if args.drop:
        drop_database(admin, name)
        return
    fresh = ensure_database(admin, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    if fresh:
        print(f"created {name}; migrating and loading the demo bank")
        manage("migrate", "-v0")
        manage("load_demo")
    import django

    django.setup()
    from django.db import connection

    from yingji.core import clock

    generate_units(args.units)
    shrink(args.rows)
    generate_complaints(args.rows, clock.now())
    from yingji.complaints.models import Complaint
    from yingji.orgs.models import Unit

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    total, units = Complaint.objects.count(), Unit.objects.count()
    print(f"\nPostgreSQL {version} · {total:,} complaints · {units:,} units · {args.runs} runs each\n")
    if not args.no_measure:
        results = measure(total, args.runs, args.explain, args.only)
        load = os.getloadavg()[0]
        print(f"\nload average (1 min) at the end: {load:.1f} on {os.cpu_count()} cores")
        print(
            f"\n| query ({total:,} complaints, {units:,} units) | p50 ms | p95 ms | queries | "
            "one EXPLAIN ANALYZE: plan + run ms |\n|---|---|---|---|---|"
        )
        for label, p50, p95, nq, db_ms in results:
            print(f"| {label} | {p50:.1f} | {p95:.1f} | {nq} | {db_ms:.1f} |")
    if args.import_rows:
        print("\n" + measure_import(args.import_rows))


if __name__ == "__main__":
    main()
