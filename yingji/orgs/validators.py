import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Landline with area code (010-12345678, 0571-8888888-123), a mobile, a 95xxx service line or 400 line.
PHONE_RE = re.compile(r"^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|1[3-9]\d{9}|95\d{3,6}|400-?\d{3}-?\d{4})$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(
            _("“%(value)s” is not a mobile number (11 digits starting with 1)."),
            code="mobile",
            params={"value": value},
        )


def validate_phone(value: str) -> None:
    if value and not PHONE_RE.match(value):
        raise ValidationError(
            _("“%(value)s” is not a phone number (e.g. 0571-88888888, 13800000000, 95588)."),
            code="phone",
            params={"value": value},
        )


def validate_code(value: str) -> None:
    if not CODE_RE.match(value or ""):
        raise ValidationError(
            _("“%(value)s” is not a valid code (letters, digits, - and _, at most 32)."),
            code="code",
            params={"value": value},
        )


class NotTheCurrentPassword:
    """A password validator (settings.AUTH_PASSWORD_VALIDATORS): a new password is not the one the
    account already has, so "changing" a password always changes it."""

    def validate(self, password: str, user=None) -> None:
        from django.contrib.auth.hashers import check_password

        encoded = getattr(user, "password", "") or ""
        # check_password without a setter: asking must not rehash and save the stored password.
        if encoded and user.has_usable_password() and check_password(password, encoded):
            raise ValidationError(
                _("The new password is the same as the current one; choose a different one."),
                code="password_unchanged",
            )

    def get_help_text(self) -> str:
        return str(_("Your new password must differ from your current one."))
