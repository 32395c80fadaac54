"""Strings other packages show on our pages but do not translate into all of our languages.

Django 5.2's admin reads these aloud (visually hidden table headers and link names) and its
catalogs lack some of them for some languages (Simplified Chinese among them). Marked here,
they are in our catalogs, and our catalogs come first (LOCALE_PATHS), so every admin page is
read in its reader's language. Nothing imports this module; makemessages reads it."""

from django.utils.translation import gettext_noop

THIRD_PARTY_STRINGS = (
    # django/contrib/admin/templates/admin/app_list.html
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)
