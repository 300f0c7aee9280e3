from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yingji.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .inputs import keep_stored_times_readable

        connection_created.connect(keep_stored_times_readable, dispatch_uid="yingji.core.stored_times")

        from django.contrib.auth.signals import user_logged_in

        from .middleware import renewed_at_sign_in

        user_logged_in.connect(renewed_at_sign_in, dispatch_uid="yingji.core.session_renewed")
