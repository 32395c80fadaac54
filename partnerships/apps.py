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
        from partnerships import bulk, exports, page_scopes, permissions, search
        from partnerships.health import stored as stored_health
        from partnerships.models import DefaultView, HeldUpload, SavedView

        # Who works for a city, for core.access (and the officers' items of the nav bar).
        hooks.register("access.roles", permissions.roles)
        officer = has_role("officer")

        # The stored health goes stale when a row its facts are read from changes.
        stored_health.watch(*stored_health.SOURCES)

        # Where rows show, for the page cache (core.page_cache).
        hooks.register("page_cache.scopes", page_scopes.SCOPES)
        for model in page_scopes.EVERYWHERE:
            hooks.register("page_cache.everywhere", model)
        for model in (SavedView, DefaultView, HeldUpload):
            hooks.register("page_cache.personal", model)
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
