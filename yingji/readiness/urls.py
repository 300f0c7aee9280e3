from django.urls import path

from . import views

app_name = "readiness"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("cards/<int:version_id>/<slug:position>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("quiz/<slug:code>/start/", views.start_quiz, name="start_quiz"),
    path("course/", views.course_page, name="course"),
    path("course/quiz/start/", views.start_course_quiz, name="start_course_quiz"),
    path("attempts/<int:pk>/", views.attempt, name="attempt"),
    path("units/<str:code>/", views.unit_page, name="unit"),
]
