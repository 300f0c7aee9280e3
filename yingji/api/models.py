import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_token(raw: str) -> str:
    # Tokens are 256-bit random, so a plain SHA-256 is enough: no dictionary to guard against.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("token"), max_length=12)
    created_at = models.DateTimeField(_("issued"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @property
    def unit(self):
        return self.person.unit
