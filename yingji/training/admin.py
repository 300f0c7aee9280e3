from django.contrib import admin

from .models import Cadence, SessionKind


@admin.register(SessionKind)
class SessionKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort_order", "is_active")


@admin.register(Cadence)
class CadenceAdmin(admin.ModelAdmin):
    """本行设定: how often each unit type holds each kind of session."""

    list_display = ("unit_type", "kind", "every_months")
    list_editable = ("every_months",)
