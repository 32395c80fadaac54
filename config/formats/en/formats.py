"""English dates as the portal has always written them ("3 Sep 2026", "3 September 2026"):
day first, which reads the same in South Africa, Europe and most partner countries. Every other
language uses Django's own formats for it (Chinese 2026年9月3日, German 3. September 2026...):
templates and core/formatting.py ask for the named formats, never a pattern."""

from django.conf.locale.en.formats import *  # noqa: F403  (the rest as Django has it)

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
