"""The per-session page cache (core/page_cache.py): repeat visits are answered from the cache,
every committed write makes the cached pages stale, and nobody is served another's page."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import page_cache
from notifications import services as notify_services
from partnerships import services
from partnerships.models import CityMembership, Partnership
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)
from tests.factories.reminders import ReminderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]
# Writes that must make pages stale commit for real: the bump runs on commit, and a test's own
# surrounding transaction never commits.
committing = pytest.mark.django_db(transaction=True)


@pytest.fixture
def twinned():
    home, away = PartnerFactory(name="Home"), NorthPartnerFactory(name="Away")
    p = PartnershipFactory(home=home, title="Home and Away")
    PartnershipMemberFactory(partnership=p, partner=away)
    officer = CityMembershipFactory(partner=home, role=CityMembership.Role.OFFICER)
    coordinator = CityMembershipFactory(partner=home, role=CityMembership.Role.COORDINATOR)
    return {
        "p": p,
        "home": home,
        "officer": officer.user,
        "membership": officer,
        "coordinator": coordinator.user,
    }


def get(client, address, **headers):
    """(response, number of queries) of one GET."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address, **headers)
    return response, len(queries)


def signed_in(client, user, address):
    """A signed-in browser that has its CSRF cookie (as after a real login): the next visit
    of `address` is cacheable. Returns the queries a full computation of the page took."""
    client.force_login(user)
    get(client, address)  # the first page hands out the CSRF cookie: not stored
    response, computed = get(client, address)
    assert response.status_code == 200
    return computed


def pages(t) -> dict[str, str]:
    p, home = t["p"], t["home"]
    return {
        "dashboard": reverse("partnerships:dashboard"),
        "list": reverse("partnerships:list") + "?step=1",
        "detail": reverse("partnerships:detail", args=[p.pk]),
        "city_list": reverse("partnerships:city_list"),
        "city_detail": reverse("partnerships:city_detail", args=[home.pk]),
        "registry": reverse("businesses:registry"),
        "matchmaking": reverse("businesses:matchmaking", args=[p.pk]),
    }


PAGES = ["dashboard", "list", "detail", "city_list", "city_detail", "registry", "matchmaking"]


@pytest.mark.parametrize("page", PAGES)
def test_a_repeat_visit_is_answered_from_the_cache(client, twinned, page):
    address = pages(twinned)[page]
    computed = signed_in(client, twinned["officer"], address)
    first = client.get(address)
    response, served = get(client, address)
    assert response.status_code == 200
    assert response.content == first.content
    # Stored on the server, yet private to the browser: the header is set after the cache
    # stored the page (config.middleware.PrivateCacheControlMiddleware), on a hit too.
    assert first["Cache-Control"] == response["Cache-Control"] == "private, no-store"
    # What is left is the session's and the user's: not the page's, nor the bell's count
    # (the cached page shows it already; see page_cache.on_miss).
    assert served <= 2 < computed, (served, computed)


def test_off_by_setting(client, twinned, settings):
    settings.PAGE_CACHE = False
    address = pages(twinned)["dashboard"]
    computed = signed_in(client, twinned["officer"], address)
    assert get(client, address)[1] == computed


@committing
def test_a_write_through_a_service_makes_the_pages_stale(client, twinned):
    p, address = twinned["p"], pages(twinned)["detail"]
    computed = signed_in(client, twinned["officer"], address)
    assert get(client, address)[1] < computed
    services.partnership_update(
        partnership=p, user=twinned["officer"], title="Home and Away, renewed"
    )
    response, queries = get(client, address)
    assert "Home and Away, renewed" in response.content.decode()
    assert queries == computed  # computed again
    assert get(client, address)[1] < computed  # and cached again


@committing
def test_nothing_is_bumped_before_the_commit(twinned):
    """A write still inside its transaction leaves the generations alone (a page being
    computed meanwhile could still show the data from before it); the commit bumps the
    partnership's cities' (and WIDE), once however many rows the transaction wrote."""
    keys = [page_cache._scope_key(f"city:{twinned['home'].pk}"), page_cache.WIDE_KEY]
    before = page_cache._generations(keys)
    everything = page_cache.generation()
    with transaction.atomic():
        services.partnership_update(partnership=twinned["p"], user=twinned["officer"], title="A")
        services.partnership_update(partnership=twinned["p"], user=twinned["officer"], title="B")
        assert page_cache._generations(keys) == before
        pending = [e for e in connection.run_on_commit if isinstance(e[1], page_cache._Bump)]
        assert len(pending) == 1
    assert page_cache._generations(keys) == [n + 1 for n in before]
    assert page_cache.generation() == everything  # not every page: precise


