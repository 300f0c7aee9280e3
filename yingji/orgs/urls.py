from django.urls import path

from . import views, views_import

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("units/<str:code>/", views.unit_detail, name="unit"),
    path("units/<str:code>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<str:code>/new-unit/", views.unit_new, name="unit_new"),
    path("units/<str:code>/new-person/", views.person_new, name="person_new"),
    path("units/<str:code>/roster/", views.roster, name="roster"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/active/", views.person_active, name="person_active"),
    path("people/<int:pk>/password/", views.person_password, name="person_password"),
    path("people/<int:pk>/tokens/", views.person_token_issue, name="person_token_issue"),
    path("import/", views_import.import_start, name="import"),
    path("import/template/<str:kind>.xlsx", views_import.import_template, name="import_template"),
    path("import/<int:pk>/", views_import.import_status, name="import_status"),
]
