"""No English left: the main pages of the demo, rendered in Chinese for an officer, a chamber's
staff, a visitor and an administrator, show no word in Latin letters but the data's own (names,
titles, what people typed), codes on an explicit list, and text marked with its own language
(the language switcher's names). A string a person reads that is not marked for translation, or
marked but not translated, fails here with the page and the words.

Chinese is the language for this check because no UI word of it is written in Latin letters;
the catalogs test (test_catalogs.py) checks that every language has every message."""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from babel.numbers import list_currencies
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from accounts.models import User
from alliances.models import SubAlliance
from businesses.models import BusinessAssociation
from demo.partnerships import DEMO_PASSWORD
from partnerships.models import Partner, Partnership

pytestmark = pytest.mark.django_db

LANGUAGE = "zh-hans"
DATA_APPS = {
    *("accounts", "partnerships", "notifications", "invitations", "alliances", "discussion"),
    "agenda",
    *("businesses", "gazetteer", "auth"),
}
# Written in Latin letters in every language: codes and names that are not data.
ALLOWED = {
    *("KPI", "KPIs", "MOU", "MoU", "PDF", "CSV", "ICS", "XLSX", "xlsx", "ISIC", "IDP", "ID"),
    *("API", "JSON", "GeoJSON", "HTTP"),
    *("GeoNames", "Lendrum", "iCal", "URL", "Excel", "SME", "km", "Django"),
    # The login lockout's package (django-axes), named by its app label in the admin.
    "Axes",
    # Currency codes (ISO 4217), beside sums of money as CLDR writes them.
    *list_currencies(),
    # Keyboard keys, as Django's own translation of the admin's multiple-select help names them.
    *("Control", "Command", "Mac"),
}
# Lists stored in English whose names are translated in the catalogs: not data, but words a
# page must show translated (found from outside: area, sector and need names left in English).
REFERENCE_LISTS = {"partnerships.Sector", "partnerships.CooperationArea", "businesses.Need"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|/[\w/.\-?=&%]+|\b[\w.-]+\.(?:pdf|csv|xlsx|ics)\b")


class ReadText(HTMLParser):
    """The texts a person reads on a page: text nodes (not scripts or styles) and the
    attributes read aloud or shown on hover; not inside an element in another language."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.texts: list[str] = []

    def skipped(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img" and (attrs.get("src") or "").startswith("/static/admin/img/"):
            # Django's admin writes its icons' alt text ("True", "False", "Search") in
            # English in its templates, untranslatable: not ours to fix.
            attrs.pop("alt", None)
        lang = attrs.get("lang")
        # Code (a header to type, a CSV column's name) is written as the computer reads it.
        skip = tag in ("script", "style", "code", "kbd") or (
            lang is not None and lang != self.language
        )
        if not (skip or self.skipped()):
            self.texts.extend(attrs[name] for name in READ_ATTRIBUTES if attrs.get(name))
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.texts.append(attrs["value"])
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if data.strip() and not self.skipped():
            self.texts.append(data)


def data_strings() -> dict[str, list[str]]:
    """Every text stored in the database, by its first word (to find them in a page fast)."""
    by_word: dict[str, set[str]] = defaultdict(set)
    for model in apps.get_models():
        if model._meta.app_label not in DATA_APPS or model._meta.label in REFERENCE_LISTS:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for value in _strings(row):
                words = LATIN_WORD.findall(value)
                if words:
                    by_word[words[0].lower()].add(value)
    return {word: sorted(values, key=len, reverse=True) for word, values in by_word.items()}


def _strings(value):
    if isinstance(value, str):
        yield value
        yield from (line for line in value.splitlines() if line.strip())
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


# What splits a text into its Latin-letter runs: Chinese and Arabic script and punctuation.
NOT_LATIN = re.compile(r"[\u0600-\u06ff\u3000-\u9fff\uff00-\uffef…]+")


# The words the matchmaking found in two businesses' own texts, listed as it lists them
# ("solar, engineering"): lower-case words of the data, separated by commas.
WORD_LIST = re.compile(r"[a-z][a-z-]*(?:, [a-z][a-z-]*)*")


def data_words() -> set[str]:
    from businesses.models import BusinessProfile

    words: set[str] = set()
    for row in BusinessProfile.objects.values_list(
        "products_services", "products_sought", "organisation__name"
    ):
        for value in row:
            words.update(w.lower() for w in LATIN_WORD.findall(value or ""))
    return words


def english_left(html: str, data: dict[str, list[str]], words: set[str]) -> list[str]:
    parser = ReadText(LANGUAGE)
    parser.feed(html)
    left = []
    for text in parser.texts:
        for run in NOT_LATIN.split(NOT_WORDS.sub(" ", " ".join(text.split()))):
            rest = _not_data(run.strip(" :：,，;；()（）·|–-"), data)
            if WORD_LIST.fullmatch(rest) and set(rest.split(", ")) <= words:
                continue
            remaining = [w for w in LATIN_WORD.findall(rest) if w not in ALLOWED]
            if remaining:
                left.append(rest[:120])
    return left


def _not_data(run: str, data: dict[str, list[str]]) -> str:
    """What is left of a run of Latin text once the stored data in it is taken out."""
    words = {w.lower() for w in LATIN_WORD.findall(run)}
    if not words:
        return ""
    # The data this run may hold, longest first (so "Buffalo City – Gävle" goes before
    # "Buffalo City" cuts it in two).
    candidates = sorted(
        {" ".join(v.split()) for w in words for v in data.get(w, ())}, key=len, reverse=True
    )
    # A stored text, whole or cut short on the page ("… residents and bus…").
    if any(run in value for value in candidates):
        return ""
    for value in candidates:
        if value in run:
            run = run.replace(value, " ")
    return " ".join(run.split())


def pages(users: dict[str, User]) -> list[tuple[str | None, str]]:
    """(username or None for a visitor, url) of the main pages."""
    gavle = Partnership.objects.get(title="Buffalo City – Gävle partnership")
    home = Partner.objects.get(name="Buffalo City")
    detail = reverse("partnerships:detail", args=[gavle.pk])
    sub_alliance = SubAlliance.objects.filter(partnership=gavle).first()
    published = Partnership.objects.filter(published=True).first()
    officer = [
        reverse("partnerships:dashboard"),
        reverse("partnerships:list"),
        reverse("partnerships:create"),
        reverse("partnerships:lessons"),
        reverse("partnerships:city_list"),
        reverse("partnerships:reports"),
        reverse("notifications:list"),
        reverse("notifications:preferences"),
        reverse("notifications:calendar"),
        reverse("accounts:account"),
        detail,
        *(f"{detail}?step={step}" for step in range(1, 9)),
        reverse("partnerships:search", args=[gavle.pk]),
        reverse("partnerships:selection", args=[gavle.pk]),
        reverse("partnerships:mou", args=[gavle.pk]),
        reverse("partnerships:business_plan", args=[gavle.pk]),
        reverse("partnerships:city_detail", args=[home.pk]),
        reverse("partnerships:strategy", args=[home.pk]),
        reverse("businesses:interest_inbox", args=[gavle.pk]),
        reverse("businesses:matchmaking", args=[gavle.pk]),
        reverse("businesses:staff_requests"),
        reverse("businesses:lead_list"),
        reverse("alliances:partnership_sub_alliances", args=[gavle.pk]),
        reverse("discussion:partnership_thread", args=[gavle.pk]),
    ]
    if sub_alliance is not None:
        officer.append(reverse("alliances:sub_alliance_detail", args=[sub_alliance.pk]))
    chamber = [
        reverse("businesses:chamber_home"),
        reverse("businesses:business_list"),
        reverse("businesses:business_create"),
        reverse("businesses:my_registrations"),
        reverse("businesses:interest_register"),
        reverse("businesses:my_match_proposals"),
        reverse("businesses:chamber_matches", args=[gavle.pk]),
    ]
    visitor = [
        reverse("businesses:registry"),
        reverse("login"),
        reverse("password_reset"),
        reverse("businesses:signup"),
        reverse("invitations:join"),
    ]
    if published is not None:
        visitor.append(reverse("businesses:registry_detail", args=[published.pk]))
    admin = [
        reverse("admin:index"),
        reverse("admin:partnerships_partnership_changelist"),
        reverse("admin:partnerships_partnership_change", args=[gavle.pk]),
        reverse("admin:businesses_businessprofile_changelist"),
        reverse("admin:notifications_reminder_changelist"),
    ]
    return [
        *(("bc_officer", url) for url in officer),
        *(("bkcb_member", url) for url in chamber),
        *((None, url) for url in visitor),
        *(("admin", url) for url in admin),
    ]


def test_the_main_pages_in_chinese_leave_no_english(demo_loaded, client):
    users = {u.username: u for u in User.objects.filter(username__in=["bc_officer", "admin"])}
    User.objects.filter(username__in=["bc_officer", "bkcb_member", "admin"]).update(
        language=LANGUAGE
    )
    assert BusinessAssociation.objects.exists()
    data, words = data_strings(), data_words()
    found: dict[str, list[str]] = {}
    signed_in = None
    for username, url in pages(users):
        if username != signed_in:
            client.logout()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = LANGUAGE
            if username:
                assert client.login(username=username, password=DEMO_PASSWORD)
            signed_in = username
        response = client.get(url)
        assert response.status_code == 200, (username, url, response.status_code)
        assert response.headers["Content-Language"] == LANGUAGE
        left = english_left(response.content.decode(), data, words)
        if left:
            found[f"{username or 'visitor'} {url}"] = left
    report = "\n".join(
        f"{page}:\n    " + "\n    ".join(texts[:15]) for page, texts in found.items()
    )
    assert not found, f"English left on {len(found)} pages:\n{report}"


def test_translation_costs_no_query(demo_loaded, client):
    """The same page asks the database the same number of times in English and in Chinese
    (the catalogs are files, read once per process), so the query budgets hold in every
    language."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    User.objects.filter(username="bc_officer").update(language="")  # the cookie decides
    assert client.login(username="bc_officer", password=DEMO_PASSWORD)
    officer_pages = [url for username, url in pages({}) if username == "bc_officer"]
    counts = {}
    for language in ("en", LANGUAGE, "en"):  # English twice: the first visit warms up
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in officer_pages:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.headers["Content-Language"] == language
            counts[(language, url)] = len(queries)
    differ = {
        url: (counts[("en", url)], counts[(LANGUAGE, url)])
        for url in officer_pages
        if counts[("en", url)] != counts[(LANGUAGE, url)]
    }
    assert not differ, differ
