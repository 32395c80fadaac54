"""Personal API tokens: created and revoked on the account page, the key shown once and stored
hashed; revoked is a 401, read-only refuses writes (403), last use noted, throttled per token
(429); the session works too, with CSRF on its writes."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(matrix_world):
    return matrix_world


@pytest.fixture
def officer(world):
    return world["users"]["officer_a"]


def _me(key: str, keyword: str = "Token"):
    return Client(HTTP_AUTHORIZATION=f"{keyword} {key}").get(reverse("api:me"))


def test_a_token_is_created_on_the_account_page_shown_once_and_stored_hashed(officer):
    client = Client()
    client.force_login(officer)
    response = client.post(
        reverse("accounts:token_create"),
        {"token-name": "Council dashboard", "token-access": "read"},
    )
    assert response.status_code == 200
    key = re.search(r'id="new-api-token">([^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=officer, name="Council dashboard")
    secret = key.split("_", 2)[2]
    # Only the prefix and a SHA-256 of the secret are kept: the key is nowhere in the row.
    assert token.prefix in key
    assert secret not in token.secret_hash and len(token.secret_hash) == 64
    assert key not in repr(ApiToken.objects.filter(pk=token.pk).values().get())
    # Shown once: the account page never shows it again, only the prefix.
    again = client.get(reverse("accounts:account")).content.decode()
    assert key not in again and f"tp_{token.prefix}_" in again
    assert _me(key).json()["username"] == officer.username


def test_either_keyword_works_and_a_wrong_key_is_a_401(officer):
    _token, key = account_services.api_token_create(user=officer, name="x", access="read")
    assert _me(key, "Bearer").status_code == 200
    wrong = _me(key[:-2] + "zz")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "authentication_failed"
    assert _me("not-a-key").status_code == 401


def test_a_revoked_token_is_a_401(officer):
    token, key = account_services.api_token_create(user=officer, name="x", access="read")
    assert _me(key).status_code == 200
    client = Client()
    client.force_login(officer)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert _me(key).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_only_its_owner_revokes_a_token(world, officer):
    token, key = account_services.api_token_create(user=officer, name="x", access="read")
    other = Client()
    other.force_login(world["users"]["admin"])
    assert other.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert _me(key).status_code == 200


def test_a_read_only_token_reads_and_never_writes(world, officer):
    _token, key = account_services.api_token_create(user=officer, name="x", access="read")
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    url = reverse("api:partnership_activities", args=[world["kwargs"]["pk"]])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": "communication", "title": "Call"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    _token, key = account_services.api_token_create(user=officer, name="y", access="write")
    writer = Client(HTTP_AUTHORIZATION=f"Token {key}")
    response = writer.post(
        url, {"kind": "communication", "title": "Call"}, content_type="application/json"
    )
    assert response.status_code == 201


def test_last_used_is_noted(officer):
    token, key = account_services.api_token_create(user=officer, name="x", access="read")
    assert token.last_used_at is None
    before = timezone.now()
    _me(key)
    token.refresh_from_db()
    assert token.last_used_at >= before


def test_throttled_per_token(settings, officer):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_token": "3/minute"},
    }
    _token, key = account_services.api_token_create(user=officer, name="x", access="read")
    assert [_me(key).status_code for _ in range(3)] == [200, 200, 200]
    refused = _me(key)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "throttled"
    # Another token of the same person counts on its own.
    _token, other = account_services.api_token_create(user=officer, name="y", access="read")
    assert _me(other).status_code == 200


def test_the_session_works_and_its_writes_need_the_csrf_token(world, officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.get(reverse("api:me")).json()["authenticated_by"] == "session"
    url = reverse("api:partnership_activities", args=[world["kwargs"]["pk"]])
    response = client.post(
        url, {"kind": "communication", "title": "Call"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_anonymous_requests_are_throttled_per_address(settings, world):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_token": "2/minute"},
    }
    url = reverse("api:registry_list")
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    # Another X-Forwarded-For is the same address (no proxy is configured to be trusted).
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.8").get(url).status_code == 200
