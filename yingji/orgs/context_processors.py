from . import visibility


def viewer(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    person = visibility.person_of(user)
    return {
        "viewer_person": person,
        "viewer_is_admin": user.is_superuser or visibility.is_emergency_admin(user),
        "viewer_is_head_office": visibility.is_head_office(user),
    }
