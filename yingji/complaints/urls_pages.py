from django.urls import path

from . import views, views_actions, views_categories

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.register, name="register"),
    # Before `<number>/`, which would take it.
    path("knowledge/", views.knowledge, name="knowledge"),
    path("categories/", views_categories.categories, name="categories"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/reveal/", views_actions.reveal, name="reveal"),
    path("<str:number>/<slug:action>/", views_actions.act, name="act"),
]
