from django.urls import path

from . import views, views_edit

app_name = "plans"
urlpatterns = [
    path("", views.library, name="library"),
    path("roles/", views.roles, name="roles"),
    path("roles/<slug:code>/", views.role_card, name="role_card"),
    path("roles/<slug:code>/export.docx", views.role_card_docx, name="role_card_docx"),
    path("p/<slug:code>/", views.plan, name="plan"),
    path("p/<slug:code>/v<int:number>/", views.version, name="version"),
    path("p/<slug:code>/v<int:number>/export.docx", views.version_docx, name="version_docx"),
    path("p/<slug:code>/diff/", views.diff, name="diff"),
    path("p/<slug:code>/revise/", views_edit.revise, name="revise"),
    path("p/<slug:code>/v<int:number>/edit/", views_edit.edit_version, name="edit_version"),
    path("p/<slug:code>/v<int:number>/steps/add/", views_edit.add_step, name="add_step"),
    path("p/<slug:code>/v<int:number>/steps/<int:step_id>/edit/", views_edit.edit_step, name="edit_step"),
    path(
        "p/<slug:code>/v<int:number>/steps/<int:step_id>/delete/", views_edit.delete_step, name="delete_step"
    ),
    path("p/<slug:code>/v<int:number>/steps/<int:step_id>/move/", views_edit.move_step, name="move_step"),
    path("p/<slug:code>/v<int:number>/<slug:action>/", views_edit.version_action, name="version_action"),
]
