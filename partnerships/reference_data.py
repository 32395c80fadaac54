"""The fixed reference lists, loaded by a data migration so every database has them."""

# ISIC Rev. 4 sections: one shared sector list for cities, businesses and matchmaking.
SECTORS = [
    ("A", "Agriculture, forestry and fishing"),
    ("B", "Mining and quarrying"),
    ("C", "Manufacturing"),
    ("D", "Electricity, gas, steam and air conditioning supply"),
    ("E", "Water supply, sewerage and waste management"),
    ("F", "Construction"),
    ("G", "Wholesale and retail trade"),
    ("H", "Transportation and storage"),
    ("I", "Accommodation and food service (tourism)"),
    ("J", "Information and communication"),
    ("K", "Financial and insurance activities"),
    ("L", "Real estate activities"),
    ("M", "Professional, scientific and technical activities"),
    ("N", "Administrative and support services"),
    ("O", "Public administration and defence"),
    ("P", "Education"),
    ("Q", "Human health and social work"),
    ("R", "Arts, entertainment and recreation"),
    ("S", "Other service activities"),
    ("T", "Activities of households as employers"),
    ("U", "Extraterritorial organisations"),
]

COOPERATION_AREAS = [
    ("trade", "Trade and export promotion"),
    ("investment", "Investment"),
    ("tourism", "Tourism"),
    ("culture", "Culture"),
    ("education", "Education and youth exchange"),
    ("capacity", "Municipal capacity building"),
    ("environment", "Environment"),
    ("health", "Health"),
    ("governance", "Governance"),
    ("migration", "Migration"),
    ("research", "Research"),
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
