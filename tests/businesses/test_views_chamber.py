"""Chamber staff accounts and member businesses through the pages: sign-up, the pending
account's one page, the officers' approvals, the business list/detail/forms and the CSV import."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from alliances.models import Organisation
from businesses.models import BusinessProfile, ChamberMembership
from core.converters import LARGEST_ID  # in an address (10**30 matches no URL)
from tests.factories.accounts import UserFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    ChamberMembershipFactory,
    chamber_staff,
    needs,
    sectors,
)
from tests.growth import save, save_links, save_parents

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12
PASSWORD = "a long and unusual passphrase 42"
HUGE = 10**30  # past the database's integer: for form values


def url(name, *args):
    return reverse(f"businesses:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(ctx.captured_queries)


@pytest.fixture
def chamber(world):
    association = BusinessAssociationFactory(
        organisation__partner=world.home, organisation__name="Nelson Mandela Bay Business Chamber"
    )
    other = BusinessAssociationFactory(
        organisation__partner=world.away, organisation__name="Gävle Chamber"
    )
    return SimpleNamespace(
        association=association,
        staff=chamber_staff(association),
        other=other,
        other_staff=chamber_staff(other),
        admin=UserFactory(is_superuser=True, is_staff=True),
    )


def signup_data(association, /, **overrides):
    data = {
        "association": association.pk,
        "first_name": "Anele",
        "last_name": "Jacobs",
        "email": "anele@chamber.example.org",
        "job_title": "Trade officer",
        "username": "anele",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


# --- Sign-up and the pending account --------------------------------------------------------------


def test_sign_up_creates_a_pending_account_signed_in_on_its_status_page(client, chamber):
    assert client.get(url("signup")).status_code == 200
    response = client.post(url("signup"), signup_data(chamber.association), follow=True)
    assert response.redirect_chain[-1][0] == url("status")
    user = User.objects.get(username="anele")
    assert user.check_password(PASSWORD) and user.job_title == "Trade officer"
    membership = ChamberMembership.objects.get(user=user)
    assert membership.status == ChamberMembership.Status.PENDING
    assert membership.association == chamber.association
    page = response.content.decode()
    assert "waiting for approval" in page
    assert "Nelson Mandela Bay Business Chamber" in page
    assert any("Your request to join" in m for m in messages_of(response))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password2": "something else entirely"}, "password2"),
        ({"password": "password", "password2": "password"}, "password"),
        ({"password": "12345678901", "password2": "12345678901"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"username": "has spaces!"}, "username"),
        ({"association": ""}, "association"),
        ({"association": "abc"}, "association"),
        ({"association": HUGE}, "association"),
    ],
)
def test_sign_up_refusals_are_field_errors_and_save_nothing(client, chamber, overrides, field):
    users = User.objects.count()
    response = client.post(url("signup"), signup_data(chamber.association, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert User.objects.count() == users
    assert not ChamberMembership.objects.filter(user__username="anele").exists()


def test_sign_up_refuses_a_taken_username_or_email(client, chamber):
    UserFactory(username="anele", email="someone@example.org")
    response = client.post(url("signup"), signup_data(chamber.association))
    assert "username" in response.context["form"].errors
    UserFactory(username="other", email="dup@example.org")
    response = client.post(
        url("signup"), signup_data(chamber.association, username="new1", email="DUP@example.org")
    )
    assert "email" in response.context["form"].errors
    assert not User.objects.filter(username="new1").exists()


def test_an_empty_sign_up_post_shows_every_required_field(client, chamber):
    response = client.post(url("signup"), {})
    assert response.status_code == 200
    assert {"association", "email", "username", "password", "password2"} <= set(
        response.context["form"].errors
    )


def test_a_signed_in_plain_user_asks_to_join_and_an_officer_cannot(client, chamber, world):
    plain = UserFactory()
    client.force_login(plain)
    response = client.post(url("signup"), {"association": chamber.association.pk})
    assert response.status_code == 302
    assert ChamberMembership.objects.get(user=plain).status == "pending"
    # Asking again while pending is refused with a message, nothing doubled.
    response = client.post(url("signup"), {"association": chamber.association.pk})
    assert response.status_code == 200
    assert "already asked" in str(response.context["form"].non_field_errors())

    client.force_login(world.home_officer)
    response = client.get(url("signup"))
    assert response.context["works_for_city"]
    client.post(url("signup"), {"association": chamber.association.pk})
    assert not ChamberMembership.objects.filter(user=world.home_officer).exists()


def test_a_pending_account_sees_its_status_page_and_public_pages_only(client, chamber, world):
    pending = ChamberMembershipFactory(association=chamber.association, pending=True).user
    client.force_login(pending)
    status_url = url("status")
    for address in [
        reverse("partnerships:dashboard"),
        reverse("partnerships:list"),
        reverse("partnerships:detail", args=[world.partnership.pk]),
        url("business_list"),
        url("my_registrations"),
        url("interest_register"),
        reverse("alliances:partnership_sub_alliances", args=[world.partnership.pk]),
    ]:
        response = client.get(address)
        assert response.status_code == 302 and response["Location"] == status_url, address
    # POSTs too.
    response = client.post(url("interest_register"), {})
    assert response["Location"] == status_url
    for address in [
        status_url,
        url("registry"),
        url("registry_detail", world.partnership.pk),
        url("signup"),
        reverse("password_change"),
    ]:
        assert client.get(address).status_code == 200, address
    assert client.post(reverse("logout")).status_code == 302


def test_approval_takes_effect_at_the_next_click(client, chamber, world):
    membership = ChamberMembershipFactory(association=chamber.association, pending=True)
    client.force_login(membership.user)
    assert client.get(url("business_list"))["Location"] == url("status")

    officer = world.home_officer
    other = SimpleNamespace(client=client.__class__())
    other.client.force_login(officer)
    response = other.client.post(
        url("staff_request_decide", membership.pk), {"decision": "yes", "note": ""}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == "approved" and membership.decided_by == officer

    response = client.get(url("business_list"))
    assert response.status_code == 200
    assert "My businesses" in response.content.decode()  # the chamber's navigation


# --- Officers approve or reject staff requests --------------------------------------------------


def test_officers_of_the_association_city_decide_its_staff_requests(client, chamber, world):
    waiting = ChamberMembershipFactory(
        association=chamber.association, pending=True, user=UserFactory(first_name="Zola")
    )
    elsewhere = ChamberMembershipFactory(association=chamber.other, pending=True)

    client.force_login(world.home_officer)
    response = client.get(url("staff_requests"))
    shown = [m.pk for m, _ in response.context["requests"]]
    assert shown == [waiting.pk]
    assert client.get(url("staff_request_decide", elsewhere.pk)).status_code == 404

    # Rejecting needs a note; then the applicant sees it.
    response = client.post(url("staff_request_decide", waiting.pk), {"decision": "no"})
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    response = client.post(
        url("staff_request_decide", waiting.pk),
        {"decision": "no", "note": "We could not confirm you work for the chamber."},
        follow=True,
    )
    assert any("rejected" in m for m in messages_of(response))
    waiting.refresh_from_db()
    assert waiting.status == "rejected"
    # Deciding twice is a message, not an error.
    response = client.post(url("staff_request_decide", waiting.pk), {"decision": "yes"})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "rejected"

    client.force_login(waiting.user)
    page = client.get(url("status")).content.decode()
    assert "Rejected" in page and "could not confirm" in page


@pytest.mark.parametrize("data", [{}, {"decision": "maybe"}, {"decision": ["yes", "no"]}])
def test_bad_decisions_are_field_errors(client, chamber, world, data):
    waiting = ChamberMembershipFactory(association=chamber.association, pending=True)
    client.force_login(world.home_officer)
    response = client.post(url("staff_request_decide", waiting.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors  # the decision, or the note a rejection needs
    waiting.refresh_from_db()
    assert waiting.status == "pending"


def test_staff_requests_are_for_officers_and_admins_only(client, chamber, world):
    waiting = ChamberMembershipFactory(association=chamber.association, pending=True)
    for user, status in [
        (chamber.staff, 404),
        (UserFactory(), 302),  # no role: sent to its status page
        (world.stranger_officer, 200),
        (chamber.admin, 200),
    ]:
        client.force_login(user)
        assert client.get(url("staff_requests")).status_code == status
    client.force_login(world.stranger_officer)
    assert client.get(url("staff_request_decide", waiting.pk)).status_code == 404
    assert client.get(url("staff_request_decide", LARGEST_ID)).status_code == 404
    client.logout()
    assert client.get(url("staff_requests"))["Location"].startswith("/accounts/login/")


def test_staff_requests_page_queries_do_not_grow(client, chamber, world):
    def add(n):
        """n pending sign-ups, each of a new user, in bulk (tests/growth.py)."""
        pending = ChamberMembershipFactory.build_batch(
            n, association=chamber.association, pending=True
        )
        save_parents(pending, "user", User)
        save(ChamberMembership, pending)

    client.force_login(world.home_officer)
    add(5)
    few = count_queries(client, url("staff_requests"))
    add(45)
    many = count_queries(client, url("staff_requests"))
    assert few == many <= QUERY_BUDGET


# --- Businesses --------------------------------------------------------------------------------


def business_data(**overrides):
    data = {
        "name": "Amathole Citrus Packers",
        "sectors": [s.pk for s in sectors("A", "C")],
        "size_band": "medium",
        "export_readiness": "ready",
        "products_services": "Packed citrus",
        "seeks": [n.pk for n in needs("buyers")],
        "offers": [n.pk for n in needs("suppliers")],
        "contact_name": "Lerato",
        "contact_email": "lerato@example.org",
        "website": "citrus.example.org",
    }
    data.update(overrides)
    return data


def test_staff_add_a_business_to_their_association(client, chamber, world):
    client.force_login(chamber.staff)
    assert client.get(url("business_create")).status_code == 200
    response = client.post(url("business_create"), business_data(), follow=True)
    business = BusinessProfile.objects.get(organisation__name="Amathole Citrus Packers")
    assert response.redirect_chain[-1][0] == url("business_detail", business.pk)
    assert business.association == chamber.association
    assert business.organisation.partner == world.home
    assert business.organisation.website == "https://citrus.example.org"
    assert set(business.organisation.sectors.values_list("code", flat=True)) == {"A", "C"}
    assert [n.code for n in business.seeks.all()] == ["buyers"]
    assert "is added to your members" in messages_of(response)[0]


def test_the_same_business_is_never_created_twice(client, chamber):
    BusinessProfileFactory(association=chamber.association, organisation__name="Kei Components")
    client.force_login(chamber.staff)
    response = client.post(url("business_create"), business_data(name="  kei   COMPONENTS "))
    assert response.status_code == 200
    assert "already exists" in str(response.context["form"].errors["name"])
    assert BusinessProfile.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": ""},
        {"sectors": []},
        {"sectors": [HUGE]},
        {"sectors": ["x"]},
        {"size_band": "giant"},
        {"seeks": [HUGE]},
        {"contact_email": "nope"},
        {"website": "not a url"},
        {"name": "x" * 201},
    ],
)
def test_business_form_errors_save_nothing(client, chamber, overrides):
    client.force_login(chamber.staff)
    response = client.post(url("business_create"), business_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not BusinessProfile.objects.exists()


def test_staff_edit_their_own_businesses_only(client, chamber, world):
    own = BusinessProfileFactory(association=chamber.association, sectors=sectors("C"))
    theirs = BusinessProfileFactory(association=chamber.other)
    client.force_login(chamber.staff)
    response = client.get(url("business_edit", own.pk))
    assert response.status_code == 200
    assert response.context["form"]["name"].value() == own.name
    response = client.post(
        url("business_edit", own.pk),
        business_data(name="Renamed Ltd", size_band="large", seeks=[]),
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "Renamed Ltd" and own.size_band == "large"
    assert not own.seeks.exists()
    for name in ("business_edit", "business_detail"):
        assert client.get(url(name, theirs.pk)).status_code == 404
    assert client.get(url("business_detail", LARGEST_ID)).status_code == 404

    # Officers of the city (and of partner cities) read a business; they do not edit it.
    client.force_login(world.home_officer)
    assert client.get(url("business_detail", own.pk)).status_code == 200
    assert client.get(url("business_edit", own.pk)).status_code == 404
    client.force_login(world.away_officer)
    assert client.get(url("business_detail", own.pk)).status_code == 200
    client.force_login(world.stranger_officer)
    assert client.get(url("business_detail", own.pk)).status_code == 404


def test_the_list_shows_each_user_their_own_businesses(client, chamber, world):
    own = BusinessProfileFactory(association=chamber.association, organisation__name="Ours Ltd")
    BusinessProfileFactory(association=chamber.other, organisation__name="Theirs AB")
    client.force_login(chamber.staff)
    response = client.get(url("business_list"))
    assert [b.pk for b in response.context["page"].object_list] == [own.pk]
    assert response.context["can_manage"]
    response = client.get(url("business_list"), {"q": "nothing like it"})
    assert not response.context["page"].object_list
    response = client.get(url("business_list"), {"sector": "abc", "page": "x"})
    assert response.status_code == 200

    client.force_login(world.away_officer)
    names = [b.name for b in client.get(url("business_list")).context["page"].object_list]
    assert names == ["Theirs AB"]
    client.force_login(UserFactory())  # no role: sent to its status page
    assert client.get(url("business_list"))["Location"] == url("status")
    assert client.get(url("business_create"))["Location"] == url("status")


def test_business_list_queries_do_not_grow(client, chamber):
    def add(n):
        """n businesses of the chamber with sectors and needs, in bulk (tests/growth.py)."""
        built = BusinessProfileFactory.build_batch(n, association=chamber.association)
        save_parents(built, "organisation", Organisation)
        save(BusinessProfile, built)
        ac, buyers, offers = sectors("A", "C"), needs("buyers"), needs("suppliers", "technology")
        save_links(Organisation.sectors, [(b.organisation, x) for b in built for x in ac])
        save_links(BusinessProfile.seeks, [(b, x) for b in built for x in buyers])
        save_links(BusinessProfile.offers, [(b, x) for b in built for x in offers])

    client.force_login(chamber.staff)
    add(5)
    few = count_queries(client, url("business_list"))
    add(45)
    many = count_queries(client, url("business_list"))
    assert few == many <= QUERY_BUDGET
    business = BusinessProfile.objects.first()
    assert count_queries(client, url("business_detail", business.pk)) <= QUERY_BUDGET


# --- The CSV import ----------------------------------------------------------------------------

MIXED = (
    "name,sectors,size_band,seeks,offers,contact_email,export_readiness\n"
    "Amathole Citrus Packers,A;C,medium,buyers,suppliers,lerato@example.org,ready\n"
    ",C,small,,,,\n"
    "Kei Components,Z,small,,,,\n"
    "Border Timber,C,huge,,,,\n"
    "Existing Ltd,C,small,,,,\n"
    "amathole citrus packers,A,small,,,,\n"
    "Nahoon Software,J,small,magic,,bad-email,\n"
    "\n"
    "Quigney Brewery,C;I,micro,buyers;tourism,,,exploring\n"
)


def upload(client, content: str | bytes, name="members.csv", **extra):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        url("business_import"),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **extra},
        follow=True,
    )


def test_a_file_mixing_good_and_bad_rows_saves_the_good_and_reports_the_bad(client, chamber):
    BusinessProfileFactory(association=chamber.association, organisation__name="Existing Ltd")
    client.force_login(chamber.staff)
    assert client.get(url("business_import")).status_code == 200
    response = upload(client, MIXED)
    assert response.redirect_chain[-1][0] == url("business_import")
    created = set(
        BusinessProfile.objects.filter(association=chamber.association).values_list(
            "organisation__name", flat=True
        )
    )
    assert created == {"Existing Ltd", "Amathole Citrus Packers", "Quigney Brewery"}
    report = response.context["report"]
    assert report["created"] == 2
    problems = {r["line"]: (r["status"], r["message"]) for r in response.context["problems"]}
    assert problems[3] == ("refused", "The name is missing.")
    assert problems[4][0] == "refused" and "Unknown sector code “Z”" in problems[4][1]
    assert "size band is “huge”" in problems[5][1]
    assert problems[6][0] == "exists"
    assert problems[7] == ("duplicate", "Same business as line 2: not imported twice.")
    assert "Unknown seeks “magic”" in problems[8][1] and "not an email" in problems[8][1]
    assert problems[9][0] == "skipped"
    page = response.content.decode()
    assert "Rows not imported (7)" in page
    assert "Same business as line 2" in page
    assert any("2 created" in m for m in messages_of(response))

    # The report shows once (POST/redirect/GET); uploading again creates nothing twice.
    assert client.get(url("business_import")).context["report"] is None
    response = upload(client, MIXED)
    assert response.context["report"]["created"] == 0
    assert BusinessProfile.objects.filter(association=chamber.association).count() == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"just,some,columns\n1,2,3\n", "missing: name, sectors, size_band"),
        ("name,sectors,size_band\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_an_unreadable_file_is_a_field_error_and_imports_nothing(client, chamber, content, message):
    client.force_login(chamber.staff)
    response = client.post(
        url("business_import"),
        {"file": SimpleUploadedFile("x.csv", content or b" ", content_type="text/csv")},
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["file"])
    assert not BusinessProfile.objects.exists()


def test_an_import_without_a_file_is_a_field_error(client, chamber):
    client.force_login(chamber.staff)
    response = client.post(url("business_import"), {})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors


def test_the_downloadable_template_imports_as_it_is(client, chamber):
    client.force_login(chamber.staff)
    response = client.get(url("business_import_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["name"] and {"name", "sectors", "size_band"} <= set(rows[0])
    assert rows[0]["chain_position"] and rows[0]["markets_sought"] and rows[0]["products_sought"]
    imported = upload(client, response.content, name="template.csv")
    assert imported.context["report"]["created"] == len(rows)
    assert "<code>markets_sought</code>" in imported.content.decode()  # the help lists it
    client.force_login(UserFactory())  # no role: sent to its status page
    assert client.get(url("business_import_template"))["Location"] == url("status")


def test_admins_choose_the_association_they_import_into(client, chamber):
    client.force_login(chamber.admin)
    response = client.post(
        url("business_import"),
        {"file": SimpleUploadedFile("a.csv", b"name,sectors,size_band\nX Ltd,C,small\n")},
    )
    assert response.status_code == 200
    assert "association" in response.context["form"].errors
    upload(client, "name,sectors,size_band\nX Ltd,C,small\n", association=chamber.other.pk)
    assert Organisation.objects.get(name="X Ltd").partner == chamber.other.organisation.partner
