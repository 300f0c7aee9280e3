"""Jobs for the job tests: importable by path, as the worker needs."""

from yingji.core.jobs import job

CALLS: dict[str, int] = {}


@job(max_attempts=3)
def flaky(*, key: str, failures: int) -> str:
    CALLS[key] = CALLS.get(key, 0) + 1
    if CALLS[key] <= failures:
        raise ConnectionError(f"gateway down ({CALLS[key]})")
    return "delivered"


@job
def send_all(*, notice_ids: list[int]) -> int:
    return len(notice_ids)


@job
def check_all(*, notice_ids: list[int]) -> int:
    return len(notice_ids)
