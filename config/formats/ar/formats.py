"""Arabic dates and times: Django's Arabic formats name no date-time format, so date-times fell
back to the American "m/d/Y P" (12/06/2026 for 6 December) beside its own day-first dates on
the same page. Day first, as its dates are."""

from django.conf.locale.ar.formats import *  # noqa: F403  (the rest as Django has it)

DATETIME_FORMAT = "j F، Y، g:i A"
SHORT_DATETIME_FORMAT = "d‏/m‏/Y g:i A"
