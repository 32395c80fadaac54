"""Enumerations shared by several partnership models."""

from django.db import models


class Step(models.IntegerChoices):
    """The eight steps of the partnering process, in order (see `partnerships.workflow`)."""

    STRATEGY = 1, "Strategy"
    SEARCH = 2, "Search"
    APPROACH = 3, "Approach and evaluation"
    SELECTION = 4, "Selection"
    PLANNING = 5, "Planning"
    AGREEMENT = 6, "Agreement / MOU"
    IMPLEMENTATION = 7, "Implementation"
    MEASUREMENT = 8, "Measurement and learning"
