"""The fixed reference lists, loaded by a data migration so every database has them.

The names are stored in the database in English; `gettext_noop` only marks them so the
catalogues hold them (a page may show `gettext(name)`)."""

from django.utils.translation import gettext_noop

# ISIC Rev. 4 sections: one shared sector list for cities, businesses and matchmaking.
SECTORS = [
    ("A", gettext_noop("Agriculture, forestry and fishing")),
    ("B", gettext_noop("Mining and quarrying")),
    ("C", gettext_noop("Manufacturing")),
    ("D", gettext_noop("Electricity, gas, steam and air conditioning supply")),
    ("E", gettext_noop("Water supply, sewerage and waste management")),
    ("F", gettext_noop("Construction")),
    ("G", gettext_noop("Wholesale and retail trade")),
    ("H", gettext_noop("Transportation and storage")),
    ("I", gettext_noop("Accommodation and food service (tourism)")),
    ("J", gettext_noop("Information and communication")),
    ("K", gettext_noop("Financial and insurance activities")),
    ("L", gettext_noop("Real estate activities")),
    ("M", gettext_noop("Professional, scientific and technical activities")),
    ("N", gettext_noop("Administrative and support services")),
    ("O", gettext_noop("Public administration and defence")),
    ("P", gettext_noop("Education")),
    ("Q", gettext_noop("Human health and social work")),
    ("R", gettext_noop("Arts, entertainment and recreation")),
    ("S", gettext_noop("Other service activities")),
    ("T", gettext_noop("Activities of households as employers")),
    ("U", gettext_noop("Extraterritorial organisations")),
]

COOPERATION_AREAS = [
    ("trade", gettext_noop("Trade and export promotion")),
    ("investment", gettext_noop("Investment")),
    ("tourism", gettext_noop("Tourism")),
    ("culture", gettext_noop("Culture")),
    ("education", gettext_noop("Education and youth exchange")),
    ("capacity", gettext_noop("Municipal capacity building")),
    ("environment", gettext_noop("Environment")),
    ("health", gettext_noop("Health")),
    ("governance", gettext_noop("Governance")),
    ("migration", gettext_noop("Migration")),
    ("research", gettext_noop("Research")),
]


def ensure(apps=None) -> None:
    """Load the lists (idempotent): from the data migration, and after a test flushes them."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Sector = apps.get_model("partnerships", "Sector")
    CooperationArea = apps.get_model("partnerships", "CooperationArea")
    for code, name in SECTORS:
        Sector.objects.update_or_create(code=code, defaults={"name": name})
    for code, name in COOPERATION_AREAS:
        CooperationArea.objects.update_or_create(code=code, defaults={"name": name})
