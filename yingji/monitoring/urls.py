from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.warning_list, name="list"),
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<str:pk>/", views.rule_edit, name="rule_edit"),
    path("<str:pk>/", views.warning, name="warning"),
    path("<str:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<str:pk>/decide/", views.decide, name="decide"),
]
