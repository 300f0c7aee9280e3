from django.urls import path

from . import views, views_actions, views_approvals

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("report/", views.report, name="report"),
    path("<str:number>/", views.room, name="room"),
    path("<str:number>/live/", views.room_live, name="room_live"),
    path("<str:number>/report.docx", views.special_report_docx, name="special_report_docx"),
    path("<str:number>/follow-up/", views_actions.follow_up, name="follow_up"),
    path("<str:number>/comment/", views_actions.comment, name="comment"),
    path("<str:number>/level/", views_actions.level, name="level"),
    path("<str:number>/level/decide/", views_approvals.decide_level, name="decide_level"),
    path("<str:number>/activate/", views_actions.activate, name="activate"),
    # Before task_action, whose <slug:action> would take "group" too.
    path("<str:number>/tasks/<int:task_id>/group/", views_actions.task_group, name="task_group"),
    path("<str:number>/tasks/<int:task_id>/<slug:action>/", views_actions.task_action, name="task_action"),
    path("<str:number>/groups/<int:group_id>/leader/", views_actions.group_leader, name="group_leader"),
    path("<str:number>/termination/request/", views_actions.request_termination, name="request_termination"),
    path("<str:number>/termination/decide/", views_actions.decide_termination, name="decide_termination"),
    path("<str:number>/cancel/", views_actions.cancel, name="cancel"),
    path("<str:number>/link/", views_actions.link, name="link"),
    path("<str:number>/investigation/", views_actions.investigation, name="investigation"),
    path("<str:number>/investigation/accountability/", views_approvals.accountability, name="accountability"),
]
