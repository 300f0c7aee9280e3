"""Background work of monitoring: the incident a rule opens by itself, reported after the warning's
transaction committed (at least once; the warning's idempotency key makes it once)."""

from yingji.core.jobs import job


@job
def open_incident(*, warning_id: int) -> None:
    from .services import open_incident_automatically

    open_incident_automatically(warning_id)
