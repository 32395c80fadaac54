from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
        from api.urls import OpenViews
        from core import hooks

        # The API answers for itself (401, 403, 404 as JSON): an account without a role is
        # not sent to its status page from it, it simply sees what such an account may see.
        hooks.register("access.open_views", OpenViews())
