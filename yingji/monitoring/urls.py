from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.warning_list, name="list"),
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<str:pk>/", views.rule_edit, name="rule_edit"),
    path("silences/", views.silence_list, name="silences"),
    path("silences/<str:pk>/end/", views.silence_end, name="silence_end"),
    path("integrations/", views.integration_list, name="integrations"),
    path("integrations/new/", views.integration_new, name="integration_new"),
    path("integrations/<str:pk>/revoke/", views.integration_revoke, name="integration_revoke"),
    path("<str:pk>/", views.warning, name="warning"),
    path("<str:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<str:pk>/decide/", views.decide, name="decide"),
]
