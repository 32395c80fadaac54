from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self) -> None:
        from core import hooks
        from core.access import has_role
        from core.nav import NavItem
        from partnerships import bulk, exports, permissions, search

        # Who works for a city, for core.access (and the officers' items of the nav bar).
        hooks.register("access.roles", permissions.roles)
        officer = has_role("officer")

        for provider in search.PROVIDERS:
            hooks.register("search.results", provider)
        for dataset in exports.DATASETS:
            hooks.register("exports.datasets", dataset)
        for action in bulk.ACTIONS:
            hooks.register("partnerships.bulk_actions", action)
        for item in (
            NavItem(_("Dashboard"), "partnerships:dashboard", order=10, shown=officer),
            NavItem(_("Partnerships"), "partnerships:list", order=20, shown=officer),
            NavItem(_("Partner cities"), "partnerships:city_list", order=30, shown=officer),
            NavItem(_("Lessons"), "partnerships:lessons", order=40, shown=officer),
            NavItem(_("Reports"), "partnerships:reports", order=50, shown=officer),
        ):
            hooks.register("nav.items", item)
