from yingji.core.jobs import job


@job
def check_task_due(*, task_id: int) -> str:
    from .services.tasks import remind_overdue

    return remind_overdue(task_id)
