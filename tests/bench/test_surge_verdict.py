"""bench/incident_surge.py's verdict: what the person running the bench reads at the end of a run."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "incident_surge.py"


@pytest.fixture(scope="module")
def surge():
    spec = importlib.util.spec_from_file_location("incident_surge", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reports(name: str, per_s: float, p99: float) -> dict:
    return {
        "phase": name,
        "per_s": per_s,
        "latency_ms": {"p99": p99},
        "from_schedule_ms": {"p99": p99},
        "checks": {
            "keys": 10,
            "keys_with_one_incident": 10,
            "retry_answered_another_id": 0,
            "not_201": 0,
            "retries": 1,
        },
        "delivery": {"report_to_sent_s": {"max": 12.0}, "unsent": 0},
    }


def _run(*, paced: bool) -> dict:
    phases = [
        {"phase": "bare insert", "per_s": 1000.0},
        {"phase": "bare Django insert", "per_s": 500.0},
        _reports("report burst", 200.0, 400.0),
    ]
    if paced:
        phases.append(_reports("report surge paced over 60 s", 150.0, 120.0))
    return {"web_workers": 2, "phases": phases}


def test_a_burst_only_run_ends_with_its_verdict_and_says_the_paced_target_was_not_run(surge):
    verdict = surge.verdict(_run(paced=False))

    assert verdict["p99 report latency < 300 ms (paced surge, from schedule)"].startswith("not run")
    floor = next(v for k, v in verdict.items() if k.startswith("report throughput ≥ 0.35"))
    assert floor == "met: 200.0 / 500 = 0.400"


def test_a_full_run_judges_the_paced_p99(surge):
    verdict = surge.verdict(_run(paced=True))

    assert verdict["p99 report latency < 300 ms (paced surge, from schedule)"].startswith("met: 120 ms")
    assert verdict["all notifications sent within 60 s of the report"] == "met: slowest 12.0 s, 0 unsent"
