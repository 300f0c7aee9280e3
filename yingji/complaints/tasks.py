from yingji.core.jobs import job


@job
def open_major_incident_job(*, complaint_id: int) -> str:
    from .services import open_major_incident

    complaint = open_major_incident(complaint_id)
    return complaint.incident.number if complaint.incident else ""
