"""The fixed list of what businesses seek and offer, loaded by a data migration."""

# (code, as sought, as offered). The codes are what the CSV import and filters use.
NEEDS = [
    ("buyers", "Buyers for our products", "A market: we buy"),
    ("suppliers", "Suppliers of inputs", "Supply: we sell to other firms"),
    ("investment", "Investment", "Investment capital"),
    ("technology", "Technology and knowledge", "Technology and know-how"),
    ("students", "Students and interns", "Student placements and training"),
    ("tourism", "Tourists and visitors", "Tourism packages and visitors"),
]


def ensure(apps=None) -> None:
    """Load the list (idempotent): from the data migration, and after a test flushes it."""
    from django.apps import apps as global_apps

    Need = (apps or global_apps).get_model("businesses", "Need")
    for position, (code, name, offer_name) in enumerate(NEEDS):
        Need.objects.update_or_create(
            code=code, defaults={"name": name, "offer_name": offer_name, "position": position}
        )
