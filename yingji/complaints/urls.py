"""The complaint pages. Import and report routes come before `<number>/`, which would take them."""

from . import urls_import, urls_pages, urls_reports

app_name = "complaints"
urlpatterns = urls_import.urlpatterns + urls_reports.urlpatterns + urls_pages.urlpatterns
