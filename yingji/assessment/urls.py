from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.summaries, name="list"),
    path("generate/", views.generate, name="generate"),
    path("summaries/<str:pk>/", views.summary, name="summary"),
    path("summaries/<str:pk>/docx/", views.summary_docx, name="summary_docx"),
    path("summaries/<str:pk>/<str:action>/", views.summary_action, name="summary_action"),
    path("ranking/", views.ranking, name="ranking"),
    path("weights/", views.weights, name="weights"),
]
