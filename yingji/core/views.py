from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django_tasks_db.models import DBTaskResult

from yingji.orgs import visibility

from . import outage
from .models import JobFailure


def jobs(request):
    """Staff see what failed in the background, why, and whether it will be tried again."""
    if not (request.user.is_superuser or visibility.is_emergency_admin(request.user)):
        raise PermissionDenied()
    failures = Paginator(JobFailure.objects.all(), 50).get_page(request.GET.get("page"))
    from django.tasks.base import TaskResultStatus

    counts = {
        TaskResultStatus(row["status"]).label: row["n"]
        for row in DBTaskResult.objects.values("status").annotate(n=Count("id"))
    }
    return render(request, "core/jobs.html", {"failures": failures, "counts": counts})


@login_not_required
def healthz(request):
    """200 `{"ok": true}` once the database answers; 503 with Retry-After while it does not, for the
    load balancer to send no one here."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except outage.DATABASE_DOWN as exc:
        return outage.unavailable(request, exc)
    return JsonResponse({"ok": True})


class PasswordChange(PasswordChangeView):
    def form_valid(self, form):
        from yingji.orgs.services import change_own_password

        change_own_password(user=self.request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, self.request.user)
        return redirect(self.get_success_url())
