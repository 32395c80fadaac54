"""Which language a person reads: their account's, else the one they chose on the switcher (a
cookie), else their browser's; Arabic right to left; cached pages keyed by language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import get_language_info

from accounts.models import User
from core import page_cache
from partnerships.models import CityMembership, Partnership
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> str:
    page = response.content.decode()
    start = page.index("<html")
    return page[start : page.index(">", start) + 1]


@pytest.fixture
def officer():
    membership = CityMembershipFactory(partner=PartnerFactory(), role=CityMembership.Role.OFFICER)
    return membership.user


def test_a_visitor_reads_the_browsers_language(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="sv-SE,sv;q=0.9,en;q=0.5")
    assert response.headers["Content-Language"] == "sv"
    assert html_lang(response) == '<html lang="sv" dir="ltr">'
    # Portuguese from any Portuguese-speaking browser: the portal's is Brazilian.
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="pt-PT")
    assert response.headers["Content-Language"] == "pt-br"
    # A language the portal does not have: English.
    assert (
        client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ja").headers["Content-Language"] == "en"
    )


def test_the_switcher_sets_a_cookie_that_beats_the_browser(client):
    login = reverse("login")
    response = client.get(reverse("accounts:language"), {"language": "fr", "next": login})
    assert response.status_code == 302 and response["Location"] == login
    assert response.cookies[COOKIE].value == "fr"
    page = client.get(login, HTTP_ACCEPT_LANGUAGE="sv")
    assert page.headers["Content-Language"] == "fr"
    # The visitor's page lists every language under its own name, marked with its language.
    text = page.content.decode()
    for code, _name in settings.LANGUAGES:
        name = get_language_info(code)["name_local"]  # "svenska", "简体中文", "العربيّة"...
        assert f'lang="{code}"' in text and name in text


def test_the_switcher_refuses_what_it_does_not_know_and_stays_on_the_site(client):
    response = client.get(
        reverse("accounts:language"), {"language": "xx", "next": "/partnerships/"}
    )
    assert response.status_code == 302 and COOKIE not in response.cookies
    assert "not one of the portal" in client.get(reverse("login")).content.decode()
    for elsewhere in ("//evil.example/", "https://evil.example/", "javascript:alert(1)"):
        response = client.get(reverse("accounts:language"), {"language": "de", "next": elsewhere})
        assert response["Location"] == "/"


def test_the_accounts_language_beats_cookie_and_browser(client, officer):
    officer.language = "de"
    officer.save()
    client.force_login(officer)
    client.cookies[COOKIE] = "fr"
    response = client.get(reverse("partnerships:dashboard"), HTTP_ACCEPT_LANGUAGE="sv")
    assert response.headers["Content-Language"] == "de"


def test_a_signed_in_person_switching_saves_it_on_the_account_but_a_link_does_not(client, officer):
    client.force_login(officer)
    client.get(reverse("accounts:language"), {"language": "es"})
    officer.refresh_from_db()
    assert officer.language == ""  # a GET link sets the cookie only
    response = client.post(
        reverse("accounts:language"), {"language": "zh-hans", "next": reverse("notifications:list")}
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.language == "zh-hans"
    page = client.get(reverse("notifications:list"))
    assert page.headers["Content-Language"] == "zh-hans"


def test_the_account_page_changes_name_and_language(client, officer):
    client.force_login(officer)
    page = client.get(reverse("accounts:account"))
    assert page.status_code == 200 and 'name="language"' in page.content.decode()
    response = client.post(
        reverse("accounts:account"),
        {"first_name": "Karin", "last_name": "Lindqvist", "job_title": "", "language": "sv"},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.first_name, officer.language) == ("Karin", "sv")
    assert response.cookies[COOKIE].value == "sv"
    assert client.get(response["Location"]).headers["Content-Language"] == "sv"
    # A code the portal does not have is a form error; nothing is saved.
    response = client.post(reverse("accounts:account"), {"first_name": "X", "language": "xx"})
    assert response.status_code == 200
    officer.refresh_from_db()
    assert (officer.first_name, officer.language) == ("Karin", "sv")


def test_arabic_is_right_to_left_with_bootstraps_rtl_stylesheet(client):
    client.cookies[COOKIE] = "ar"
    page = client.get(reverse("login"))
    assert html_lang(page) == '<html lang="ar" dir="rtl">'
    assert "bootstrap.rtl.min.css" in page.content.decode()
    client.cookies[COOKIE] = "zh-hans"
    page = client.get(reverse("login"))
    assert html_lang(page) == '<html lang="zh-hans" dir="ltr">'
    assert "bootstrap.rtl.min.css" not in page.content.decode()


def test_the_sign_up_stores_the_language_the_person_reads():
    """A new account (here through the model's default) starts with no language of its own:
    the pages follow the browser until the person chooses."""
    assert UserFactory().language == ""
    assert User._meta.get_field("language").choices == settings.LANGUAGES


@pytest.mark.django_db(transaction=True)
def test_cached_pages_are_kept_apart_by_language(settings):
    settings.PAGE_CACHE = True
    cache.clear()
    home, away = PartnerFactory(name="Home"), NorthPartnerFactory(name="Away")
    p = PartnershipFactory(home=home, title="Home and Away", published=True)
    PartnershipMemberFactory(partnership=p, partner=away)
    Partnership.objects.filter(pk=p.pk).update(published=True)
    page_cache.bump()
    registry = reverse("businesses:registry")

    def visit(language):
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(registry, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        return html_lang(response), len(queries)

    swedish, computed = visit("sv")
    assert swedish == '<html lang="sv" dir="ltr">'
    # Another visitor, another language: not the Swedish page from the cache.
    assert visit("ar")[0] == '<html lang="ar" dir="rtl">'
    assert visit("en")[0] == '<html lang="en" dir="ltr">'
    # A second Swedish visitor is served the stored Swedish page.
    again, served = visit("sv")
    assert again == swedish and served < computed
    cache.clear()


def test_a_new_account_keeps_the_language_of_the_page_it_signed_up_on(client):
    from invitations.models import JoinRequest

    city = PartnerFactory(name="Rosario", country="AR")
    client.cookies[COOKIE] = "es"
    response = client.post(
        reverse("invitations:join"),
        {
            "city": city.pk,
            "first_name": "Ana",
            "last_name": "Ruiz",
            "email": "ana@rosario.example",
            "password": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert JoinRequest.objects.get().user.language == "es"


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_language_writes_dates_and_date_times_in_the_same_order(language):
    """Found from outside: Arabic date-times were month first (Django names no Arabic date-time
    format, so the American one applied) beside day-first dates on the same page."""
    import datetime as dt

    from django.utils import formats, translation

    moment = dt.datetime(2026, 12, 6, 7, 2)
    with translation.override(language):
        day = formats.date_format(moment.date(), "SHORT_DATE_FORMAT")
        both = formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    assert both.startswith(day) or day in both, (language, day, both)
