from django.apps import AppConfig


class AlliancesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alliances"
    verbose_name = "Organisations and sub-alliances"
