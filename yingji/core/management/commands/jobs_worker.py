"""The job worker: django-tasks-db's `db_worker` with a lease, a reaper of dead workers' jobs and
deliveries, and a loop that waits out a database outage instead of exiting (`yingji.core.workers`).

    python manage.py jobs_worker --queue-name '*'

It takes the options of `db_worker` but never reloads on code changes (the reloader's parent would
keep the lease of a child it restarts); the worker id defaults to host-pid-random."""

import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from yingji.core.workers import LeasedWorker, new_worker_id


class Command(db_worker.Command):
    help = "Run a job worker that holds a lease, takes over from dead workers and outlives database outages"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None, reload=False)

    def handle(self, *args, **options) -> None:
        if options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV):
            raise CommandError("jobs_worker does not reload; restart it after a change.")
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = LeasedWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"] or new_worker_id(),
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
