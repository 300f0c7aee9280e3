from django.conf import settings
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


class CalendarSource(models.TextChoices):
    PACKAGE = "chinese-calendar", _("chinese-calendar package")
    STAFF = "staff", _("entered by staff")


class CalendarDay(models.Model):
    """An exception to the Monday–Friday rule: a statutory holiday on a weekday (not a working day), or
    a 调休 make-up working day on a Saturday or Sunday. Every other day follows the weekday."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50)
    source = models.CharField(
        _("source"), max_length=20, choices=CalendarSource.choices, default=CalendarSource.STAFF
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class CalendarYear(models.Model):
    """A year whose holidays and make-up days are all in the table (the State Council's notice is
    published each November). For a year without a row, only weekends are rest days."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"), max_length=20, choices=CalendarSource.choices, default=CalendarSource.STAFF
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class WorkerLease(models.Model):
    """A running job worker, renewed every few seconds by a thread of the worker itself. A worker whose
    lease has run out is dead (killed, its machine gone): the jobs and deliveries it held are taken over
    by a live worker (`yingji.core.workers.reap`). Times are the database's, so machines whose clocks
    differ agree on who is dead."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        ordering = ["host", "pid"]
        verbose_name = _("job worker")
        verbose_name_plural = _("job workers")

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
