from django.urls import path

from . import views, views_decisions

app_name = "security"

urlpatterns = [
    path("", views.inspections, name="list"),
    path("inspections/new/", views.start, name="start"),
    path("inspections/<str:pk>/", views.inspection, name="inspection"),
    path("inspections/<str:pk>/items/<str:item_id>/", views.record_item, name="record_item"),
    path("inspections/<str:pk>/items/<str:item_id>/photos/", views.add_photo, name="add_photo"),
    path("inspections/<str:pk>/photos/<str:photo_id>/", views.photo, name="photo"),
    path("inspections/<str:pk>/sign/", views.sign, name="sign"),
    path("inspections/<str:pk>/rectifications/<str:action_id>/recheck/", views.recheck, name="recheck"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("checklist/", views.checklist, name="checklist"),
    path("schedule/", views_decisions.schedule, name="schedule"),
    path("accountability/", views_decisions.accountabilities, name="accountabilities"),
    path("accountability/<str:pk>/", views_decisions.accountability_page, name="accountability"),
]
