from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invitations"
    verbose_name = _("Invitations")

    def ready(self) -> None:
        from core import hooks
        from invitations import panels

        # Role-less people must reach the pages that give them a role.
        hooks.register("access.open_views", panels.OPEN_VIEWS)
        hooks.register("access.roles", panels.roles)
        hooks.register("partnership.links", panels.partnership_links)
        hooks.register("city.officers_panels", panels.officers_panel)
        hooks.register("account.status_panels", panels.status_panel)
