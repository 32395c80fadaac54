from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerships"

    def ready(self) -> None:
        from core import hooks
        from core.access import has_role
        from core.nav import NavItem
        from partnerships import exports, permissions

        # Who works for a city, for core.access (and the officers' items of the nav bar).
        hooks.register("access.roles", permissions.roles)
        officer = has_role("officer")

        for dataset in exports.DATASETS:
            hooks.register("exports.datasets", dataset)
        for item in (
            NavItem("Dashboard", "partnerships:dashboard", order=10, shown=officer),
            NavItem("Partnerships", "partnerships:list", order=20, shown=officer),
            NavItem("Partner cities", "partnerships:city_list", order=30, shown=officer),
            NavItem("Lessons", "partnerships:lessons", order=40, shown=officer),
            NavItem("Reports", "partnerships:reports", order=50, shown=officer),
        ):
            hooks.register("nav.items", item)
