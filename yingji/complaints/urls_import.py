from django.urls import path

from . import views_import

urlpatterns = [
    path("import/", views_import.import_start, name="import"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/<int:pk>/", views_import.import_status, name="import_status"),
]
