"""Domain errors. A service raises one; a view shows its message, the API turns it into
{"error": code, "message": ..., "fields": {...}} with its status."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    status = 400
    default_message = _("The action could not be done.")

    def __init__(self, message=None, *, fields: dict[str, str] | None = None):
        self.message = str(message if message is not None else self.default_message)
        self.fields = {k: str(v) for k, v in (fields or {}).items()}
        super().__init__(self.message)


class InvalidInput(DomainError):
    code = "invalid"
    status = 400
    default_message = _("Some fields are not valid.")


class NotVisible(DomainError):
    """Outside what the user may see: answered exactly like a record that does not exist."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class NotAllowed(DomainError):
    code = "forbidden"
    status = 403
    default_message = _("You are not allowed to do this.")


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409
    default_message = _("This action is not allowed in the current state.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("The record was changed by someone else; reload and try again.")
