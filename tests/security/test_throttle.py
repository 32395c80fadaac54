"""The public forms that create accounts or send email are throttled per client address
(django-ratelimit, `config.middleware.throttle_posts`): THROTTLE_RATE POSTs, then a friendly
429 page, with nothing saved and no email sent. GETs are not counted; another address has
its own count. (config/settings/test.py turns the throttle off for the other tests.)"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from businesses.models import ChamberMembership
from config.middleware import THROTTLE_RATE, THROTTLE_RETRY_AFTER_SECONDS
from tests.factories.accounts import UserFactory
from tests.factories.alliances import Twinned
from tests.factories.businesses import BusinessAssociationFactory

pytestmark = pytest.mark.django_db

LIMIT = int(THROTTLE_RATE.split("/")[0])
PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture(autouse=True)
def throttle_on(settings):
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def association(db):
    return BusinessAssociationFactory(organisation__partner=Twinned().home)


def signup(client, association, n: int, address: str = "203.0.113.7"):
    return client.post(
        reverse("businesses:signup"),
        {
            "association": association.pk,
            "first_name": "Anele",
            "last_name": "Jacobs",
            "email": f"anele{n}@chamber.example.org",
            "job_title": "Trade officer",
            "username": f"anele{n}",
            "password": PASSWORD,
            "password2": PASSWORD,
        },
        REMOTE_ADDR=address,
    )


def assert_friendly_429(response):
    assert response.status_code == 429
    assert response["Retry-After"] == str(THROTTLE_RETRY_AFTER_SECONDS)
    body = response.content.decode()
    assert "Too many attempts" in body and "nothing was saved" in body
    assert "<script" not in body  # the CSP allows no inline script


def test_the_sign_up_allows_the_rate_then_answers_429_and_saves_nothing(client, association):
    for n in range(LIMIT):
        assert signup(client, association, n).status_code == 302
        client.logout()  # a sign-up signs the new account in
    assert User.objects.filter(username__startswith="anele").count() == LIMIT

    response = signup(client, association, LIMIT)
    assert_friendly_429(response)
    assert not User.objects.filter(username=f"anele{LIMIT}").exists()
    assert ChamberMembership.objects.count() == LIMIT

    # Reading the form is never throttled; another address has its own count.
    assert client.get(reverse("businesses:signup"), REMOTE_ADDR="203.0.113.7").status_code == 200
    assert signup(client, association, 99, address="198.51.100.4").status_code == 302
    assert User.objects.filter(username="anele99").exists()


def test_invalid_posts_count_too(client, association):
    for _ in range(LIMIT):
        response = client.post(reverse("businesses:signup"), {}, REMOTE_ADDR="203.0.113.8")
        assert response.status_code == 200  # the form with its errors
    assert_friendly_429(signup(client, association, 1, address="203.0.113.8"))
    assert not User.objects.filter(username__startswith="anele").exists()
    assert not ChamberMembership.objects.exists()


def test_the_password_reset_allows_the_rate_then_answers_429_and_sends_nothing(client):
    UserFactory(email="officer@city.example.org")
    address = reverse("password_reset")
    for _ in range(LIMIT):
        response = client.post(
            address, {"email": "officer@city.example.org"}, REMOTE_ADDR="203.0.113.9"
        )
        assert response.status_code == 302
    assert len(mail.outbox) == LIMIT

    response = client.post(
        address, {"email": "officer@city.example.org"}, REMOTE_ADDR="203.0.113.9"
    )
    assert_friendly_429(response)
    assert len(mail.outbox) == LIMIT
    assert client.get(address, REMOTE_ADDR="203.0.113.9").status_code == 200