@committing
def test_a_rolled_back_write_bumps_nothing(twinned):
    keys = [page_cache.GENERATION_KEY, page_cache.WIDE_KEY]
    keys.append(page_cache._scope_key(f"city:{twinned['home'].pk}"))
    before = page_cache._generations(keys)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.partnership_update(partnership=twinned["p"], user=twinned["officer"], title="C")
        raise RuntimeError
    assert page_cache._generations(keys) == before


@committing
def test_a_bulk_write_makes_the_pages_stale(client, twinned):
    """notify's .update() sends no signal: its explicit bump() takes the bell's count away."""
    officer = twinned["officer"]
    ReminderFactory(partnership=twinned["p"], recipient=officer, read_at=None)
    address = pages(twinned)["dashboard"]
    signed_in(client, officer, address)
    assert '1<span class="visually-hidden"> unread' in client.get(address).content.decode()
    assert notify_services.notifications_mark_all_read(user=officer) == 1
    assert 'visually-hidden"> unread' not in client.get(address).content.decode()


def test_the_bell_counts_on_a_miss_and_on_pages_the_cache_never_answers(client, twinned):
    officer = twinned["officer"]
    ReminderFactory(partnership=twinned["p"], recipient=officer, read_at=None)
    address = pages(twinned)["dashboard"]
    client.force_login(officer)
    bell = '1<span class="visually-hidden"> unread'
    assert bell in client.get(address).content.decode()  # computed: counted
    assert bell in client.get(address).content.decode()  # served: counted when computed
    assert bell in client.get(reverse("partnerships:reports")).content.decode()  # not cached


@committing
def test_signing_in_keeps_the_cached_pages(client, twinned):
    """Only `last_login` changes when someone signs in: no page shows it."""
    before = page_cache.generation()
    client.force_login(twinned["officer"])
    assert page_cache.generation() == before


@committing
def test_a_queryset_update_is_seen_once_bump_is_called(client, twinned):
    p, address = twinned["p"], pages(twinned)["detail"]
    signed_in(client, twinned["officer"], address)
    Partnership.objects.filter(pk=p.pk).update(title="Renamed in bulk")
    assert "Renamed in bulk" not in client.get(address).content.decode()  # the 60 s window
    page_cache.bump()  # outside a transaction: at once
    assert "Renamed in bulk" in client.get(address).content.decode()


def test_nobody_is_served_another_persons_page(client, twinned):
    other = CityMembershipFactory(partner=twinned["home"], role=CityMembership.Role.OFFICER).user
    other.first_name, other.last_name = "Other", "Person"
    other.save()
    address = pages(twinned)["dashboard"]
    signed_in(client, twinned["officer"], address)
    mine = client.get(address).content.decode()
    # The signed-in person's name heads their account menu (a colleague's name may be on the
    # page: the board's assignee filter lists the city's officers).
    menu = '<i class="bi bi-person-circle" aria-hidden="true"></i> '
    assert f"{menu}Other Person" not in mine

    from django.test import Client

    theirs_client = Client()
    computed = signed_in(theirs_client, other, address)
    theirs = theirs_client.get(address).content.decode()
    assert f"{menu}Other Person" in theirs
    assert theirs != mine
    # The same person in a second browser (another session) gets a page of its own too.
    second = Client()
    second.force_login(twinned["officer"])
    _, queries = get(second, address)
    assert queries >= computed - 1


@committing
def test_a_revoked_membership_gets_a_404_not_the_cached_page(client, twinned):
    address = pages(twinned)["detail"]
    computed = signed_in(client, twinned["officer"], address)
    assert get(client, address)[1] < computed  # cached
    services.officer_remove(membership=twinned["membership"], by=twinned["coordinator"])
    assert client.get(address).status_code == 404
    assert client.get(pages(twinned)["matchmaking"]).status_code == 404


def test_flash_messages_are_shown_once_and_never_cached(client, twinned):
    p, address = twinned["p"], pages(twinned)["detail"]
    signed_in(client, twinned["officer"], address)
    client.get(address)  # cached, without any message
    # A refused move writes nothing (no bump) and leaves a message for the next page.
    response = client.post(reverse("partnerships:advance", args=[p.pk]), {})
    assert response.status_code == 302
    shown = client.get(address).content.decode()
    assert "The page was out of date" in shown  # not the cached page without it
    again = client.get(address).content.decode()
    assert "The page was out of date" not in again  # and not cached with it


