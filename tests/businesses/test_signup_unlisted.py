"""Signing up for a chamber that is not listed (issue 15): the city found in the gazetteer
with and without JavaScript, the proposal saved whole or not at all, duplicates refused with a
pointer to the listed chamber, who decides (the city's officers, else the admins) and is
e-mailed, the applicant's decision e-mail, the association's status following the decision,
and what a pending account's navigation offers.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User
from alliances.models import Organisation
from businesses import services
from businesses.models import BusinessAssociation, ChamberMembership
from core.errors import DomainError
from notifications.models import Reminder
from partnerships.models import Partner
from tests.factories.accounts import UserFactory
from tests.factories.businesses import BusinessAssociationFactory, chamber_staff
from tests.factories.gazetteer import DURBAN, GUANGZHOU, load_places
from tests.factories.partnerships import CityMembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase 42"
SIGNUP = "/chamber/signup/"  # checked against reverse() below


def url(name, *args):
    return reverse(f"businesses:{name}", args=args)


@pytest.fixture
def gazetteer(db):
    load_places()


@pytest.fixture
def admin(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True, email="root@x.org")


def proposal(**overrides):
    data = {
        "not_listed": "on",
        "name": "Durban Chamber of Commerce and Industry",
        "city": "eThekwini",
        "place": str(DURBAN["geonameid"]),
        "website": "durbanchamber.co.za",
        "contact_name": "Palesa Dlamini",
        "first_name": "Anele",
        "last_name": "Jacobs",
        "email": "anele@durbanchamber.example.org",
        "job_title": "Trade officer",
        "username": "anele",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Partner.objects.count(),
        Organisation.objects.count(),
        BusinessAssociation.objects.count(),
        ChamberMembership.objects.count(),
    )


def post(client, capture, data):
    with capture(execute=True):
        return client.post(url("signup"), data)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


# --- Finding the city -----------------------------------------------------------------------


def test_the_city_is_found_by_any_of_its_names_without_javascript(client, gazetteer):
    assert url("signup") == SIGNUP
    page = client.get(url("signup"), {"city": "eThekwini"}).content.decode()
    assert "Durban" in page and "South Africa" in page
    assert f'value="{DURBAN["geonameid"]}"' in page
    # The "Find the city" button posts the form: the places come back, and what was typed.
    response = client.post(url("signup"), {**proposal(place=None, city="Canton"), "find_city": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{GUANGZHOU["geonameid"]}"' in page
    assert "Durban Chamber of Commerce and Industry" in page and "Palesa Dlamini" in page
    assert "anele@durbanchamber.example.org" in page
    assert PASSWORD not in page  # passwords are never written back into a page
    assert not User.objects.exists()


def test_the_htmx_search_returns_the_places(client, gazetteer):
    response = client.get(url("signup"), {"city": "Durb", "find_city": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="place-choices"' in response.content.decode()
    assert "Durban" in response.content.decode()


@pytest.mark.parametrize("city", ["x", "Atlantis", "a" * 300])
def test_a_city_not_found_is_said_on_the_field(client, gazetteer, capture, city):
    before = counts()
    response = post(client, capture, proposal(city=city, place=None))
    assert response.status_code == 200
    assert response.context["form"].errors.get("city")
    assert counts() == before


# --- A valid proposal -----------------------------------------------------------------------


def test_a_chamber_not_listed_is_proposed_with_the_account(client, gazetteer, capture, admin):
    response = post(client, capture, proposal())
    assert response.status_code == 302 and response.url == url("status")

    user = User.objects.get(username="anele")
    membership = ChamberMembership.objects.get(user=user)
    association = membership.association
    assert membership.status == ChamberMembership.Status.PENDING
    assert association.status == BusinessAssociation.Status.PROPOSED
    assert association.proposed_by == user and association.contact_name == "Palesa Dlamini"
    organisation = association.organisation
    assert organisation.kind == Organisation.Kind.CHAMBER
    assert organisation.name == "Durban Chamber of Commerce and Industry"
    assert organisation.website == "https://durbanchamber.co.za"
    city = organisation.partner
    assert (city.name, city.geonameid, city.country) == ("Durban", DURBAN["geonameid"], "ZA")

    # Durban has no officer: the admins decide, are e-mailed the decide page, and the status
    # page says so.
    decide = f"{settings.PORTAL_BASE_URL}{url('staff_request_decide', membership.pk)}"
    [message] = mail.outbox
    assert message.to == [admin.email]
    assert decide in message.body and "not yet listed" in message.subject
    page = client.get(url("status")).content.decode()
    assert "the portal&#x27;s administrators" in page or "the portal's administrators" in page
    assert "Durban has no officer" in page


def test_the_officers_of_the_city_decide_where_it_has_some(client, gazetteer, capture, admin):
    durban = PartnerFactory(name="Durban", country="ZA", geonameid=DURBAN["geonameid"])
    officer = CityMembershipFactory(partner=durban).user
    elsewhere = CityMembershipFactory(partner=PartnerFactory()).user
    post(client, capture, proposal())
    association = BusinessAssociation.objects.get()
    assert association.organisation.partner == durban  # the city in the portal, not a twin
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert not Reminder.objects.filter(recipient__in=[admin, elsewhere]).exists()
    page = client.get(url("status")).content.decode()
    assert "the officers of Durban" in page


def test_a_signed_in_user_may_propose_a_chamber(client, gazetteer, capture, admin):
    user = UserFactory()
    client.force_login(user)
    data = {k: proposal()[k] for k in ("not_listed", "name", "city", "place", "contact_name")}
    response = post(client, capture, data)
    assert response.status_code == 302
    assert ChamberMembership.objects.get(user=user).association.status == "proposed"


# --- Refusals: clear, and nothing half-saved --------------------------------------------------


def test_a_listed_chamber_of_that_name_and_city_is_pointed_to(client, gazetteer, capture):
    durban = PartnerFactory(name="Durban", country="ZA", geonameid=DURBAN["geonameid"])
    BusinessAssociationFactory(
        organisation__partner=durban, organisation__name="Durban Chamber of Commerce and Industry"
    )
    before = counts()
    response = post(client, capture, proposal(name="  durban chamber of commerce  and industry "))
    assert response.status_code == 200
    form = response.context["form"]
    assert "is listed already: choose it from the list" in " ".join(form.non_field_errors())
    assert counts() == before and mail.outbox == []
    assert "Palesa Dlamini" in response.content.decode()  # what was typed is kept


def test_a_chamber_proposed_already_is_refused(client, gazetteer, capture, admin):
    post(client, capture, proposal())
    client.logout()
    before = counts()
    response = post(
        client,
        capture,
        proposal(username="other", email="other@example.org", contact_name="Someone"),
    )
    assert "waits for a decision" in " ".join(response.context["form"].non_field_errors())
    assert counts() == before


def test_another_kind_of_organisation_of_that_name_is_refused_on_the_name(
    client, gazetteer, capture
):
    durban = PartnerFactory(name="Durban", country="ZA", geonameid=DURBAN["geonameid"])
    Organisation.objects.create(
        partner=durban, kind=Organisation.Kind.MUNICIPAL, name="Durban Chamber"
    )
    before = counts()
    response = post(client, capture, proposal(name="Durban Chamber"))
    assert "give your chamber's full name" in response.context["form"].errors["name"][0]
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"contact_name": "  "}, "contact_name"),
        ({"city": ""}, "city"),
        ({"place": None}, "place"),
        ({"place": "abc"}, "place"),
        ({"place": "99999999999999999999"}, "place"),
        ({"place": str(GUANGZHOU["geonameid"])}, "place"),  # not among eThekwini's places
        ({"website": "not a web address"}, "website"),
        ({"email": ""}, "email"),
        ({"password2": "something else"}, "password2"),
        ({"not_listed": None, "name": "", "city": ""}, "association"),
    ],
)
def test_missing_or_bad_fields_are_field_errors_and_save_nothing(
    client, gazetteer, capture, overrides, field
):
    before = counts()
    response = post(client, capture, proposal(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert counts() == before
    assert mail.outbox == []


def test_the_service_refuses_an_unknown_place_and_saves_nothing(gazetteer):
    before = counts()
    with pytest.raises(Exception) as refused:
        services.chamber_propose(
            name="A chamber",
            geonameid=123,
            contact_name="Someone",
            username="x",
            email="x@example.org",
            password=PASSWORD,
            first_name="X",
            last_name="Y",
        )
    assert "place" in refused.value.message_dict
    assert counts() == before


def test_an_existing_email_is_refused_with_the_chamber_errors_together(client, gazetteer, capture):
    UserFactory(email="anele@durbanchamber.example.org")
    before = counts()
    response = post(client, capture, proposal(contact_name=""))
    errors = response.context["form"].errors
    assert errors.get("contact_name")
    assert counts() == before


# --- Only listed associations are offered ---------------------------------------------------


def test_only_listed_associations_are_offered_and_accepted(client, capture, db):
    listed = BusinessAssociationFactory(organisation__name="Listed Chamber")
    proposed = BusinessAssociationFactory(
        organisation__name="Proposed Chamber", status=BusinessAssociation.Status.PROPOSED
    )
    rejected = BusinessAssociationFactory(
        organisation__name="Rejected Chamber", status=BusinessAssociation.Status.REJECTED
    )
    page = client.get(url("signup")).content.decode()
    assert "Listed Chamber" in page
    assert "Proposed Chamber" not in page and "Rejected Chamber" not in page
    for association in (proposed, rejected):
        data = {**proposal(not_listed=None, name="", city="", place=None)}
        response = post(client, capture, {**data, "association": association.pk})
        assert response.context["form"].errors.get("association")
    with pytest.raises(DomainError):
        services.chamber_signup(association=proposed, user=UserFactory())
    assert listed.status == BusinessAssociation.Status.LISTED


# --- Deciding ---------------------------------------------------------------------------------


@pytest.mark.parametrize("approve", [True, False])
def test_the_decision_decides_the_association_and_tells_the_applicant(
    client, gazetteer, capture, admin, approve
):
    post(client, capture, proposal())
    membership = ChamberMembership.objects.get()
    mail.outbox.clear()
    client.force_login(admin)
    data = {"decision": "yes" if approve else "no", "note": "" if approve else "Unknown to us."}
    with capture(execute=True):
        response = client.post(url("staff_request_decide", membership.pk), data)
    assert response.status_code == 302
    membership.refresh_from_db()
    association = membership.association
    association.refresh_from_db()
    expected = "listed" if approve else "rejected"
    assert association.status == expected
    [message] = mail.outbox
    assert message.to == ["anele@durbanchamber.example.org"]
    verdict = "was approved" if approve else "was not accepted"
    assert verdict in message.subject
    assert f"{settings.PORTAL_BASE_URL}{url('status')}" in message.body
    if not approve:
        assert "Unknown to us." in message.body


def test_the_admins_see_the_requests_of_cities_without_officers(client, gazetteer, capture, admin):
    post(client, capture, proposal())
    client.force_login(admin)
    page = client.get(url("staff_requests")).content.decode()
    assert "Durban Chamber of Commerce and Industry" in page
    assert "has no officer in the portal" in page
    assert "A chamber not listed yet" in page and "Palesa Dlamini" in page


def test_an_officer_of_another_city_cannot_decide(client, gazetteer, capture, admin):
    post(client, capture, proposal())
    membership = ChamberMembership.objects.get()
    client.force_login(CityMembershipFactory(partner=PartnerFactory()).user)
    assert client.get(url("staff_request_decide", membership.pk)).status_code == 404
    assert client.get(url("staff_requests")).context["requests"] == []


# --- A pending (or rejected) account's navigation ---------------------------------------------


OFFICER_ITEMS = ["partnerships:dashboard", "partnerships:list", "partnerships:city_list"]
ROLE_ITEMS = ["notifications:list", "notifications:preferences", "notifications:calendar"]


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_an_account_without_a_role_is_offered_its_status_page_only(client, status):
    membership = BusinessAssociationFactory()
    user = UserFactory()
    ChamberMembership.objects.create(
        user=user,
        association=membership,
        status=status,
        decided_at=None if status == "pending" else "2025-01-06T09:00:00Z",
    )
    client.force_login(user)
    page = client.get(url("status")).content.decode()
    nav = page.split("</nav>")[0]
    for name in OFFICER_ITEMS + ROLE_ITEMS + ["businesses:business_list"]:
        assert f'href="{reverse(name)}"' not in nav, name
    assert f'class="navbar-brand" href="{url("status")}"' in nav
    assert f'href="{reverse("password_change")}"' in nav


def test_approved_staff_still_see_their_items_and_the_bell(client):
    client.force_login(chamber_staff())
    nav = client.get(url("status")).content.decode().split("</nav>")[0]
    assert f'href="{url("business_list")}"' in nav
    assert f'href="{reverse("notifications:list")}"' in nav


# --- The gazetteer's city for a sign-up: a system path, the officers' page unchanged -------------


def test_a_sign_up_adds_the_city_but_a_person_without_a_city_still_may_not(gazetteer):
    from partnerships.services import partner_city_add

    with pytest.raises(DomainError):
        partner_city_add(geonameid=DURBAN["geonameid"], user=UserFactory())
    with pytest.raises(DomainError):
        partner_city_add(geonameid=DURBAN["geonameid"], user=chamber_staff())
    city, created = partner_city_add(geonameid=DURBAN["geonameid"], user=None)
    assert created and city.name == "Durban"


@pytest.mark.parametrize("city", ["Dur\x00ban", "\x00\x00", "%", "_" * 5, "ä" * 101, "' OR 1=1 --"])
def test_odd_city_searches_answer_a_page(client, gazetteer, capture, city):
    assert client.get(url("signup"), {"city": city}).status_code == 200
    response = client.post(url("signup"), {**proposal(city=city, place=None), "find_city": "1"})
    assert response.status_code == 200
    before = counts()
    assert post(client, capture, proposal(city=city)).status_code == 200
    assert counts() == before
