from django.db import models
from django.utils.translation import gettext_lazy as _


class JobFailure(models.Model):
    """One failed attempt of a background job, kept so staff can see what failed, why, and whether it
    will be tried again. The job's own row (django-tasks-db) holds the last state; this keeps history."""

    task_path = models.CharField(_("job"), max_length=255, db_index=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    arguments = models.JSONField(_("arguments"), default=dict)
    attempt = models.PositiveIntegerField(_("attempt"))
    max_attempts = models.PositiveIntegerField(_("attempts allowed"))
    error = models.TextField(_("error"))
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField(_("failed at"), db_index=True)
    retry_at = models.DateTimeField(_("next try"), null=True, blank=True)

    class Meta:
        ordering = ["-failed_at", "-pk"]
        verbose_name = _("job failure")
        verbose_name_plural = _("job failures")

    def __str__(self) -> str:
        return f"{self.task_path} #{self.attempt}"

    @property
    def gave_up(self) -> bool:
        return self.retry_at is None
