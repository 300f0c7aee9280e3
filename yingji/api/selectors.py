from yingji.orgs.models import Person

from .models import ApiToken


def tokens_of(*, person: Person):
    return ApiToken.objects.filter(person=person).order_by("-created_at")
