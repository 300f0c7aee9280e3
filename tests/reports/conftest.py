import pytest
from django.utils import timezone

from yingji.core import clock


@pytest.fixture
def now(library):
    """Business time, frozen at the real present (the demo duty roster starts today)."""
    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


@pytest.fixture(autouse=True)
def no_board_kept():
    """A board drawn in one test is not shown in the next (its version could repeat after a rollback)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
