"""Login protection: django-axes lockout, Argon2, password validators, session expiry, and
the security headers (CSP, frames, referrer, HSTS) on every page."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from tests.factories.accounts import UserFactory
from tests.factories.partnerships import CityMembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-correct-horse-2026"


@pytest.fixture
def axes_on(settings):
    """The test settings turn axes off (`client.login` has no request); these tests use it."""
    settings.AXES_ENABLED = True
    from axes.utils import reset

    reset()
    yield
    reset()


@pytest.fixture
def officer():
    user = UserFactory(username="lindiwe")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failures_lock_the_username_from_that_address(client, officer, axes_on):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "lindiwe", "wrong").status_code == 200
    locked = _login(client, "lindiwe", "wrong")
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    # Even the right password is refused during the cool-off.
    assert _login(client, "lindiwe", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, officer, axes_on):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "lindiwe", "wrong", ip="10.0.0.1")
    # The same person from another address, and another user from the same address, may log in.
    assert _login(client, "lindiwe", PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    other = UserFactory(username="thabo")
    other.set_password(PASSWORD)
    other.save()
    assert _login(client, "thabo", PASSWORD, ip="10.0.0.1").status_code == 302


def test_a_success_resets_the_count(client, officer, axes_on):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "lindiwe", "wrong")
    assert _login(client, "lindiwe", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "lindiwe", "wrong").status_code == 200


def test_lockout_settings():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_argon2_is_the_production_hasher():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        encoded = make_password(PASSWORD)
        assert identify_hasher(encoded).algorithm == "argon2"
        assert check_password(PASSWORD, encoded)


def test_argon2_at_owasps_cost_and_older_hashes_still_verify_then_upgrade():
    """config/hashers.py: 46 MiB, 1 pass, 1 lane (OWASP), not Django's 100 MiB. A hash made
    with Django's parameters still verifies, and is marked for rehashing at the next sign-in."""
    from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher

    from config.settings import base

    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        ours = get_hasher("argon2")
        assert (ours.memory_cost, ours.time_cost, ours.parallelism) == (46 * 1024, 1, 1)
        assert "m=47104,t=1,p=1" in make_password(PASSWORD)
        older = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
        assert "m=102400" in older
        assert check_password(PASSWORD, older)
        assert ours.must_update(older)


@pytest.mark.parametrize("weak", ["short", "password123", "12345678901", "lindiwe-2026"])
def test_weak_passwords_are_refused(weak):
    user = UserFactory.build(username="lindiwe-2026")
    with pytest.raises(ValidationError):
        validate_password(weak, user=user)


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_security_headers_on_a_page(client, officer):
    CityMembershipFactory(user=officer)  # an officer's page, not the status page
    client.force_login(officer)
    response = client.get(reverse("partnerships:dashboard"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert "<script>" not in html and " onclick=" not in html and " style=" not in html
    assert 'name="htmx-config"' in html


def test_production_defaults_from_the_environment():
    """DEBUG off and no overrides: https only, HSTS a year, secure cookies."""
    from config.settings import base

    if base.DEBUG:
        pytest.skip("the base module was imported with DEBUG on")
    assert base.SECURE_SSL_REDIRECT is True
    assert base.SECURE_HSTS_SECONDS == 31536000
    assert base.SECURE_HSTS_INCLUDE_SUBDOMAINS and base.SECURE_HSTS_PRELOAD
    assert base.SESSION_COOKIE_SECURE and base.CSRF_COOKIE_SECURE


@pytest.mark.parametrize("url", ["login", "admin:login"])
@pytest.mark.parametrize("username", ["u" * 256, "é" * 1_000, "a\tb" * 100])
def test_a_username_longer_than_axes_stores_is_a_failed_login(client, axes_on, url, username):
    """axes records the typed username in a varchar(255): a longer one was a 500 (issue 19).
    It is an ordinary failed login, counted towards the lockout like any other."""
    from axes.models import AccessAttempt

    response = client.post(reverse(url), {"username": username, "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors
    attempt = AccessAttempt.objects.get()
    assert len(attempt.username) <= 255
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse(url), {"username": username, "password": "x"})
    assert response.status_code == 429
