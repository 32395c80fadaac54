from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # `<id:pk>` in every app's URLs (core/converters.py): before any URL module is read;
        # once (registering again is deprecated, and a test runs every ready() twice).
        from django.urls import register_converter
        from django.urls.converters import get_converters

        from core.converters import IdConverter

        if "id" not in get_converters():
            register_converter(IdConverter, "id")
        # Every committed write to the portal's apps makes the cached pages stale
        # (core/page_cache.py). By app label, so the core imports no app of ours.
        from core import checks, hooks, nav, page_cache  # noqa: F401 (checks: registers them)

        page_cache.connect_signals()
        # The person's roles, read once at sign-in (core/access.py).
        from django.contrib.auth.signals import user_logged_in

        from core import access

        user_logged_in.connect(access.on_login, dispatch_uid="core.access.roles")
        for item in nav.CORE_ITEMS:
            hooks.register("nav.items", item)
