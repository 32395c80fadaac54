from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerships"

    def ready(self) -> None:
        # Every committed write to the portal's apps makes the cached pages stale
        # (config/page_cache.py). By app label, so partnerships imports no outer app.
        from config import page_cache

        page_cache.connect_signals()
