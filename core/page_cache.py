"""A per-session page cache: a repeat visit to a main page is answered without recomputing it.

`cached_page` wraps a view (inside `login_required` and the like, so the login check still runs
on every request) and keeps its rendered 200 response in the default cache, with Django's own
key machinery (`get_cache_key` / `learn_cache_key`, as `CacheMiddleware` does). The response
varies on `Cookie`, so a key is one browser session's (the session and CSRF cookies): nobody is
ever served a page that was rendered for someone else. The key prefix also holds

* the user's id (belt and braces beside the cookie),
* today's date, since pages say "due in 3 days",
* the GENERATIONS of the data the page may show: counters in the cache that committed writes
  bump (`connect_signals`: post_save / post_delete / m2m_changed; and `bump()` called by hand
  where our code writes without signals: `.update()`, `bulk_create`, raw SQL). A new
  generation makes the pages keyed on it unreachable at once: a revoked membership, a moved
  partnership or a read notification is on the next page.

Which generations (precise invalidation, so that one officer's save does not empty every
page of every city):

* EVERYTHING (`generation()`), in every key: bumped by a write that says nothing of where it
  shows (a city renamed, a membership granted: who sees what changes), so every page is stale.
* a SCOPE's: `user:<id>` for what one person sees of their own (their bell, their follows),
  and the scopes an app names for its rows (partnerships: `partnership:<id>`, expanded to its
  member cities' `city:<id>` on commit). A row's scopes are read from its foreign keys to the
  app's anchor models (`row_scopes`); a row with none, of a model not declared personal, bumps
  EVERYTHING, so a model nobody thought about is never served stale.
* WIDE, bumped with every scope but a person's own: in the key of every page that is not
  declared a portfolio page (the registry, the city directory, an admin's changelist...).

A view declared `cached_page(portfolio=True)` shows only what lies in its reader's own scopes
(an officer's dashboard, list and partnership pages: their cities' partnerships), so its key
holds those scopes' generations instead of WIDE: a save in another city's partnership leaves
it cached. Admins and people without a city read it with WIDE (they may see everything).

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
import hashlib
import logging
import time
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.cache import get_cache_key, learn_cache_key, patch_vary_headers

from core import hooks
from core.transactions import gathered_on_commit

logger = logging.getLogger("portal.page_cache")

GENERATION_KEY = "page_cache:generation"
WIDE_KEY = "page_cache:gen:wide"
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


def user_scope(user_id: int) -> str:
    """The scope of what one person sees of their own: their bell, their follows, their views."""
    return f"user:{user_id}"


def _is_personal(scope: str) -> bool:
    return scope.startswith("user:")


def _scope_key(scope: str) -> str:
    return f"page_cache:gen:{scope}"


# --- The generations -------------------------------------------------------------------------


def generation() -> int:
    """The generation of EVERYTHING. A lost counter (evicted, Redis restarted) starts again
    from the clock in nanoseconds, always above every value it had before, so no old page
    comes back (the same for every scope's counter)."""
    return cache.get_or_set(GENERATION_KEY, time.time_ns, timeout=None)


def _generations(keys: list[str]) -> list[int]:
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
    return [found[key] for key in keys]


def _incr(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no counter: the next reader starts a new, higher one
        cache.add(key, time.time_ns(), timeout=None)


@dataclass(eq=False)
class _Bump:
    """An on-commit callback that bumps once, what its transaction's writes named: EVERYTHING,
    or their scopes (and WIDE). `done` lets `bump()` tell a pending one apart from one a test's
    `captureOnCommitCallbacks` has already run."""

    everything: bool = False
    scopes: set[str] = field(default_factory=set)
    done: bool = False

    def __call__(self) -> None:
        self.done = True
        if self.everything:
            _incr(GENERATION_KEY)
            return
        try:
            scopes = set(self.scopes)
            for provider in hooks.providers("page_cache.scopes"):
                scopes = provider.expand(scopes)
        except Exception:  # a scope that cannot be followed: every page, never a stale one
            logger.warning("page cache: could not expand %s", self.scopes, exc_info=True)
            _incr(GENERATION_KEY)
            return
        for scope in sorted(scopes):
            _incr(_scope_key(scope))
        if not all(_is_personal(scope) for scope in scopes):
            _incr(WIDE_KEY)


def bump(*scopes: str, using: str | None = None) -> None:
    """Make the pages showing these scopes stale once the current transaction commits (at once
    outside one); with no scope, every page. Call it after writes that send no signal:
    `.update()`, `bulk_create`, raw SQL."""
    if not enabled():
        return
    # One bump per transaction however many rows it writes: the scopes are gathered.
    with gathered_on_commit(_Bump, using) as pending:
        if scopes:
            pending.scopes.update(scopes)
        else:
            pending.everything = True


# --- Where a row shows -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """How to read one model's rows' scopes from its own columns (see `row_scopes`)."""

    own: str | None  # the model is an anchor: its pk (a historical copy: the tracked pk)
    own_attname: str
    direct: tuple[tuple[str, str], ...]  # (foreign key's attname, scope prefix)
    parents: tuple[tuple[str, type, str, str], ...]  # (attname, parent model, its attname, prefix)
    users: tuple[str, ...]
    everywhere: bool
    personal: bool


def _anchors() -> tuple[dict[str, str], frozenset[str]]:
    """{model label: scope prefix} of every provider, and the labels a row may reach through
    one parent row (a KPI's result → its review → the partnership)."""
    found: dict[str, str] = {}
    through: set[str] = set()
    for provider in hooks.providers("page_cache.scopes"):
        found.update(provider.anchors)
        through.update(provider.through_parent)
    return found, frozenset(through)


def _labels(hook: str) -> frozenset[str]:
    return frozenset(model._meta.label for model in hooks.providers(hook))


@functools.cache
def _plan(model: type) -> _Plan:
    anchors, through = _anchors()
    tracked = getattr(model, "instance_type", model)  # django-simple-history's copies
    label = tracked._meta.label
    user_label = settings.AUTH_USER_MODEL
    direct, parents, users = [], [], []
    for f in model._meta.concrete_fields:
        if not f.is_relation or f.related_model is None:
            continue
        target = f.related_model._meta.label
        if target == user_label:
            users.append(f.attname)
        elif target in anchors:
            direct.append((f.attname, anchors[target]))
        else:
            for pf in f.related_model._meta.concrete_fields:
                parent_label = pf.related_model._meta.label if pf.is_relation else None
                if parent_label in through:
                    parents.append((f.attname, f.related_model, pf.attname, anchors[parent_label]))
    return _Plan(
        own=anchors.get(label),
        own_attname=tracked._meta.pk.attname,
        direct=tuple(direct),
        parents=tuple(parents),
        users=tuple(users),
        everywhere=label in _labels("page_cache.everywhere"),
        personal=label in _labels("page_cache.personal"),
    )


def row_scopes(model: type, row) -> set[str] | None:
    """The scopes a saved or deleted row shows in, from its own columns (and one query per
    parent row it reaches through, a KPI's result → its review); None: everywhere (a model
    declared so, or one whose rows name no scope and are not someone's own)."""
    plan = _plan(model)
    if plan.everywhere:
        return None
    found: set[str] = set()
    if plan.own:
        found.add(f"{plan.own}:{getattr(row, plan.own_attname)}")
    for attname, prefix in plan.direct:
        if (value := getattr(row, attname)) is not None:
            found.add(f"{prefix}:{value}")
    for attname, parent, parent_attname, prefix in plan.parents:
        if (value := getattr(row, attname)) is not None:
            for anchor in parent._base_manager.filter(pk=value).values_list(
                parent_attname, flat=True
            ):
                if anchor is not None:
                    found.add(f"{prefix}:{anchor}")
    if not found and not plan.personal:
        return None
    users = {user_scope(v) for a in plan.users if (v := getattr(row, a)) is not None}
    return (found | users) or None


def _on_write(sender, instance=None, **kwargs) -> None:
    if kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # a sign-in (shown on no page) must not empty everyone's cache
    if not enabled():
        return
    scopes = row_scopes(sender, instance) if instance is not None else None
    bump(*(scopes or ()), using=kwargs.get("using"))


def _on_m2m_changed(sender, action, **kwargs) -> None:
    if action.startswith("post_") and sender._meta.app_label in WATCHED_APPS:
        bump(using=kwargs.get("using"))


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


# --- The reader's generations ----------------------------------------------------------------


def _reader_scopes(user) -> list[str] | None:
    """The scopes of a portfolio page for this reader (None: WIDE), kept beside the generation
    of EVERYTHING it was read at: what changes them (a membership, an admin's flag) bumps it."""
    key = f"page_cache:reader:{user.pk}"
    found = cache.get_many([GENERATION_KEY, key])
    everything = found.get(GENERATION_KEY) or generation()
    kept = found.get(key)
    if kept is not None and kept[0] == everything:
        return kept[1]
    scopes = None
    for provider in hooks.providers("page_cache.scopes"):
        scopes = provider.of_reader(user)
        if scopes is not None:
            break
    cache.set(key, (everything, scopes), timeout=None)
    return scopes


def _key_prefix(request, portfolio: bool = False) -> str:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    keys = [GENERATION_KEY]
    shown = _reader_scopes(user) if signed_in and portfolio else None
    if signed_in:
        keys.append(_scope_key(user_scope(user.pk)))
    keys.extend([_scope_key(scope) for scope in shown] if shown else [WIDE_KEY])
    digest = hashlib.blake2b(
        ".".join(map(str, _generations(keys))).encode(), digest_size=10
    ).hexdigest()
    who = user.pk if signed_in else "anon"
    return f"page:{digest}:{timezone.localdate().isoformat()}:{who}"


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


def cached_page(view=None, *, timeout: int | None = None, portfolio: bool = False):
    """Decorate a view (inside its login and permission decorators): see the module docstring.
    `@cached_page` or `@cached_page(timeout=30)`; the default is PAGE_CACHE_TIMEOUT.
    `portfolio=True`: the page shows only what lies in its reader's own scopes (their cities'
    partnerships), so a write elsewhere leaves it cached."""

    def decorator(view_func):
        @functools.wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if not _lookup_allowed(request):
                return _compute(view_func, request, *args, **kwargs)
            seconds = timeout if timeout is not None else settings.PAGE_CACHE_TIMEOUT
            try:
                # The prefix is read once, before the page is computed: a write committed
                # meanwhile bumps past it, so a page rendered from older data is never found.
                prefix = _key_prefix(request, portfolio)
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