def test_htmx_requests_bypass_the_cache(client, twinned):
    address = pages(twinned)["city_list"]
    signed_in(client, twinned["officer"], address)
    full = client.get(address).content.decode()
    assert "<html" in full
    fragment = client.get(address, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert "<html" in client.get(address).content.decode()  # the fragment was not stored


@committing
def test_the_anonymous_registry_is_shared_without_cookies(twinned):
    from django.test import Client

    p = twinned["p"]
    Partnership.objects.filter(pk=p.pk).update(published=True)
    page_cache.bump()
    address = pages(twinned)["registry"]
    first, computed = get(Client(), address)
    assert first.status_code == 200
    assert "Home and Away" in first.content.decode()
    assert not first.cookies  # nothing per visitor in it: no CSRF cookie handed out
    second, served = get(Client(), address)  # another visitor, no cookies either
    assert second.content == first.content
    assert served < computed
    assert not second.cookies
    # Anonymous pages keep their caching as it was: no private/no-store added to them.
    assert "no-store" not in second.get("Cache-Control", "")
    # A signed-in officer is not served the anonymous page.
    officer = Client()
    officer.force_login(twinned["officer"])
    mine = officer.get(address).content.decode()
    assert "Log out" in mine and "Log out" not in first.content.decode()


@committing
def test_unpublishing_takes_a_partnership_off_the_cached_registry(twinned):
    from django.test import Client

    p = twinned["p"]
    p.published = True
    p.save()
    address = pages(twinned)["registry"]
    assert "Home and Away" in Client().get(address).content.decode()
    p.published = False
    p.save()
    assert "Home and Away" not in Client().get(address).content.decode()


# --- The admin's changelists ----------------------------------------------------------------


@pytest.fixture
def staff_viewer(db):
    """A staff member who may view partnerships in the admin (and nothing else)."""
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_partnership"))
    return user


ADMIN_LIST = "/admin/partnerships/partnership/?o=1"


@pytest.mark.parametrize("address", [ADMIN_LIST, "/admin/alliances/suballiance/"])
def test_an_admin_changelist_is_answered_from_the_cache(client, admin_user, twinned, address):
    computed = signed_in(client, admin_user, address)
    first = client.get(address)
    response, served = get(client, address)
    assert response.status_code == 200
    assert response.content == first.content
    assert served <= 3 < computed, (served, computed)
    # The admin's own headers still go on the hit: browsers and proxies keep nothing.
    assert "no-store" in response["Cache-Control"]


@committing
def test_a_change_through_the_admin_makes_its_changelist_stale(client, admin_user, twinned):
    computed = signed_in(client, admin_user, ADMIN_LIST)
    assert get(client, ADMIN_LIST)[1] < computed  # cached
    assert "Home and Away" in client.get(ADMIN_LIST).content.decode()
    # The admin's own bulk action, confirmed: the rows go through Django's deletion collector.
    response = client.post(
        ADMIN_LIST,
        {"action": "delete_selected", "_selected_action": [twinned["p"].pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Partnership.objects.filter(pk=twinned["p"].pk).exists()
    page = client.get(ADMIN_LIST).content.decode()
    assert "Successfully deleted" in page  # the message: computed, not cached
    assert "Home and Away" not in page
    assert "Home and Away" not in client.get(ADMIN_LIST).content.decode()


@committing
def test_a_revoked_admin_permission_is_refused_not_served_from_the_cache(
    client, twinned, staff_viewer
):
    computed = signed_in(client, staff_viewer, ADMIN_LIST)
    assert get(client, ADMIN_LIST)[1] < computed  # cached
    staff_viewer.user_permissions.clear()
    assert client.get(ADMIN_LIST).status_code == 403


def test_the_permission_is_checked_before_the_cache(client, twinned, staff_viewer, monkeypatch):
    """Even with the generation frozen (a write the cache missed), a hit never skips the
    admin's permission check."""
    from partnerships.admin.walk import PartnershipAdmin

    signed_in(client, staff_viewer, ADMIN_LIST)
    assert client.get(ADMIN_LIST).status_code == 200
    monkeypatch.setattr(PartnershipAdmin, "has_view_permission", lambda self, r, obj=None: False)
    assert client.get(ADMIN_LIST).status_code == 403


# --- The decorator's rules, on a view of its own -----------------------------------------


def counting_view():
    calls = []

    @page_cache.cached_page
    def view(request):
        calls.append(request.method)
        response = HttpResponse(f"call {len(calls)}")
        if request.GET.get("cookie"):
            response.set_cookie("flavour", "oat")
        if request.GET.get("private"):
            response["Cache-Control"] = "private"
        if request.GET.get("status"):
            response.status_code = int(request.GET["status"])
        return response

    return view, calls


@pytest.mark.parametrize(
    "method, query",
    [
        ("post", ""),
        ("get", "?cookie=1"),
        ("get", "?private=1"),
        ("get", "?status=404"),
    ],
)
def test_what_is_never_stored(method, query):
    view, calls = counting_view()
    factory = RequestFactory()
    for _ in range(2):
        view(getattr(factory, method)("/x/" + query))
    assert len(calls) == 2


def test_a_plain_get_is_stored_once():
    view, calls = counting_view()
    factory = RequestFactory()
    assert view(factory.get("/x/")).content == b"call 1"
    assert view(factory.get("/x/")).content == b"call 1"
    assert view(factory.get("/x/?page=2")).content == b"call 2"  # another address
    assert view(factory.get("/x/", HTTP_COOKIE="sessionid=abc")).content == b"call 3"
    assert len(calls) == 3


@pytest.mark.parametrize("renewed, stored", [("abc", True), ("other", False)])
def test_a_renewed_csrf_cookie_is_stored_only_when_it_is_the_browsers_own(renewed, stored):
    """As the admin's csrf_protect does: the same cookie again is fine (and not replayed)."""
    calls = []

    @page_cache.cached_page
    def view(request):
        calls.append(1)
        response = HttpResponse("page")
        response.set_cookie(settings.CSRF_COOKIE_NAME, renewed)
        return response

    request = lambda: RequestFactory().get("/x/", HTTP_COOKIE="csrftoken=abc")  # noqa: E731
    first = view(request())
    assert first.cookies[settings.CSRF_COOKIE_NAME].value == renewed  # the live response
    second = view(request())
    assert len(calls) == (1 if stored else 2)
    if stored:
        assert settings.CSRF_COOKIE_NAME not in second.cookies


def test_a_cache_that_does_not_answer_only_costs_the_cache():
    """Redis down: the page is computed, not an error."""
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/5",  # nothing listens on port 1
        }
    }
    view, _ = counting_view()
    with override_settings(CACHES=down):
        assert view(RequestFactory().get("/x/")).content == b"call 1"
        assert view(RequestFactory().get("/x/")).content == b"call 2"


# --- With Redis, as in production --------------------------------------------------------


@committing
def test_with_redis_the_generation_is_shared_and_bumped(client, twinned):
    """Redis database 5, a key prefix of this test's own (so parallel runs never meet)."""
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/5",
            "KEY_PREFIX": f"test-page-cache-{uuid.uuid4().hex}",
        }
    }
    with override_settings(CACHES=redis_cache):
        try:
            p, address = twinned["p"], pages(twinned)["detail"]
            computed = signed_in(client, twinned["officer"], address)
            assert get(client, address)[1] < computed
            before = page_cache.generation()
            Partnership.objects.filter(pk=p.pk).update(title="Renamed with Redis")
            page_cache.bump()
            assert page_cache.generation() == before + 1
            response, queries = get(client, address)
            assert "Renamed with Redis" in response.content.decode()
            assert queries == computed
        finally:
            cache.delete(page_cache.GENERATION_KEY)


