"""Append-only, hash-chained audit log, chained off the write path.

A write inserts its entry in its own transaction, unchained: `seq` is its number from a database
sequence (no lock shared with other writers; a rolled-back write leaves a hole in `seq`, which is why
the auditor's number is `chain_seq`). A sequencer (sequencer.py, in the job worker) then chains the
committed entries within a bound of seconds: it gives each the next `chain_seq`, without gaps, and its
hash, SHA-256 over a canonical encoding of its content and the previous entry's hash, so `audit_verify`
can tell an edited entry (hash mismatch), a removed one (gap in chain_seq, or the head ahead of the last
entry) and a reordered one (prev_hash no longer links). At intervals the sequencer signs a checkpoint
of the head with a key that is not in the database, so that a database superuser who recomputes every
hash after an edit still fails the check. The ORM refuses updates and deletes; the database refuses
them too, except the sequencer's one update that fills in an entry's place in the chain."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


class AppendOnlyModel(models.Model):
    """Rows written once: the ORM refuses to save an existing one again or to delete one."""

    objects = AuditQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly(f"{self._meta.label} rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(f"{self._meta.label} rows cannot be deleted")


class AuditEntry(AppendOnlyModel):
    # The write's own number (order of writing, holes where a write rolled back); not sealed.
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
    # Filled in once by the sequencer: the place in the chain (gapless), the link and the seal, when
    # it was chained and the time after which the entry's transaction committed (the sequencer's last
    # full pass before it), so that audit_verify can tell how long a committed entry waited.
    chain_seq = models.BigIntegerField(_("chain number"), unique=True, null=True, blank=True)
    prev_hash = models.CharField(max_length=64, null=True, blank=True)
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    visible_after = models.DateTimeField(null=True, blank=True)
    sequenced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-seq"]
        # What the sequencer looks for on every tick: a small index of the entries still unchained.
        indexes = [models.Index(fields=["seq"], condition=Q(chain_seq__isnull=True), name="audit_unchained")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class ChainHead(models.Model):
    """One row, the sequencer's alone (writers never touch it): the last chain_seq and hash, and when
    the sequencer last chained everything it could see (`drained_at`)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    drained_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class Checkpoint(AppendOnlyModel):
    """The chain's head (chain_seq, hash) at a time, signed with the bank's Ed25519 key (keys.py), whose
    private half is not in the database. Append-only like the entries."""

    seq = models.BigIntegerField(_("chain number"), db_index=True)
    hash = models.CharField(max_length=64)
    at = models.DateTimeField(_("time"), db_index=True)
    key_id = models.CharField(pgettext_lazy("audit checkpoint", "key"), max_length=16)
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]} {self.at:%Y-%m-%d %H:%M:%S}"
