"""A per-session page cache: a repeat visit to a main page is answered without recomputing it.

`cached_page` wraps a view (inside `login_required` and the like, so the login check still runs
on every request) and keeps its rendered 200 response in the default cache, with Django's own
key machinery (`get_cache_key` / `learn_cache_key`, as `CacheMiddleware` does). The response
varies on `Cookie`, so a key is one browser session's (the session and CSRF cookies): nobody is
ever served a page that was rendered for someone else. The key prefix also holds

* the user's id (belt and braces beside the cookie),
* today's date, since pages say "due in 3 days",
* the data GENERATION: a counter in the cache that every committed write to our apps' tables
  bumps (`connect_signals`: post_save / post_delete / m2m_changed; and `bump()` called by hand
  where our code writes without signals: `.update()`, `bulk_create`, raw SQL). A new
  generation makes every cached page unreachable at once: a revoked membership, a moved
  partnership or a read notification is on the next page.

Anything a write could miss (time passing, a table changed by hand in psql) lasts at most
`PAGE_CACHE_TIMEOUT` seconds (60). Why not `cache_page` / `CacheMiddleware`: they have no data
generation, and they refuse every signed-in page here because CsrfViewMiddleware renews the CSRF
cookie on each response; this decorator runs before that middleware and checks instead that the
page's CSRF token belongs to the cookie the browser sent.

The Django admin's changelists of our apps' models use it too (`CachedChangelistMixin`; the
admin's own permission check still runs first, on every request).

Never cached: anything but GET, htmx requests (fragments), responses other than 200, streaming
responses, `Cache-Control: private / no-cache / no-store`, responses setting a cookie (but the
CSRF cookie the browser already has), a page rendered with flash messages or while some are
pending (they would be shown twice or not at all), a session changed by the view, a page whose
CSRF token is new to the browser. A cache that
does not answer is logged and the page is computed as if the cache were off.

On with `PAGE_CACHE` (default: when REDIS_URL is set, so all gunicorn workers share it; off in
tests). See docs/performance.md, "Per-session page cache".
"""

from __future__ import annotations

import functools
import logging
import time

from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.cache import get_cache_key, learn_cache_key, patch_vary_headers

logger = logging.getLogger("portal.page_cache")

GENERATION_KEY = "page_cache:generation"
# Writes to these apps' tables change what the cached pages show ("auth": groups, permissions).
WATCHED_APPS = (
    *("accounts", "partnerships", "notifications", "invitations", "alliances", "agenda"),
    *("discussion", "businesses", "auth"),
)
# Ours, yet not watched: the world's places, loaded in bulk by `load_gazetteer` (no signal)
# and read by no cached page except through a partner city, which is watched.
UNWATCHED_APPS = ("gazetteer",)
UNCACHEABLE = ("private", "no-cache", "no-store")


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE", False)


# --- The data generation -------------------------------------------------------------------


def generation() -> int:
    """The current generation. A lost counter (evicted, Redis restarted) starts again from the
    clock in nanoseconds, always above every value it had before, so no old page comes back."""
    return cache.get_or_set(GENERATION_KEY, time.time_ns, timeout=None)


class _Bump:
    """An on-commit callback that bumps once; `done` lets `bump()` tell a pending one apart from
    one a test's `captureOnCommitCallbacks` has already run."""

    done = False

    def __call__(self) -> None:
        self.done = True
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no counter: the next reader starts a new, higher one
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def bump(using: str | None = None) -> None:
    """Make every cached page stale once the current transaction commits (at once outside
    one). Call it after writes that send no signal: `.update()`, `bulk_create`, raw SQL."""
    if not enabled():
        return
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and any(
        isinstance(entry[1], _Bump) and not entry[1].done for entry in connection.run_on_commit
    ):
        return  # one bump per transaction is enough, however many rows it writes
    # robust: a cache that is down must not turn a committed write into an error page.
    transaction.on_commit(_Bump(), using=using, robust=True)


def _on_write(sender, **kwargs) -> None:
    if kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # a sign-in (shown on no page) must not empty everyone's cache
    bump(kwargs.get("using"))


def _on_m2m_changed(sender, action, **kwargs) -> None:
    if action.startswith("post_") and sender._meta.app_label in WATCHED_APPS:
        bump(kwargs.get("using"))


def connect_signals() -> None:
    """Bump on every saved or deleted row of the watched apps (called from an AppConfig.ready).

    Connected model by model rather than for every sender, so other apps' bulk deletes keep
    Django's fast path (a delete signal receiver makes Django load the rows first)."""
    for label in WATCHED_APPS:
        try:
            app = apps.get_app_config(label)
        except LookupError:  # not installed
            continue
        for model in app.get_models():
            uid = f"page_cache_{model._meta.label}"
            post_save.connect(_on_write, sender=model, dispatch_uid=uid)
            post_delete.connect(_on_write, sender=model, dispatch_uid=uid)
    m2m_changed.connect(_on_m2m_changed, dispatch_uid="page_cache_m2m")


