from django.contrib import admin

from .models import CourseKind


@admin.register(CourseKind)
class CourseKindAdmin(admin.ModelAdmin):
    """The course's eight kinds (seed 003): the bank may extend their causes and response points."""

    list_display = ("name", "code", "sort_order")
    filter_horizontal = ("event_kinds",)
