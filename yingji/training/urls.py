from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.sessions, name="list"),
    path("new/", views.new, name="new"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("mine/", views.mine, name="mine"),
    path("schedule/", views.schedule, name="schedule"),
    path("people/<str:pk>/", views.person_record, name="person"),
    path("<str:pk>/", views.session, name="session"),
    path("<str:pk>/sign-in/", views.sign_in, name="sign_in"),
    path("<str:pk>/do/<str:action>/", views.transition, name="transition"),
    path("<str:pk>/attendance/<str:attendance_id>/", views.mark, name="mark"),
    path("<str:pk>/materials/", views.add_material, name="add_material"),
    path("<str:pk>/materials/<str:material_id>/", views.material, name="material"),
]
