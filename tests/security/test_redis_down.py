"""With Redis gone the portal keeps serving: every cache call becomes a miss.

Production keeps sessions, the page cache and the throttle's counters in Redis (django-redis
with IGNORE_EXCEPTIONS, config/settings/base.py). Here the cache points at a port where
nothing listens — a real dead Redis, not a mock — and a person still signs in and reads their
pages, the session falling back to the database.
"""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from partnerships.models import CityMembership
from tests.factories.accounts import UserFactory
from tests.factories.alliances import Twinned
from tests.factories.businesses import BusinessAssociationFactory
from tests.factories.partnerships import CityMembershipFactory, PartnershipFactory

DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_redis_is_down"),
]


@pytest.fixture
def _redis_is_down():
    with override_settings(
        CACHES=DEAD_REDIS,
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
        PAGE_CACHE=True,
    ):
        assert cache.get("anything") is None  # the dead Redis answers as an empty cache
        yield


def test_sign_in_and_pages_work_while_redis_is_down(client):
    user = UserFactory(password="a-long-passphrase-2026")
    membership = CityMembershipFactory(user=user, role=CityMembership.Role.OFFICER)
    mine = PartnershipFactory(home=membership.partner)

    response = client.post(
        reverse("login"), {"username": user.username, "password": "a-long-passphrase-2026"}
    )
    assert response.status_code == 302, "sign-in must not depend on Redis"

    for address in (
        reverse("partnerships:dashboard"),
        reverse("partnerships:list"),
        reverse("partnerships:detail", args=[mine.pk]),
    ):
        page = client.get(address)
        assert page.status_code == 200, address
        assert page.context["user"] == user


def test_a_write_while_redis_is_down_is_saved(client):
    """Writes bump the page cache's generation in Redis; that failing must not lose them."""
    user = UserFactory()
    membership = CityMembershipFactory(user=user, role=CityMembership.Role.OFFICER)
    mine = PartnershipFactory(home=membership.partner, title="Before the outage")
    client.force_login(user)

    page = client.get(reverse("partnerships:edit", args=[mine.pk]))
    assert page.status_code == 200
    data = {
        name: field.value() if field.value() is not None else ""
        for name, field in ((n, page.context["form"][n]) for n in page.context["form"].fields)
    }
    data["title"] = "Written during the outage"
    response = client.post(reverse("partnerships:edit", args=[mine.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    mine.refresh_from_db()
    assert mine.title == "Written during the outage"


def test_the_throttle_lets_forms_through_while_redis_is_down(client, settings):
    """The sign-up throttle counts in Redis; without it the form stays open (fail open),
    rather than every sign-up being refused."""
    from tests.security.test_throttle import LIMIT, signup

    settings.RATELIMIT_ENABLE = True
    association = BusinessAssociationFactory(organisation__partner=Twinned().home)
    for n in range(LIMIT + 2):
        assert signup(client, association, n).status_code == 302
        client.logout()
    assert User.objects.filter(username__startswith="anele").count() == LIMIT + 2
