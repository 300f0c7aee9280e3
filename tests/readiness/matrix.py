"""Plan readiness's records for the access matrix (tests/test_access_matrix.py): a quiz attempt of
和谐路营业部's head 郑和谐 (an own record: nobody else opens it), begun the way the product begins it. The
unit readiness page and API name 和谐支行 (the matrix's "unit"); the person API names its "person"."""

from django.contrib.auth.models import User

from yingji.orgs.models import Person
from yingji.plans.models import Plan
from yingji.readiness import services


def records() -> tuple[dict[str, object], dict[str, User]]:
    head = Person.objects.select_related("user", "unit").get(user__username="hexie_manager")
    plan = Plan.objects.get(code="outlet-service-customer-injured")
    attempt = services.start_plan_quiz(person=head, plan=plan, seed=1)
    return {"quiz_attempt": attempt.pk}, {"quiz_attempt": head.user}
