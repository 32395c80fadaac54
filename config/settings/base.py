"""Settings for every environment, read from the environment (or a `.env` file).

Production differs from a developer's laptop only by environment variables: the embedded
defaults (SQLite, eager Celery, console email) are what `make run` uses on a fresh machine.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import logging as portal_logging
from config.storage import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# A development key is only acceptable while DEBUG is on; production must bring its own.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "django_celery_beat",
    # Security (see "Security" in the README): login lockout and the Content-Security-Policy.
    "axes",
    "csp",
    # The sign-up and password-reset throttle per client address (config/middleware.py).
    "django_ratelimit",
    # Structured logs with request and task ids (config/logging.py).
    "django_structlog",
    # Ours, innermost first: each may import only those above it (README, "How it is built").
    "core",
    "accounts",
    # The world's places, searched when an officer adds a partner city.
    "gazetteer",
    "partnerships",
    "notifications",
    "invitations",
    "alliances",
    # Scheduled activities of partnerships and sub-alliances (calls, meetings, visits...).
    "agenda",
    # Comments on partnerships and sub-alliances.
    "discussion",
    "businesses",
    # load_demo and seed_synthetic: imports all of the above, none of them imports it.
    "demo",
    # The REST API for the cities' own systems (docs/api.md): like demo, it may import every
    # app above and none imports it.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Signed-in pages that say nothing about caching become `private, no-store`; a middleware,
    # so the header comes after the views' page cache (core/page_cache.py) stored the page.
    "config.middleware.PrivateCacheControlMiddleware",
    "csp.middleware.CSPMiddleware",
    # A request body larger than MAX_REQUEST_BODY_BYTES is a 413 before anything reads it.
    "config.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database that is down becomes a friendly 503 with Retry-After, never a 500.
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the cookie the switcher sets, else the browser's Accept-Language...
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # ...unless the person has chosen one on their account: theirs, on every device.
    "accounts.middleware.AccountLanguageMiddleware",
    # A request id and the user's id on every log line of the request; X-Request-ID back.
    "django_structlog.middlewares.RequestMiddleware",
    "config.logging.RequestIdHeaderMiddleware",
    # An account without a role sees only its status page and the open pages; `request.roles`
    # for the navigation bar (core/access.py).
    "core.access.RoleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The notifications bell: the unread count, read once before the view (never while a
    # template renders), for signed-in people only.
    "notifications.middleware.UnreadCountMiddleware",
    # Records which user made each change kept by django-simple-history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # A throttled form (django-ratelimit) becomes the 429 page, RATELIMIT_VIEW.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # django-axes: last, as its documentation asks (turns a lockout into the lockout page).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The notifications bell's count, read by UnreadCountMiddleware.
                "notifications.middleware.unread_count",
                # The navigation bar, from the items each app registers (core/nav.py).
                "core.nav.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening one per request cost more than many pages' queries.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# Recover by themselves after a database restart: a stale persistent connection is tested
# before reuse, and a connection attempt to a database that is down gives up quickly.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3))
    # JIT compilation took ~150 ms of the list query at scale (see docs/performance.md).
    _options.setdefault("options", "-c jit=off")
    # Parameters sent apart from the SQL, so a query's text is the same from one request to
    # the next and psycopg prepares it after a few runs: PostgreSQL then plans it once per
    # connection instead of every time (planning was 3 ms of the partnership page's 4 ms
    # query; docs/performance.md, "Prepared statements").
    if env.bool("DATABASE_SERVER_SIDE_BINDING", default=True):
        _options.setdefault("server_side_binding", True)
        # Django turns psycopg's preparing off unless told; 5 runs, as psycopg's own default.
        _options.setdefault("prepare_threshold", env.int("DATABASE_PREPARE_THRESHOLD", default=5))
    # Connection pooling (docs/deployment.md, "Sizing"). Django's own pool, one per process,
    # shared by its threads: it replaces persistent connections (Django refuses both at once).
    if env.int("DATABASE_POOL_MAX_SIZE", default=0):
        _max = env.int("DATABASE_POOL_MAX_SIZE")
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        _options["pool"] = {
            "min_size": min(2, _max),
            "max_size": _max,
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
    # Behind PgBouncer in transaction mode a session's state does not follow it from one
    # transaction to the next: no server-side cursors (`.iterator()`), no prepared statements.
    if env.bool("DATABASE_PGBOUNCER", default=False):
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        _options["prepare_threshold"] = None
# After a request met the database down, this process answers 503 at once for this long
# instead of queueing every request behind the same failure (config/middleware.py).
DATABASE_FAIL_FAST_SECONDS = env.float("DATABASE_FAIL_FAST_SECONDS", default=1.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"

# The admin shows each record's history but does not revert to an old version: a revert writes
# every field back around the services' rules (it reopened a completed review and turned a
# terminated MOU back into a signed one). This hides the button; core.admin.PortalHistoryAdmin
# refuses the POST.
SIMPLE_HISTORY_REVERT_DISABLED = True
LOGIN_URL = "login"
# Where a signed-in person without a role is sent (core/access.py): what they asked for so far.
ACCOUNT_STATUS_VIEW = "businesses:status"
LOGIN_REDIRECT_URL = "partnerships:dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
# Argon2 first: new and re-hashed passwords use it; the others still verify older hashes.
PASSWORD_HASHERS = [
    # Argon2id at OWASP's recommended cost, not Django's 100 MiB per hash (config/hashers.py).
    "config.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes: 5 failed logins for one username from one IP address lock that pair out for
# 15 minutes (a 429 with the lockout page); a successful login resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The lockout page with `Retry-After` (the cool-off in seconds).
AXES_LOCKOUT_CALLABLE = "config.middleware.locked_out"
# What axes stores of the typed username, cut to its column (a longer one was a 500).
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_username"
# Behind a reverse proxy, the number of proxies that append to X-Forwarded-For (else the
# proxy's address would be everyone's address).
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=None)
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The portal's languages (docs/glossary.md holds the domain's words in each). A person reads it
# in their account's language, else the one they chose on the switcher (a cookie), else their
# browser's (accounts/middleware.py). Arabic is written right to left.
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("pt-br", _("Brazilian Portuguese")),
    ("de", _("German")),
    ("sv", _("Swedish")),
    ("zh-hans", _("Simplified Chinese")),
    ("ar", _("Arabic")),
]
# The catalogs (locale/<language>/LC_MESSAGES/django.po); the .mo files are compiled from
# them by `make` and the release step, never committed.
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates day first ("3 Sep 2026"): config/formats/en/formats.py.
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", default="Africa/Johannesburg")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded agreements are private: they live outside static files and are served by views.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    # MEDIA_STORAGE=local (this disk, the default) or s3 (config/storage.py).
    "default": media_storage(env),
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A backend named outright wins over EMAIL_URL (the real-worker test writes mail to files).
if env.str("EMAIL_BACKEND", default=""):
    EMAIL_BACKEND = env.str("EMAIL_BACKEND")
if env.str("EMAIL_FILE_PATH", default=""):
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@twinning.local")
# Where people reach the portal: links in reminder emails and calendar events start here.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Production must set it (core/checks.py, run by `check --deploy`): was it?
PORTAL_BASE_URL_SET = bool(env.str("PORTAL_BASE_URL", default=""))

# Celery: with no REDIS_URL the tasks run eagerly in-process (the embedded default).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
if REDIS_URL:
    # With Redis at hand, sessions are read from the cache instead of a query per request.
    # django-redis rather than Django's own RedisCache for IGNORE_EXCEPTIONS: while Redis is
    # down every cache call is a miss (sessions fall back to the database, the page cache and
    # the throttle step aside) instead of a 500; short timeouts keep a hung Redis from
    # holding requests.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # an outage still shows in the logs
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# django-ratelimit counts in the default cache, per client address as django-axes resolves it
# (AXES_PROXY_COUNT). Without Redis the memory cache counts per process: the limit holds per
# worker, acceptable for the single-host embedded setup.
RATELIMIT_VIEW = "config.middleware.rate_limited"
RATELIMIT_IP_META_KEY = "config.middleware.client_ip"
# With Redis down (django-redis answers None) the forms stay open rather than all refused.
RATELIMIT_FAIL_OPEN = True
SILENCED_SYSTEM_CHECKS = [] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]
# The per-session page cache (core/page_cache.py): on by default with Redis, the cache all
# gunicorn workers share; PAGE_CACHE_TIMEOUT bounds what a missed write can leave stale.
PAGE_CACHE = env.bool("PAGE_CACHE", default=bool(REDIS_URL))
PAGE_CACHE_TIMEOUT = env.int("PAGE_CACHE_TIMEOUT", default=60)
if PAGE_CACHE and not REDIS_URL:
    # Each worker's own memory cache would miss the other workers' writes: stale pages.
    raise ImproperlyConfigured("PAGE_CACHE needs a cache shared by all processes: set REDIS_URL.")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A portal sharing a Redis with others may have its own queue (the real-worker test does).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
# The schedule (the daily reminder scan, the weekly digest) lives in the database, editable in
# the admin under "Periodic tasks"; a data migration creates it. Run exactly one beat process.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"


# Uploads. The largest file accepted (the agreements' PDFs, partnerships/models/uploads.py);
# a request body may be a little larger (the form's other fields, the multipart framing),
# anything beyond is refused with a 413 before it is read (config.middleware). The reverse
# proxy must limit bodies too (docs/deployment.md, client_max_body_size).
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
MAX_REQUEST_BODY_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024
# Form fields other than files (Django refuses more with a 400); an uploaded file larger than
# FILE_UPLOAD_MAX_MEMORY_SIZE is spooled to a temporary file rather than held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440


SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# HTTPS: redirect http→https here unless a TLS-terminating proxy already does it
# (then set SECURE_SSL_REDIRECT=false; the proxy must send X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# django-csp 4: scripts and styles only from our own files (no inline script, no style
# attributes, no CDN). htmx's injected indicator style is off (meta htmx-config in base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Deployment (docs/deployment.md): logs, Sentry, health, uploads, Celery redelivery -------
# Logs (config/logging.py): JSON lines unless DEBUG is on (then readable lines); LOG_FORMAT
# overrides, LOG_LEVEL sets the level. Each line: timestamp, level, logger, message, and in a
# request request_id, user_id, ip (django-structlog); in a task task_id.
LOG_FORMAT = env.str("LOG_FORMAT", default="console" if DEBUG else "json")
LOGGING = portal_logging.build(LOG_FORMAT, env.str("LOG_LEVEL", default="INFO"))
DJANGO_STRUCTLOG_CELERY_ENABLED = True
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = 10  # "request_started" only at DEBUG: one line each
# An X-Request-ID set by our own reverse proxy is kept (then its log and ours share the id).
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = env.bool("LOG_TRUST_REQUEST_ID", default=False)

# Sentry (config/sentry.py): only with SENTRY_DSN; without it sentry_sdk is never imported.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# Readiness (/readyz, core/health.py): a worker's heartbeat older than this fails it (0: not
# checked); the media storage probe is repeated at most this often per process.
READYZ_WORKER_MAX_AGE = env.int("READYZ_WORKER_MAX_AGE", default=180)
READYZ_STORAGE_SECONDS = env.int("READYZ_STORAGE_SECONDS", default=60)
# Beat sends the heartbeat every minute; django-celery-beat copies this entry into its table.
CELERY_BEAT_SCHEDULE = {
    "portal worker heartbeat": {
        "task": "portal.heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Each running partnership's stored health, recomputed for the new day (it depends on it).
    "partnerships health of the day": {
        "task": "partnerships.tasks.refresh_health",
        "schedule": crontab(minute=5, hour=0),
        "options": {"expires": 6 * 3600},
    },
}
# A task taken by a worker that died (acks_late) goes back to the queue after this many seconds
# (Redis visibility timeout). It must exceed the longest countdown a task is given (the
# reminders' retries wait up to 600 s), or such a task is delivered twice: 1 h by default.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
# How often a worker looks for such tasks: kombu sweeps every 10 × 10 s by default; a number of
# seconds here makes it sweep that often (scripts/cluster.py uses 2 s with a 10 s timeout).
if env.int("CELERY_RESTORE_INTERVAL", default=0):
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        unacked_restore_interval=env.int("CELERY_RESTORE_INTERVAL"), unacked_restore_throttle=1
    )

# Uploads: documents are at most 10 MB (partnerships/models/uploads.py). Files above 2 MB are
# spooled to a temporary file instead of memory; a request's non-file fields may total 2 MB.
# The reverse proxy must refuse larger bodies before Django reads them (docs/deployment.md).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024


# --- The REST API (api/, docs/api.md) ----------------------------------------------------------
# Personal API tokens (`Authorization: Token <key>` or `Bearer <key>`, accounts.ApiToken) and
# the browser's session (CSRF enforced on its writes). Each view states its permissions
# (api/permissions.py); lists are cursor-paginated; errors are JSON (api/errors.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without credentials is a 401 with WWW-Authenticate.
        "api.authentication.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # Counted in the default cache (Redis in production, shared by every worker): per token
    # for token requests, per user for the session, per address for anonymous ones.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_token": env.str("API_THROTTLE_RATE", default="1000/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Twinning portal API",
    "DESCRIPTION": "Partnerships, partner cities, the public registry, and the writes the "
    "portal's pages make (docs/api.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI and ReDoc from our own static files (no CDN; the CSP allows only 'self').
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Record ids in paths: `<id:...>` (core/converters.py), an integer of 18 digits at most.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "StepEnum": "partnerships.models.Step",
        "PartnershipStatusEnum": "partnerships.models.Partnership.Status",
        "MouStatusEnum": "partnerships.models.MOU.Status",
        "ReviewStatusEnum": "partnerships.models.Review.Status",
        "SubAllianceStatusEnum": "alliances.models.SubAlliance.Status",
        "OutcomeKindEnum": "businesses.models.Outcome.Kind",
        "ActivityKindEnum": "partnerships.models.Activity.Kind",
        "CityKindEnum": "partnerships.models.Partner.Kind",
        "FeatureTypeEnum": ["Feature"],
        "FeatureCollectionTypeEnum": ["FeatureCollection"],
        "PointTypeEnum": ["Point"],
        "MultiLineStringTypeEnum": ["MultiLineString"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_errors",
    ],
}
