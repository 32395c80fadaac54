from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The portal's user. Custom from the first migration so it can grow without pain.

    Which city an officer works for lives in `partnerships.CityMembership`: accounts is
    the bottom layer and knows nothing of cities.
    """

    email = models.EmailField(_("email address"), blank=True, db_index=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    # The language of the portal's pages, e-mails and dossier for this person; empty: the one
    # chosen on the switcher, else the browser's (pages) or the portal's default (e-mails).
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )

    class Meta(AbstractUser.Meta):
        ordering = ["username"]

    @property
    def language_or_default(self) -> str:
        """The language to write to this person in, when no request says it (e-mails)."""
        return self.language or settings.LANGUAGE_CODE

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username
