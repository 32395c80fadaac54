"""Enumerations shared by several partnership models."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Step(models.IntegerChoices):
    """The eight steps of the partnering process, in order (see `partnerships.workflow`)."""

    STRATEGY = 1, _("Strategy")
    # Translators: the name of step 2, the search for partner cities (a noun).
    SEARCH = 2, pgettext_lazy("step", "Search")
    APPROACH = 3, _("Approach and evaluation")
    SELECTION = 4, _("Selection")
    PLANNING = 5, _("Planning")
    AGREEMENT = 6, _("Agreement / MOU")
    IMPLEMENTATION = 7, _("Implementation")
    MEASUREMENT = 8, _("Measurement and learning")
