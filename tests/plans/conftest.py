import pytest

from yingji.plans.loader import load_library


@pytest.fixture
def library(demo):
    """The shipped plan library, as `make run` loads it."""
    load_library()
