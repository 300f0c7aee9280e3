from django.urls import path

from . import views

app_name = "yearplan"

urlpatterns = [
    path("", views.plans, name="list"),
    path("new/", views.create, name="create"),
    path("<str:pk>/", views.plan, name="plan"),
    path("<str:pk>/reminders/", views.reminders, name="reminders"),
    path("<str:pk>/<str:action>/", views.decide, name="decide"),
    path("<str:pk>/tasks/<str:task_id>/", views.task, name="task"),
    path("<str:pk>/tasks/<str:task_id>/edit/", views.edit_task, name="edit_task"),
    path("<str:pk>/tasks/<str:task_id>/files/", views.add_file, name="add_file"),
    path("<str:pk>/tasks/<str:task_id>/files/<str:file_id>/", views.file, name="file"),
    path("<str:pk>/tasks/<str:task_id>/links/", views.link, name="link"),
    path("<str:pk>/tasks/<str:task_id>/complete/", views.complete, name="complete"),
    path("<str:pk>/tasks/<str:task_id>/reopen/", views.reopen, name="reopen"),
]
