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


class ApiToken(models.Model):
    """A personal API token (docs/api.md): its owner's rights through the API, or only reading.

    The key is `tp_<prefix>_<secret>`; only the prefix (to find the row and to tell tokens
    apart on the account page) and a SHA-256 of the secret are stored, so a copy of the
    database opens nothing. The key is shown once, when it is created (accounts.services)."""

    class Access(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("What it is for."))
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    access = models.CharField(
        _("access"), max_length=8, choices=Access.choices, default=Access.READ
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} (tp_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def read_only(self) -> bool:
        return self.access == self.Access.READ
