from django.urls import path

from . import views, views_rules

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="badge"),
    path("<int:pk>/ack/", views.acknowledge, name="acknowledge"),
    path("rules/", views_rules.rules_page, name="rules"),
    path("rules/level/<str:level>/", views_rules.save_level_rule, name="save_level_rule"),
    path("rules/kind/<slug:code>/", views_rules.save_kind_rule, name="save_kind_rule"),
    path("rules/deadline/<str:code>/", views_rules.save_deadline, name="save_deadline"),
    path("rules/robots/", views_rules.add_robot, name="add_robot"),
    path("rules/robots/<int:pk>/", views_rules.switch_robot, name="switch_robot"),
]
