from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_calendar
from .forms import StyledPasswordChangeForm

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/", views.PasswordChange.as_view(form_class=StyledPasswordChangeForm), name="password_change"
    ),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("jobs/", views.jobs, name="jobs"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("calendar/add/", views_calendar.calendar_add, name="calendar_add"),
    path("healthz", views.healthz, name="healthz"),
]
