"""Test settings: the same as base, made fast and deterministic.

The database comes from DATABASE_URL like everywhere else: CI points it at PostgreSQL.
"""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from config.settings.base import *  # noqa: F403
from config.settings.base import env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Celery runs eagerly in tests except in the real-worker test, which starts its own worker.
CELERY_TASK_ALWAYS_EAGER = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
# The test client speaks plain HTTP: no redirect to https, no HSTS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
# `client.login()` authenticates without a request, which django-axes refuses; tests that
# exercise the lockout turn it on (tests/security/test_login_protection.py).
AXES_ENABLED = False
MEDIA_ROOT = env.path("TEST_MEDIA_ROOT", default="/tmp/twinning-test-media")
# No collected static files in tests: the live server serves them through the finders.
STATIC_ROOT = None
# Each test process keeps its own cache: a shared Redis would leak state between tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# ...which django-ratelimit's checks call unsupported and not shared (true, and fine here).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Pages computed afresh on each request; tests/partnerships/test_page_cache.py turns it on.
PAGE_CACHE = False
# The sign-up / password-reset throttle would trip on tests posting from one address;
# tests/security/test_throttle.py turns it on.
RATELIMIT_ENABLE = False
# A database error would make the next requests of the test process answer 503 for a moment;
# tests/security/test_fail_fast.py turns it on.
DATABASE_FAIL_FAST_SECONDS = 0
# The API's throttle per token (api/throttling.py) would trip on tests sending many requests as
# one person (the bad-input and schemathesis runs); tests/api/test_tokens.py sets its own rate.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_token": "1000000/hour"}}  # noqa: F405
