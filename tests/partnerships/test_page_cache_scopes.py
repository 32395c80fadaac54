"""Precise invalidation of the page cache (core/page_cache.py, partnerships/page_scopes.py): a
write stales the pages that show what it wrote (its partnership's cities', the pages wider than
one portfolio, its people's own), and leaves other cities' portfolio pages cached."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agenda import services as agenda_services
from alliances.models import StrengthRecord
from businesses.models import BusinessProfile, ChamberMembership
from core import page_cache
from notifications import services as notify_services
from notifications.models import Follow, Reminder
from partnerships import services
from partnerships.models import CityMembership as Membership
from partnerships.models import (
    KPIResult,
    Partner,
    Partnership,
    PartnershipMember,
    SavedView,
)
from tests.factories.accounts import UserFactory
from tests.factories.alliances import SubAllianceFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    KPIFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    ReviewFactory,
)
from tests.factories.reminders import ReminderFactory

# Writes commit for real: the bump runs on commit.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("page_cache_on")]


def _officer(city):
    return CityMembershipFactory(partner=city, role=Membership.Role.OFFICER).user


@pytest.fixture
def world():
    """Two pairs of cities, each twinned; an officer in three of the four cities."""
    a, b = PartnerFactory(name="Aden"), NorthPartnerFactory(name="Bergen")
    c, d = PartnerFactory(name="Cusco"), NorthPartnerFactory(name="Dijon")
    ab = PartnershipFactory(home=a, title="Aden and Bergen")
    PartnershipMemberFactory(partnership=ab, partner=b)
    cd = PartnershipFactory(home=c, title="Cusco and Dijon")
    PartnershipMemberFactory(partnership=cd, partner=d)
    return {
        "a": a, "b": b, "c": c, "d": d, "ab": ab, "cd": cd,
        "oa": _officer(a), "ob": _officer(b), "oc": _officer(c),
    }  # fmt: skip


def get(client, address) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


class Browser:
    """One person's signed-in browser, with its CSRF cookie, which tells a page served from
    the cache (the session and the user: two queries) from one computed."""

    def __init__(self, user):
        self.client = Client()
        self.client.force_login(user)

    def visit(self, address) -> str:
        self.client.get(address)  # the first page hands out the CSRF cookie: not stored
        return get(self.client, address)[0]

    def served(self, address) -> bool:
        return get(self.client, address)[1] <= 2


def portfolio(w) -> list[str]:
    return [
        reverse("partnerships:dashboard"),
        reverse("partnerships:list"),
        reverse("partnerships:detail", args=[w["ab"].pk]),
    ]


def wide() -> list[str]:
    return [reverse("partnerships:city_list"), reverse("businesses:registry")]


def schedule(user, partnership):
    return agenda_services.activity_schedule(
        user=user,
        partnership=partnership,
        kind="call",
        summary="Call the twin city",
        assignee=user,
        due_on=dt.date.today() + dt.timedelta(days=3),
    )


def test_a_save_in_another_citys_partnership_leaves_an_officers_portfolio_cached(world):
    aden = Browser(world["oa"])
    for address in portfolio(world) + wide():
        aden.visit(address)
    schedule(world["oc"], world["cd"])  # Cusco's officer, in Cusco and Dijon's partnership
    for address in portfolio(world):
        assert aden.served(address), address
    # The pages wider than one portfolio (every city, the registry) are computed again.
    for address in wide():
        assert not aden.served(address), address


def test_a_save_stales_the_pages_of_both_cities_of_the_partnership(world):
    aden, bergen = Browser(world["oa"]), Browser(world["ob"])
    cusco = Browser(world["oc"])
    address = reverse("partnerships:dashboard")
    for browser in (aden, bergen, cusco):
        browser.visit(address)
    services.partnership_update(partnership=world["ab"], user=world["oa"], title="Aden & Bergen")
    assert "Aden &amp; Bergen" in aden.visit(address)
    assert not bergen.served(address)  # the counterpart city's officer sees it too
    assert cusco.served(address)


def test_an_admin_sees_every_save_at_once(world, admin_user):
    admin = Browser(admin_user)
    address = reverse("partnerships:detail", args=[world["ab"].pk])
    admin.visit(address)
    schedule(world["oc"], world["cd"])  # elsewhere: an admin's pages may show it
    assert not admin.served(address)


def test_a_row_reached_through_its_parent_stales_the_partnership(world):
    """A KPI's result names its review, which names the partnership."""
    aden, cusco = Browser(world["oa"]), Browser(world["oc"])
    address = reverse("partnerships:dashboard")
    aden.visit(address)
    cusco.visit(address)
    review = ReviewFactory(partnership=world["ab"])
    kpi = KPIFactory(partnership=world["ab"])
    cache.clear()  # from here on, only the result's own write is at work
    aden.visit(address)
    cusco.visit(address)
    KPIResult.objects.create(review=review, kpi=kpi, actual=3)
    assert not aden.served(address)
    assert cusco.served(address)


