from yingji.core.jobs import job


@job
def check_deadline(*, deadline_id: int) -> str:
    from .services import fire_due_checkpoints

    return ",".join(fire_due_checkpoints(deadline_id)) or "nothing due"
