from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Every committed write to the portal's apps makes the cached pages stale
        # (core/page_cache.py). By app label, so the core imports no app of ours.
        from core import checks, hooks, nav, page_cache  # noqa: F401 (checks: registers them)

        page_cache.connect_signals()
        for item in nav.CORE_ITEMS:
            hooks.register("nav.items", item)
