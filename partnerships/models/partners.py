"""Cities and the shared reference lists they are described with."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Sector(models.Model):
    """An economic sector (ISIC Rev. 4 sections), shared by cities, businesses and matchmaking."""

    code = models.CharField(max_length=8, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=120, verbose_name=_("name"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        # The names are stored in English and in the catalogs (reference_data.py).
        return f"{self.code} – {gettext(self.name)}"


class CooperationArea(models.Model):
    """An area of cooperation (trade, tourism, education…), seeded by a data migration."""

    code = models.SlugField(max_length=32, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=80, verbose_name=_("name"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("cooperation area")
        verbose_name_plural = _("cooperation areas")

    def __str__(self) -> str:
        return gettext(self.name)  # stored in English, in the catalogs (reference_data.py)


class Partner(models.Model):
    """A city, town, metro or region with its local government: a possible partner."""

    class Kind(models.TextChoices):
        CITY = "city", _("City")
        TOWN = "town", _("Town")
        METRO = "metro", _("Metropolitan municipality")
        DISTRICT = "district", _("District municipality")
        REGION = "region", _("Region / province")

    class GlobalRegion(models.TextChoices):
        # The North/South classification the partnership's orientation is derived from.
        NORTH = "north", _("Global North")
        SOUTH = "south", _("Global South")

    name = models.CharField(max_length=120, verbose_name=_("name"))
    province = models.CharField(_("province / state"), max_length=120, blank=True)
    country = CountryField(
        verbose_name=_("country"),
    )
    kind = models.CharField(
        max_length=16, choices=Kind.choices, default=Kind.CITY, verbose_name=_("kind")
    )
    population = models.PositiveBigIntegerField(null=True, blank=True, verbose_name=_("population"))
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        verbose_name=_("latitude"),
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        verbose_name=_("longitude"),
    )
    # The place in the gazetteer (GeoNames) this city is: one city per place. Not a foreign
    # key: the gazetteer's table may be reloaded, or not loaded yet, without touching cities.
    geonameid = models.PositiveIntegerField(
        _("GeoNames id"),
        unique=True,
        null=True,
        blank=True,
        help_text=_("The city's place in the GeoNames gazetteer (geonames.org/<id>)."),
    )
    global_region = models.CharField(
        _("North/South"), max_length=8, choices=GlobalRegion.choices, default=GlobalRegion.NORTH
    )
    website = models.URLField(blank=True, verbose_name=_("website"))
    community_profile = models.TextField(blank=True, verbose_name=_("community profile"))
    development_plan = models.TextField(
        _("development plan summary"),
        blank=True,
        help_text=_("The local development plan's priorities (in South Africa, the IDP)."),
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="partners", verbose_name=_("sectors")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "province", "country"], name="partner_unique_name_province_country"
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                | models.Q(latitude__isnull=True),
                name="partner_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180)
                | models.Q(longitude__isnull=True),
                name="partner_longitude_range",
            ),
        ]
        indexes = [models.Index(fields=["country", "name"])]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})" if self.country else self.name


class CityMembership(models.Model):
    """A portal user working for a city: an officer, or a coordinator who also runs its strategy."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("International relations officer")
        COORDINATOR = "coordinator", _("Coordinator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="city_memberships",
        verbose_name=_("user"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="staff", verbose_name=_("partner")
    )
    role = models.CharField(
        max_length=16, choices=Role.choices, default=Role.OFFICER, verbose_name=_("role")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "partner"], name="citymembership_unique")
        ]
        verbose_name = _("city membership")
        verbose_name_plural = _("city memberships")

    def __str__(self) -> str:
        return gettext("%(user)s – %(role)s of %(city)s") % {
            "user": self.user,
            "role": self.get_role_display(),
            "city": self.partner.name,
        }