def test_a_city_taken_out_of_a_partnership_no_longer_shows_it(world):
    bergen = Browser(world["ob"])
    address = reverse("partnerships:list")
    assert "Aden and Bergen" in bergen.visit(address)
    PartnershipMember.objects.filter(partnership=world["ab"], partner=world["b"]).delete()
    assert "Aden and Bergen" not in bergen.visit(address)


def test_a_new_membership_changes_every_page_of_its_officer(world):
    aden = Browser(world["oa"])
    address = reverse("partnerships:list")
    assert "Cusco and Dijon" not in aden.visit(address)
    CityMembershipFactory(user=world["oa"], partner=world["c"], role=Membership.Role.OFFICER)
    assert "Cusco and Dijon" in aden.visit(address)
    # And a save in Cusco's partnership now reaches Aden's officer.
    aden.visit(address)
    schedule(world["oc"], world["cd"])
    assert not aden.served(address)


def test_a_renamed_city_shows_on_its_partners_pages(world):
    aden = Browser(world["oa"])
    address = reverse("partnerships:detail", args=[world["ab"].pk])
    aden.visit(address)
    bergen = Partner.objects.get(pk=world["b"].pk)
    bergen.name = "Bjørgvin"
    bergen.save()
    assert "Bjørgvin" in aden.visit(address)


def test_reading_a_notification_stales_only_its_readers_pages(world):
    oa, colleague = world["oa"], _officer(world["a"])
    reminder = ReminderFactory(partnership=world["ab"], recipient=oa, read_at=None)
    mine, theirs = Browser(oa), Browser(colleague)
    address = reverse("partnerships:dashboard")
    bell = '1<span class="visually-hidden"> unread'
    assert bell in mine.visit(address)
    theirs.visit(address)
    notify_services.notification_mark_read(reminder=reminder, user=oa)
    assert bell not in mine.visit(address)
    assert theirs.served(address)


def test_a_bump_without_scope_stales_every_page(world):
    aden = Browser(world["oa"])
    address = reverse("partnerships:dashboard")
    aden.visit(address)
    page_cache.bump()
    assert not aden.served(address)


def test_where_each_kind_of_row_shows(world):
    """`row_scopes` from the rows' own foreign keys: a partnership's, its parent's, a city's,
    a person's own; and everywhere for what changes who sees what, or names nothing."""
    ab, a, b, oa = world["ab"], world["a"], world["b"], world["oa"]
    review = ReviewFactory(partnership=ab)
    result = KPIResult(review=review, kpi=KPIFactory(partnership=ab), actual=1)
    reminder = Reminder(partnership=ab, recipient=oa, kind=Reminder.Kind.REVIEW_DUE)
    scopes = page_cache.row_scopes
    assert scopes(Partnership, ab) >= {f"partnership:{ab.pk}"}
    assert scopes(KPIResult, result) == {f"partnership:{ab.pk}"}
    member = PartnershipMember.objects.get(partnership=ab, partner=b)
    assert scopes(PartnershipMember, member) == {f"partnership:{ab.pk}", f"city:{b.pk}"}
    assert scopes(Reminder, reminder) == {f"partnership:{ab.pk}", f"user:{oa.pk}"}
    assert scopes(Follow, Follow(user=oa, object_id=ab.pk)) == {f"user:{oa.pk}"}
    assert scopes(SavedView, SavedView(owner=oa, shared_with=a)) == {
        f"city:{a.pk}",
        f"user:{oa.pk}",
    }
    history = Partnership.history.filter(id=ab.pk).first()
    assert scopes(type(history), history) >= {f"partnership:{ab.pk}"}
    # Everywhere: who sees what, a city's own name, a person's name, rows naming no scope.
    assert scopes(Membership, Membership.objects.filter(user=oa).first()) is None
    assert scopes(ChamberMembership, ChamberMembership(user=oa)) is None
    assert scopes(Partner, a) is None
    assert scopes(type(oa), UserFactory()) is None
    assert scopes(BusinessProfile, BusinessProfile()) is None
    # An outer app's row, through its parent (a strength record → its sub-alliance).
    record = StrengthRecord(sub_alliance=SubAllianceFactory(partnership=ab))
    assert scopes(StrengthRecord, record) == {f"partnership:{ab.pk}"}
