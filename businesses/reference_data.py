"""The fixed list of what businesses seek and offer, loaded by a data migration.

The names are stored in English; `gettext_noop` puts them in the catalogs, and the pages and
the matchmaking's reasons show them translated (Need.label, matching_reasons.need_text)."""

from django.utils.translation import gettext_noop as _

# (code, as sought, as offered). The codes are what the CSV import and filters use.
NEEDS = [
    ("buyers", _("Buyers for our products"), _("A market: we buy")),
    ("suppliers", _("Suppliers of inputs"), _("Supply: we sell to other firms")),
    ("investment", _("Investment"), _("Investment capital")),
    ("technology", _("Technology and knowledge"), _("Technology and know-how")),
    ("students", _("Students and interns"), _("Student placements and training")),
    ("tourism", _("Tourists and visitors"), _("Tourism packages and visitors")),
]


def ensure(apps=None) -> None:
    """Load the list (idempotent): from the data migration, and after a test flushes it."""
    from django.apps import apps as global_apps

    Need = (apps or global_apps).get_model("businesses", "Need")
    for position, (code, name, offer_name) in enumerate(NEEDS):
        Need.objects.update_or_create(
            code=code, defaults={"name": name, "offer_name": offer_name, "position": position}
        )
