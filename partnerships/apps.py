from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerships"

    def ready(self) -> None:
        from core import hooks
        from core.nav import NavItem
        from partnerships import exports

        for dataset in exports.DATASETS:
            hooks.register("exports.datasets", dataset)
        for item in (
            NavItem("Dashboard", "partnerships:dashboard", order=10),
            NavItem("Partnerships", "partnerships:list", order=20),
            NavItem("Partner cities", "partnerships:city_list", order=30),
            NavItem("Lessons", "partnerships:lessons", order=40),
            NavItem("Reports", "partnerships:reports", order=50),
        ):
            hooks.register("nav.items", item)
