"""Enumerations shared by several partnership models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.IntegerChoices):
    """The eight steps of the partnering process, in order (see `partnerships.workflow`)."""

    STRATEGY = 1, _("Strategy")
    SEARCH = 2, _("Search")
    APPROACH = 3, _("Approach and evaluation")
    SELECTION = 4, _("Selection")
    PLANNING = 5, _("Planning")
    AGREEMENT = 6, _("Agreement / MOU")
    IMPLEMENTATION = 7, _("Implementation")
    MEASUREMENT = 8, _("Measurement and learning")
