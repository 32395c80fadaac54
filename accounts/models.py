from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """The portal's user. Custom from the first migration so it can grow without pain.

    Which city an officer works for lives in `partnerships.CityMembership`: accounts is
    the bottom layer and knows nothing of cities.
    """

    email = models.EmailField("email address", blank=True, db_index=True)
    job_title = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username