# --- The decorator -------------------------------------------------------------------------


def _has_messages(request) -> bool:
    """Pending or new flash messages (len() reads them without marking them shown)."""
    return len(get_messages(request)) > 0


def _lookup_allowed(request) -> bool:
    return (
        enabled()
        and request.method == "GET"
        and not getattr(request, "htmx", False)
        and not _has_messages(request)
    )


def _store_allowed(request, response) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    sent = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if set(response.cookies) - {settings.CSRF_COOKIE_NAME} or _has_messages(request):
        return False
    # A view wrapped in csrf_protect (the admin's) renews the CSRF cookie itself: acceptable
    # when it is the very cookie the browser sent (it is left out of the stored copy).
    renewed = response.cookies.get(settings.CSRF_COOKIE_NAME)
    if renewed is not None and renewed.value != sent:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(directive in cache_control for directive in UNCACHEABLE):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    # The page holds a CSRF token; it must be for the CSRF cookie this browser already sends
    # (not a new one CsrfViewMiddleware is about to set), or a repeat visit could not post.
    token_used = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    return not token_used or request.META.get("CSRF_COOKIE") == sent


def _set_without_csrf_cookie(key: str, response, seconds: int) -> None:
    """Store the response without a renewed CSRF cookie (`_store_allowed` checked it is the
    browser's own): a hit must not send a months-old expiry date back. The live response
    keeps it."""
    renewed = response.cookies.pop(settings.CSRF_COOKIE_NAME, None)
    try:
        cache.set(key, response, seconds)
    finally:
        if renewed is not None:
            response.cookies[settings.CSRF_COOKIE_NAME] = renewed


def _key_prefix(request) -> str:
    user = getattr(request, "user", None)
    who = user.pk if user is not None and user.is_authenticated else "anon"
    return f"page:{generation()}:{timezone.localdate().isoformat()}:{who}"


def on_miss(request, view_func, work) -> None:
    """For a middleware's `process_view`: run `work()` (which prepares something the page
    shows, such as the bell's count) now, or, before a view the page cache answers, only if
    the page is computed: a page served from the cache already holds it."""
    if enabled() and getattr(view_func, "page_cached", False):
        request.__dict__.setdefault("_page_cache_on_miss", []).append(work)
    else:
        work()


def _compute(view_func, request, *args, **kwargs):
    for work in request.__dict__.pop("_page_cache_on_miss", ()):
        work()
    return view_func(request, *args, **kwargs)


def cached_page(view=None, *, timeout: int | None = None):
    """Decorate a view (inside its login and permission decorators): see the module docstring.
    `@cached_page` or `@cached_page(timeout=30)`; the default is PAGE_CACHE_TIMEOUT."""

    def decorator(view_func):
        @functools.wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if not _lookup_allowed(request):
                return _compute(view_func, request, *args, **kwargs)
            seconds = timeout if timeout is not None else settings.PAGE_CACHE_TIMEOUT
            try:
                # The prefix is read once, before the page is computed: a write committed
                # meanwhile bumps past it, so a page rendered from older data is never found.
                prefix = _key_prefix(request)
                key = get_cache_key(request, prefix, "GET", cache=cache)
                cached = cache.get(key) if key is not None else None
            except Exception:
                logger.warning("page cache unavailable: computing %s", request.path, exc_info=True)
                return _compute(view_func, request, *args, **kwargs)
            if cached is not None:
                return cached
            response = _compute(view_func, request, *args, **kwargs)
            # A TemplateResponse (the admin's) is rendered now: its CSRF token is only asked
            # for while rendering, and an unrendered response cannot be pickled.
            if getattr(response, "is_rendered", True) is False and response.status_code == 200:
                response.render()
            if _store_allowed(request, response):
                patch_vary_headers(response, ("Cookie",))
                try:
                    key = learn_cache_key(request, response, seconds, prefix, cache=cache)
                    _set_without_csrf_cookie(key, response, seconds)
                except Exception:
                    logger.warning("page cache: could not store %s", request.path, exc_info=True)
            return response

        wrapper.page_cached = True  # kept by functools.wraps in the decorators around it
        return wrapper

    return decorator(view) if view is not None else decorator


class CachedChangelistMixin:
    """For a ModelAdmin of a model in WATCHED_APPS: a repeat visit to the same changelist (same
    filters, page and session) is answered from the page cache. Only for watched models: the
    generation is what makes a cached list stale after a write."""

    def changelist_view(self, request, extra_context=None):
        # Checked here, before the cache: a hit must not skip the permission check.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        view = cached_page(super().changelist_view)
        return view(request, extra_context=extra_context)
