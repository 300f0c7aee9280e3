"""Append-only, hash-chained audit log.

Each entry's hash is SHA-256 over a canonical encoding of its content and the previous entry's hash,
and `seq` numbers entries without gaps, so `audit_verify` can tell an edited entry (hash mismatch),
a removed one (gap in seq, or chain head ahead of the last entry) and a reordered one (prev_hash
no longer links). The ORM refuses updates and deletes; the chain catches what is done around it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries cannot be updated")

    def delete(self):
        raise AppendOnly("audit entries cannot be deleted")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnly("audit entries cannot be updated")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnly("audit entries cannot be updated")


class AuditEntry(models.Model):
    seq = models.BigIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    unit_id = models.BigIntegerField(_("unit id"), null=True, blank=True)
    # The unit's materialised path, so "entries of this subtree" is one prefix scan.
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    unit_name = models.CharField(_("unit"), max_length=100, blank=True)
    data = models.JSONField(_("data"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("audit entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries cannot be deleted")


class ChainHead(models.Model):
    """One row: the last seq and hash. Writers lock it, which orders concurrent appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
