"""POST /api/v1/signals fuzzed with schemathesis as the integration it is for (the ACD's own token, not
a person's): no answer is a 500, every answer is one the operation documents, in its shape."""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from yingji.api.api import api
from yingji.api.models import hash_token
from yingji.monitoring import services
from yingji.monitoring.models import Integration

RAW = "yjs_fuzz-acd"

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()


@schema.auth()
class IntegrationAuth:
    def get(self, case, context):
        return RAW

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(autouse=True)
def acd_token(rules, unit, cc_manager, now):
    integration, _raw = services.issue_integration(
        actor=None, name="客服中心ACD", kind="acd", units=[unit("CC")], contact=cc_manager
    )
    Integration.objects.filter(pk=integration.pk).update(key_hash=hash_token(RAW))  # the value the cases send
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.fuzz
@schema.include(path="/api/v1/signals").parametrize()
@settings(
    max_examples=40, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
def test_the_acd(case):
    with transaction.atomic():
        case.call_and_validate(excluded_checks=[positive_data_acceptance])
        transaction.set_rollback(True)
