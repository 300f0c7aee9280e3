from django.urls import path

from . import views

app_name = "drills"
urlpatterns = [
    path("", views.drill_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.drill, name="drill"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/participants/add/", views.add_participant, name="add_participant"),
    path(
        "<int:pk>/participants/<int:participant_id>/remove/",
        views.remove_participant,
        name="remove_participant",
    ),
    path("<int:pk>/scenarios/add/", views.add_scenario, name="add_scenario"),
    path("<int:pk>/objectives/add/", views.add_objective, name="add_objective"),
    path("<int:pk>/injects/add/", views.add_inject, name="add_inject"),
    path("<int:pk>/injects/<int:inject_id>/remove/", views.remove_inject, name="remove_inject"),
    path("<int:pk>/briefing/", views.briefing, name="briefing"),
    path("<int:pk>/briefing/export.docx", views.briefing_docx, name="briefing_docx"),
    path("<int:pk>/briefing/issue/", views.issue_briefing, name="issue_briefing"),
    path("<int:pk>/briefing/regenerate/", views.regenerate_briefing, name="regenerate_briefing"),
    path("<int:pk>/run/", views.run, name="run"),
    path("<int:pk>/run/live/", views.run_live, name="run_live"),
    path("<int:pk>/run/injects/add/", views.run_add_inject, name="run_add_inject"),
    path("<int:pk>/run/injects/<int:inject_id>/<str:action>/", views.run_inject, name="run_inject"),
    path("<int:pk>/run/log/", views.run_log, name="run_log"),
    path("<int:pk>/run/<str:action>/", views.run_control, name="run_control"),
]
