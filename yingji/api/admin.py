"""Django's own user admin, with the one rule it would otherwise skip: a person switched off there
loses their API tokens, as on the person's page (`orgs.services.set_person_active`)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import transaction

from .services import revoke_tokens_of


class UserAdminRevokingTokens(UserAdmin):
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            person = getattr(obj, "person", None)
            if change and "is_active" in form.changed_data and not obj.is_active and person is not None:
                revoke_tokens_of(actor=request.user, person=person, reason="user.deactivate_in_admin")


admin.site.unregister(User)
admin.site.register(User, UserAdminRevokingTokens)
