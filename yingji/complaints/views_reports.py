"""The ledger download and the statistics page. Thin: parse the filters, call one read, render."""

from typing import Any

from django import forms
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from yingji.core.forms import BootstrapMixin, FilterDateField

from . import ledger, reports
from .models import Channel, Kind, Status

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(BootstrapMixin, forms.Form):
    """A unit (its subtree) and the days of receipt, both included."""

    unit = forms.ChoiceField(label=gettext_lazy("Unit"), required=False)
    received_from = FilterDateField(label=gettext_lazy("Received from"), widget=DATE)
    received_to = FilterDateField(label=gettext_lazy("Received until"), widget=DATE)

    def __init__(self, *args: Any, viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All my units")), *reports.unit_choices(viewer)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("received_from"), data.get("received_to")
        if since and until and since > until:
            self.add_error("received_to", _("The end of the period is before its start."))
        return data

    def messages(self) -> str:
        return " ".join(f"{self.fields[name].label}: {e}" for name, errs in self.errors.items() for e in errs)


class LedgerForm(PeriodForm):
    """The complaint list's filters."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Nature of complaint"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", ""), *Status.choices]
        self.fields["channel"].choices = [("", ""), *Channel.choices]
        self.fields["kind"].choices = [("", ""), *Kind.choices]

    def selection(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "channel": data["channel"],
            "kind": data["kind"],
            "unit_code": data["unit"],
            "received_from": data["received_from"],
            "received_to": data["received_to"],
        }


@require_GET
def ledger_download(request: HttpRequest) -> HttpResponse:
    form = LedgerForm(request.GET, viewer=request.user)
    if not form.is_valid():
        return HttpResponseBadRequest(form.messages(), content_type="text/plain; charset=utf-8")
    workbook = ledger.export(request.user, **form.selection())
    return FileResponse(workbook, as_attachment=True, filename=ledger.file_name(), content_type=ledger.XLSX)


@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    since, until = reports.default_period()
    form = PeriodForm(
        request.GET or None, viewer=request.user, initial={"received_from": since, "received_to": until}
    )
    numbers, unit_code = None, ""
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        since = data.get("received_from") or since
        until = data.get("received_to") or until
        unit_code = data.get("unit", "")
        numbers = reports.statistics(request.user, since=since, until=until, unit_code=unit_code)
    query = {"received_from": since.isoformat(), "received_to": until.isoformat(), "unit": unit_code}
    ledger_url = f"{reverse('complaints:ledger')}?{urlencode({k: v for k, v in query.items() if v})}"
    return render(
        request,
        "complaints/stats.html",
        {
            "form": form,
            "stats": numbers,
            "charts": _charts(numbers) if numbers else None,
            "ledger_url": ledger_url,
        },
    )


def _charts(numbers: reports.Statistics) -> dict[str, Any]:
    """What complaint-stats.js draws, keyed by the id of the chart's element."""

    def series(rows: list[reports.Row], kind: str, title: str) -> dict[str, Any]:
        return {
            "type": kind,
            "title": title,
            "labels": [r.label for r in rows],
            "values": [r.count for r in rows],
        }

    return {
        "chart-month": series(numbers.by_month, "bar", _("Complaints by month")),
        "chart-unit": series(numbers.by_unit, "hbar", _("Complaints by unit")),
        "chart-channel": series(numbers.by_channel, "pie", _("Complaints by channel")),
        "chart-business": series(numbers.by_business, "hbar", _("Complaints by business type")),
        "chart-cause": series(numbers.by_cause, "hbar", _("Complaints by cause")),
        "chart-kind": series(numbers.by_kind, "pie", _("Complaints by nature")),
        "chart-satisfaction": series(numbers.by_satisfaction, "pie", _("Satisfaction at callback")),
    }
