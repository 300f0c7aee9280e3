from yingji.core.jobs import job, later


@job
def check_deadline(*, deadline_id: int) -> str:
    from .services import fire_due_checkpoints

    return ",".join(fire_due_checkpoints(deadline_id)) or "nothing due"


@job
def schedule_checks(*, deadline_ids: list[int]) -> int:
    """One check job per clock at its next checkpoint (after `start_many`). Safe to run twice: a check
    that finds nothing due does nothing."""
    from .models import Deadline

    count = 0
    for start in range(0, len(deadline_ids), 1000):
        chunk = deadline_ids[start : start + 1000]
        for deadline_id, next_at in Deadline.objects.filter(pk__in=chunk, next_at__isnull=False).values_list(
            "pk", "next_at"
        ):
            later(check_deadline, next_at).enqueue(deadline_id=deadline_id)
            count += 1
    return count
