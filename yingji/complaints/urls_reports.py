from django.urls import path

from . import views_reports

urlpatterns = [
    path("ledger.xlsx", views_reports.ledger_download, name="ledger"),
    path("stats/", views_reports.stats, name="stats"),
]
