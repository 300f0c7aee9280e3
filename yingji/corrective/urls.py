from django.urls import path

from . import views

app_name = "corrective"
urlpatterns = [
    path("", views.register, name="list"),
    path("new/", views.new_finding, name="new"),
    path("findings/<str:pk>/", views.finding, name="finding"),
    path("findings/<str:pk>/actions/", views.open_for_finding, name="open_action"),
    path("actions/<str:pk>/", views.action, name="action"),
    path("actions/<str:pk>/<slug:action>/", views.act, name="act"),
]
