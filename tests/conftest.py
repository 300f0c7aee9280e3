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


@pytest.fixture
def demo(db):
    """The demo bank. Loaded once per session; loaded again after a transactional test emptied it."""
    load_demo()


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
