"""Who sees what of a partnership: its inside is for its member cities' officers and admins;
the registry is its public face; an account without a role sees what an anonymous visitor
sees; each side decides whether its contacts are published; the signed MOU's document is a
choice of its own; lessons shared in the library are read by every city's officers."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from businesses import services as business_services
from core.errors import DomainError
from partnerships import services
from partnerships.models import Lesson, Partnership, PartnershipMember
from tests.access.matrix import MATRIX, OPEN, ROLES
from tests.factories.accounts import UserFactory
from tests.factories.businesses import ChamberMembershipFactory
from tests.factories.partnerships import (
    ChampionFactory,
    CityMembershipFactory,
    LessonFactory,
    MOUFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)
from tests.pdfs import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    a, b, c = (
        PartnerFactory(name="Aville"),
        PartnerFactory(name="Bton"),
        PartnerFactory(name="Cburg"),
    )
    published = PartnershipFactory(home=a, title="Published A–B", published=True)
    PartnershipMemberFactory(partnership=published, partner=b)
    mou = MOUFactory(
        partnership=published, status="signed", document=ContentFile(PDF, name="mou.pdf")
    )
    ChampionFactory(partnership=published, partner=a, name="Ann Able", email="ann@a.example")
    ChampionFactory(partnership=published, partner=b, name="Bo Baker", email="bo@b.example")
    people = {}
    for name, city in (("officer_a", a), ("officer_b", b), ("officer_c", c)):
        people[name] = UserFactory()
        CityMembershipFactory(user=people[name], partner=city)
    people["chamber"] = ChamberMembershipFactory(association__organisation__partner=c).user
    return {"a": a, "b": b, "c": c, "p": published, "mou": mou, **people}


def test_the_inside_of_a_published_partnership_is_for_its_cities_officers(client, world):
    p = world["p"]
    inside = [
        reverse("partnerships:detail", args=[p.pk]),
        reverse("partnerships:document", args=[p.pk, "mou", world["mou"].pk]),
        reverse("partnerships:dossier", args=[p.pk]),
    ]
    for who in ("officer_c", "chamber"):
        client.force_login(world[who])
        for address in inside:
            assert client.get(address).status_code == 404, (who, address)
        listed = client.get(reverse("partnerships:list"))
        assert p.title not in listed.content.decode()
    client.force_login(world["officer_b"])
    assert client.get(inside[0]).status_code == 200
    # Its public face, for anyone.
    client.logout()
    assert client.get(reverse("businesses:registry_detail", args=[p.pk])).status_code == 200


def test_another_citys_page_lists_a_published_partnership_by_its_registry_page(client, world):
    client.force_login(world["officer_c"])
    page = client.get(reverse("partnerships:city_detail", args=[world["a"].pk])).content.decode()
    assert "Published A–B" in page
    assert reverse("businesses:registry_detail", args=[world["p"].pk]) in page
    assert reverse("partnerships:detail", args=[world["p"].pk]) not in page


def test_each_side_publishes_its_own_contacts(client, world):
    p, a, b = world["p"], world["a"], world["b"]
    registry = reverse("businesses:registry_detail", args=[p.pk])
    page = client.get(registry).content.decode()
    assert "Ann Able" not in page and "Bo Baker" not in page  # nobody chose to, yet

    client.force_login(world["officer_b"])
    address = reverse("partnerships:publish_contacts", args=[p.pk])
    client.post(address, {"partner": b.pk, "publish": "on"})
    # B's officer does not decide for A.
    client.post(address, {"partner": a.pk, "publish": "on"})
    client.logout()
    page = client.get(registry).content.decode()
    assert "Bo Baker" in page and "Ann Able" not in page
    assert "bo@b.example" not in page  # addresses only for signed-in staff and officers
    with pytest.raises(DomainError, match="Only officers of Aville"):
        services.member_publish_contacts(
            partnership=p, partner=a, publish=True, user=world["officer_b"]
        )
    assert list(
        PartnershipMember.objects.filter(partnership=p, publish_contacts=True).values_list(
            "partner__name", flat=True
        )
    ) == ["Bton"]


def test_the_signed_mou_document_is_a_choice_of_its_own(client, world):
    p, mou = world["p"], world["mou"]
    download = reverse("businesses:registry_mou", args=[p.pk, mou.pk])
    registry = reverse("businesses:registry_detail", args=[p.pk])
    assert client.get(download).status_code == 404
    assert download not in client.get(registry).content.decode()
    Partnership.objects.filter(pk=p.pk).update(publish_mou_document=True)
    assert client.get(registry).content.decode().count(download) == 1
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_shared_lessons_are_read_by_every_citys_officers(client, world):
    private = PartnershipFactory(home=world["a"], title="Private A")
    LessonFactory(partnership=private, theme="Shared one", shared=True)
    LessonFactory(partnership=private, theme="Kept one", shared=False)
    library = reverse("partnerships:lessons")
    client.force_login(world["officer_c"])
    page = client.get(library).content.decode()
    assert "Shared one" in page and "Kept one" not in page
    client.force_login(world["officer_a"])
    page = client.get(library).content.decode()
    assert "Shared one" in page and "Kept one" in page
    client.force_login(world["chamber"])
    page = client.get(library).content.decode()
    assert "Shared one" not in page  # the library is the officers'
    assert Lesson.objects.count() == 2


def test_a_shared_lesson_links_its_partnership_where_the_reader_may_open_it(client, world):
    """Its own page for its cities' officers; for another city's, the registry's page of a
    published one and no link to a private one (its page would answer 404)."""
    private = PartnershipFactory(home=world["a"], title="Private A")
    LessonFactory(partnership=private, theme="From the private one", shared=True)
    LessonFactory(partnership=world["p"], theme="From the published one", shared=True)
    library = reverse("partnerships:lessons")
    own = {p: reverse("partnerships:detail", args=[p.pk]) for p in (private, world["p"])}
    registry = reverse("businesses:registry_detail", args=[world["p"].pk])
    client.force_login(world["officer_c"])
    page = client.get(library).content.decode()
    assert "Private A" in page and own[private] not in page
    assert registry in page and own[world["p"]] not in page
    client.force_login(world["officer_a"])
    page = client.get(library).content.decode()
    assert own[private] in page and own[world["p"]] in page and registry not in page


@pytest.mark.parametrize("role", ["plain", "pending", "rejected"])
def test_an_account_without_a_role_gets_what_an_anonymous_visitor_gets(role):
    """On every URL of the permission matrix (which checks each outcome against the pages
    themselves): where a visitor is sent to sign in, it is sent to its status page; where a
    visitor gets a page, so does it."""
    assert role in ROLES
    for name, (get, post) in MATRIX.items():
        for outcomes in (get, post):
            if outcomes is None:
                continue
            anonymous, role_less = outcomes["anonymous"], outcomes[role]
            if anonymous == "login":
                # Sent away too; but its own account's pages (its password, its name and
                # language: saved with a redirect) are open to it.
                assert role_less == "status" or (name in OPEN and role_less in (200, 302)), (
                    name,
                    role,
                    role_less,
                )
            else:
                assert role_less == anonymous, (name, role, role_less, anonymous)


def test_an_approved_chamber_or_city_role_opens_the_portal_at_once(client):
    """A role-less account is sent to its status page; once an officer approves it, its next
    click reaches the portal (no new sign-in needed)."""
    membership = ChamberMembershipFactory(pending=True)
    client.force_login(membership.user)
    dashboard = reverse("partnerships:dashboard")
    assert client.get(dashboard)["Location"] == reverse("businesses:status")
    business_services.chamber_membership_decide(membership=membership, approve=True, user=None)
    home = client.get(dashboard, follow=True)
    assert home.redirect_chain == [(reverse("businesses:chamber_home"), 302)]
    assert home.status_code == 200
