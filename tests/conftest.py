import pytest
from django.conf import settings

from yingji.orgs.demo import load_demo
from yingji.orgs.models import Person


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["yingji.core.testing.FastArgon2PasswordHasher"]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_demo()
        _load_library()


def _demo_present() -> bool:
    """Everything `load_demo` makes is there: a test's rollback keeps it, only a transactional test's
    flush empties it. Four cheap reads instead of the loader's two hundred."""
    from yingji.complaints.models import Category
    from yingji.core import clock
    from yingji.core.models import CalendarYear
    from yingji.orgs.demo import PEOPLE
    from yingji.orgs.models import DutyRoster

    return (
        Person.objects.count() == len(PEOPLE)
        and DutyRoster.objects.filter(on_date=clock.local_today()).exists()
        and Category.objects.exists()
        and CalendarYear.objects.exists()
    )


@pytest.fixture
def demo(db):
    """The demo bank. Loaded once per session; loaded again after a transactional test emptied it."""
    if not _demo_present():
        load_demo()


def _load_library() -> None:
    from yingji.notify.defaults import ensure_defaults
    from yingji.plans.loader import load_library

    load_library()
    ensure_defaults()


@pytest.fixture
def library(demo):
    """The shipped plan library and the default notification rules, as `make run` leaves them: loaded
    once per session, and again after a transactional test emptied the database."""
    from yingji.notify.models import NotificationRule
    from yingji.plans.models import Plan

    if not (Plan.objects.exists() and NotificationRule.objects.exists()):
        _load_library()


def _persona(username: str):
    @pytest.fixture
    def persona(demo) -> Person:
        return Person.objects.select_related("user", "unit").get(user__username=username)

    return persona


hq_duty = _persona("hq_duty")
branch_duty = _persona("branch_duty")
hexie_manager = _persona("hexie_manager")
hexie_lobby = _persona("hexie_lobby")
other_manager = _persona("other_manager")
cc_lead = _persona("cc_lead")


@pytest.fixture
def admin_user(demo):
    from django.contrib.auth.models import User

    return User.objects.get(username="admin")


@pytest.fixture
def demo_password() -> str:
    return settings.DEMO_PASSWORD


@pytest.fixture
def lobby_token(demo) -> str:
    """An API token of 王大堂 (hexie_lobby), issued as an administrator would."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("issue_token", "hexie_lobby", stdout=out)
    return out.getvalue().strip()
