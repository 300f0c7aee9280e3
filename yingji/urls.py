from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from yingji.api import views as api_views
from yingji.api.api import api

urlpatterns = [
    path("", include("yingji.core.urls")),
    path("orgs/", include("yingji.orgs.urls")),
    path("plans/", include("yingji.plans.urls")),
    path("incidents/", include("yingji.incidents.urls")),
    path("complaints/", include("yingji.complaints.urls")),
    path("corrective/", include("yingji.corrective.urls")),
    path("drills/", include("yingji.drills.urls")),
    path("security/year/", include("yingji.yearplan.urls")),
    path("security/assessment/", include("yingji.assessment.urls")),
    path("security/letters/", include("yingji.letters.urls")),
    path("security/readiness/", include("yingji.readiness.urls")),
    path("security/training/", include("yingji.training.urls")),
    path("security/", include("yingji.security.urls")),
    path("warnings/", include("yingji.monitoring.urls")),
    path("reports/", include("yingji.reports.urls")),
    path("notices/", include("yingji.notify.urls")),
    path("audit/", include("yingji.audit.urls")),
    path("tokens/<int:pk>/revoke/", api_views.revoke, name="api_token_revoke"),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
