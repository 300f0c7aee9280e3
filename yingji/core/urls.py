from django.contrib.auth import views as auth_views
from django.urls import path

from yingji.reports.views import home

from . import views, views_calendar
from .forms import StyledPasswordChangeForm

urlpatterns = [
    # The home page fits the person's role: the situation board of their subtree, or their own work.
    path("", home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Templates outside registration/: django.contrib.admin, listed first in INSTALLED_APPS, ships its own
    # registration/password_change_*.html, which would win and show users the admin's page.
    path(
        "password/",
        views.PasswordChange.as_view(
            form_class=StyledPasswordChangeForm, template_name="core/password_change_form.html"
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
        name="password_change_done",
    ),
    path("jobs/", views.jobs, name="jobs"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("calendar/add/", views_calendar.calendar_add, name="calendar_add"),
    path("healthz", views.healthz, name="healthz"),
]
