from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliancesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alliances"
    verbose_name = _("Organisations and sub-alliances")
