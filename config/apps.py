from django.apps import AppConfig


class PortalConfig(AppConfig):
    """`config` as an installed app, for what belongs to the deployment rather than to a
    feature: the system checks of config/checks.py and the heartbeat task (config/tasks.py,
    found by Celery's autodiscovery)."""

    name = "config"
    label = "portal_config"
    verbose_name = "Portal configuration"

    def ready(self) -> None:
        from config import checks  # noqa: F401  (registers the checks)