def settings_root():
    from django.conf import settings

    return settings.BASE_DIR


def test_page_cache_needs_redis_outside_tests():
    """PAGE_CACHE on without REDIS_URL would give each worker its own cache: refused."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "DJANGO_"))}
    env.update(PAGE_CACHE="on", SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="config.settings.base")
    code = "import django; django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings_root(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PAGE_CACHE needs a cache shared by all processes" in result.stderr


def test_every_app_of_ours_with_models_is_watched():
    """A write to any of our apps' rows empties the cache (an app forgotten here would serve
    stale pages: the agenda's done activities on the partnership's timeline, say)."""
    from django.apps import apps

    from core import page_cache

    root = Path(settings.BASE_DIR).resolve()
    ours = {
        app.label
        for app in apps.get_app_configs()
        if Path(app.path).resolve().is_relative_to(root)
        and not Path(app.path).resolve().relative_to(root).parts[0].startswith(".")  # .venv
        and list(app.get_models())
    }
    assert {"partnerships", "agenda", "gazetteer"} <= ours
    assert ours - set(page_cache.UNWATCHED_APPS) <= set(page_cache.WATCHED_APPS)


@committing
def test_completing_an_activity_shows_on_the_cached_partnership_page(client, twinned):
    from agenda import services as agenda_services

    p, address = twinned["p"], pages(twinned)["detail"]
    signed_in(client, twinned["officer"], address)
    assert get(client, address)[0].status_code == 200  # now cached
    activity = agenda_services.activity_schedule(
        user=twinned["officer"],
        partnership=p,
        kind="call",
        summary="Call the mayor's office",
        assignee=twinned["officer"],
        due_on=dt.date.today() + dt.timedelta(days=1),
    )
    agenda_services.activity_complete(
        user=twinned["officer"], activity=activity, outcome="Agreed on a date."
    )
    assert "Call the mayor" in client.get(address).content.decode()
