"""Strings other packages show on our pages but do not translate into all of our languages.

django-axes (the login lockout, in the admin) ships no Spanish, Portuguese, Swedish or Chinese;
django-countries lacks a few names in some languages.

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
    # axes/models.py: the lockout's records in the admin
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Time"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Logout Time"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("Username"),
    gettext_noop("access attempt"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    # django_countries/data.py: missing from its Chinese catalog
    gettext_noop("Åland Islands"),
)
