"""What tests share: a fast argon2 hasher, running queued jobs, counting what a refusal left, an API call."""

import json

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Still argon2, with the cost turned down so a suite of logins stays quick."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1


def run_jobs(max_tasks: int | None = None, queue: str = "*") -> int:
    """Run every job that is due (on `queue`, or all), as the worker would, until none is left; returns
    how many ran."""
    from unittest import mock

    from django_tasks_db.management.commands import db_worker

    worker = db_worker.Worker(
        queue_names=[queue],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    # The worker drops connections between jobs; inside a test's transaction that would close the
    # test's own connection, so here it keeps it.
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()
    return worker._run_tasks


def footprint() -> dict[str, int]:
    """Counts of what any action leaves behind: rows of every model, audit entries, jobs. A refusal
    must leave this unchanged."""
    from django.apps import apps

    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if not m._meta.label.startswith(("sessions.", "axes."))
    }


def api(client, method: str, path: str, token: str, body: dict | None = None):
    """A call to the API with a bearer token; a body goes as JSON (a lone surrogate as \\ud800, as any
    JSON client would send it)."""
    headers = {"Authorization": f"Bearer {token}"}
    if method == "get":
        return client.get(path, headers=headers)
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)
