from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.web import domain_view
from yingji.orgs import visibility

from . import services
from .models import ApiToken


@domain_view
@require_POST
def revoke(request, pk):
    token = visibility.get_visible_or_404(
        ApiToken.objects.select_related("person__unit", "person__user"), request.user, "person__unit", pk=pk
    )
    services.revoke_token(actor=request.user, token=token)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect(token.person)
