"""The public registry, interest registrations, the officers' answers and leads, through the
pages of each role."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from businesses.models import InterestRegistration, PartnershipLead
from businesses.views import panels
from core.converters import LARGEST_ID  # in an address (10**30 matches no URL)
from partnerships.models import MOU, Candidate, Partnership, Step
from tests.factories.accounts import UserFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    InterestRegistrationFactory,
    PartnershipLeadFactory,
    chamber_staff,
    sectors,
)
from tests.factories.partnerships import (
    ChampionFactory,
    MOUFactory,
    MOUSignatoryFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    walked_to,
)
from tests.pdfs import PDF

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12
HUGE = 10**30  # past the database's integer: for form values


def url(name, *args):
    return reverse(f"businesses:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def count_queries(client, address, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address, params or {})
    assert response.status_code == 200, address
    return len(ctx.captured_queries)


@pytest.fixture
def chamber(world):
    """A chamber of the home city (Gqeberha) with staff and two businesses, a chamber of a
    third city, and a private partnership of the away city (Gävle) with another city."""
    association = BusinessAssociationFactory(
        organisation__partner=world.home, organisation__name="Gqeberha Business Chamber"
    )
    private = PartnershipFactory(home=world.away, title="Gävle – Turku (private)")
    PartnershipMemberFactory(partnership=private, partner=NorthPartnerFactory(name="Turku"))
    return SimpleNamespace(
        association=association,
        staff=chamber_staff(association),
        citrus=BusinessProfileFactory(
            association=association, organisation__name="Citrus Co", sectors=sectors("A")
        ),
        logistics=BusinessProfileFactory(
            association=association, organisation__name="Harbour Logistics"
        ),
        foreign=BusinessProfileFactory(organisation__name="Elsewhere Ltd"),
        private=private,
        admin=UserFactory(is_superuser=True, is_staff=True),
    )


# --- The public registry ---------------------------------------------------------------------


def published_with_mou(world, **mou_fields):
    mou = MOUFactory(partnership=world.partnership, status=MOU.Status.SIGNED, **mou_fields)
    mou.document.save("mou.pdf", ContentFile(PDF))
    MOUSignatoryFactory(mou=mou, partner=world.home, name="Mayor of Gqeberha")
    ChampionFactory(
        partnership=world.partnership,
        partner=world.home,
        name="Cllr Ayanda Nkosi",
        title="International relations",
        email="ayanda@example.org",
    )
    ChampionFactory(
        partnership=world.partnership, partner=world.away, name="Anna Berg", email="anna@x.org"
    )
    # Both are choices of their own: the home side publishes its contacts and the document.
    world.partnership.members.filter(partner=world.home).update(publish_contacts=True)
    Partnership.objects.filter(pk=world.partnership.pk).update(publish_mou_document=True)
    return mou


def test_anyone_reads_the_registry_of_published_partnerships(client, world, chamber):
    mou = published_with_mou(world)
    response = client.get(url("registry"))
    assert response.status_code == 200
    titles = [row["p"].title for row in response.context["rows"]]
    assert titles == ["Gqeberha – Gävle"]

    response = client.get(url("registry_detail", world.partnership.pk))
    page = response.content.decode()
    assert "Cllr Ayanda Nkosi" in page and "International relations" in page
    assert "Mayor of Gqeberha" in page
    assert "ayanda@example.org" not in page  # not to anonymous visitors
    assert url("registry_mou", world.partnership.pk, mou.pk) in page

    download = client.get(url("registry_mou", world.partnership.pk, mou.pk))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    # To anonymous visitors too: a download, sandboxed, never sniffed (issue 19).
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Security-Policy"] == "sandbox"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "no-cache"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    assert "Anna Berg" not in page  # Gävle has not published its contacts

    client.force_login(chamber.staff)
    page = client.get(url("registry_detail", world.partnership.pk)).content.decode()
    assert "ayanda@example.org" in page
    assert f"{url('interest_register')}?partnership={world.partnership.pk}" in page

    # Without its own choice, the signed MOU's document stays inside.
    Partnership.objects.filter(pk=world.partnership.pk).update(publish_mou_document=False)
    client.logout()
    page = client.get(url("registry_detail", world.partnership.pk)).content.decode()
    assert url("registry_mou", world.partnership.pk, mou.pk) not in page
    assert client.get(url("registry_mou", world.partnership.pk, mou.pk)).status_code == 404


def test_private_partnerships_and_their_documents_are_not_in_the_registry(client, world, chamber):
    published_with_mou(world)
    draft = MOUFactory(partnership=world.partnership, status=MOU.Status.DRAFT, signed_on=None)
    draft.document.save("draft.pdf", ContentFile(PDF))
    private_mou = MOUFactory(partnership=chamber.private, status=MOU.Status.SIGNED)
    private_mou.document.save("p.pdf", ContentFile(PDF))
    for address in [
        url("registry_detail", chamber.private.pk),
        url("registry_detail", LARGEST_ID),
        url("registry_mou", chamber.private.pk, private_mou.pk),
        url("registry_mou", world.partnership.pk, draft.pk),
        url("registry_mou", world.partnership.pk, private_mou.pk),
    ]:
        assert client.get(address).status_code == 404, address
    assert "Turku" not in client.get(url("registry")).content.decode()
    # Unpublished, it leaves the registry at once.
    Partnership.objects.filter(pk=world.partnership.pk).update(published=False)
    assert client.get(url("registry_detail", world.partnership.pk)).status_code == 404


def test_registry_filters_never_fail(client, world):
    for params in [
        {"q": "Gävle"},
        {"q": "x" * 500},
        {"category": "nonsense"},
        {"area": HUGE},
        {"area": "abc"},
        {"page": "999"},
    ]:
        assert client.get(url("registry"), params).status_code == 200
    assert client.get(url("registry"), {"q": "Gävle"}).context["rows"]
    assert not client.get(url("registry"), {"q": "Nowhere"}).context["rows"]


def test_registry_queries_do_not_grow(client, world):
    def add(n):
        for _ in range(n):
            p = PartnershipFactory(home=PartnerFactory(), published=True)
            PartnershipMemberFactory(partnership=p, partner=NorthPartnerFactory())
            ChampionFactory(partnership=p)
            MOUFactory(partnership=p, status=MOU.Status.SIGNED)

    add(5)
    few = count_queries(client, url("registry"))
    add(45)
    many = count_queries(client, url("registry"))
    assert few == many <= QUERY_BUDGET
    assert count_queries(client, url("registry_detail", world.partnership.pk)) <= QUERY_BUDGET


# --- Registering interest --------------------------------------------------------------------


def interest_data(partnership, /, *businesses, **overrides):
    data = {
        "partnership": partnership.pk,
        "businesses": [b.pk for b in businesses],
        "objectives": "Export citrus to Sweden.",
        "sectors": [s.pk for s in sectors("A")],
        "offers": "Citrus",
        "seeks": "Importers",
        "timeframe": InterestRegistration.Timeframe.SOON,
    }
    data.update(overrides)
    return data


def test_chamber_staff_register_interest_and_see_the_answer(client, world, chamber):
    client.force_login(chamber.staff)
    response = client.get(url("interest_register"), {"partnership": world.partnership.pk})
    assert response.status_code == 200
    assert response.context["form"]["partnership"].value() == world.partnership.pk
    response = client.post(
        url("interest_register"),
        interest_data(world.partnership, chamber.citrus, chamber.logistics),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("my_registrations")
    registration = InterestRegistration.objects.get()
    assert registration.status == "pending" and registration.created_by == chamber.staff
    assert set(registration.businesses.all()) == {chamber.citrus, chamber.logistics}
    assert "Waiting for the officers" in response.content.decode()

    # An officer of the other member city accepts, with a message the chamber sees.
    client.force_login(world.away_officer)
    response = client.get(url("interest_inbox", world.partnership.pk))
    assert [row["r"] for row in response.context["rows"]] == [registration]
    response = client.post(
        url("interest_decide", registration.pk),
        {"decision": "yes", "note": "Welcome, see you at the trade fair."},
    )
    assert response["Location"] == url("interest_inbox", world.partnership.pk)
    client.force_login(chamber.staff)
    page = client.get(url("my_registrations")).content.decode()
    assert "Accepted" in page and "see you at the trade fair" in page


def test_the_same_interest_twice_is_refused_with_a_clear_message(client, world, chamber):
    client.force_login(chamber.staff)
    client.post(url("interest_register"), interest_data(world.partnership, chamber.citrus))
    response = client.post(
        url("interest_register"),
        interest_data(world.partnership, chamber.logistics, chamber.citrus),
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "cannot be registered twice" in errors and "Citrus Co (waiting" in errors
    assert InterestRegistration.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"objectives": ""},
        {"businesses": []},
        {"partnership": ""},
        {"partnership": HUGE},
        {"partnership": "abc"},
        {"timeframe": "someday"},
        {"sectors": [HUGE]},
        {"businesses": ["abc"]},
        {"businesses": [HUGE]},
    ],
)
def test_interest_form_errors_save_nothing(client, world, chamber, overrides):
    client.force_login(chamber.staff)
    response = client.post(
        url("interest_register"), interest_data(world.partnership, chamber.citrus, **overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not InterestRegistration.objects.exists()


def test_only_open_partnerships_and_own_businesses_can_be_chosen(client, world, chamber):
    client.force_login(chamber.staff)
    # Another city's private partnership is not a choice (nor is a business of another chamber).
    response = client.post(url("interest_register"), interest_data(chamber.private, chamber.citrus))
    assert "partnership" in response.context["form"].errors
    response = client.post(
        url("interest_register"), interest_data(world.partnership, chamber.foreign)
    )
    assert "businesses" in response.context["form"].errors
    # Their own city's private partnership is.
    own = PartnershipFactory(home=world.home, title="Gqeberha – private", published=False)
    response = client.post(url("interest_register"), interest_data(own, chamber.citrus))
    assert response.status_code == 302
    assert InterestRegistration.objects.get().partnership == own


def test_the_chamber_withdraws_its_interest_and_may_register_again(client, world, chamber):
    registration = InterestRegistrationFactory(
        association=chamber.association, partnership=world.partnership, businesses=[chamber.citrus]
    )
    client.force_login(chamber.staff)
    assert client.get(url("interest_withdraw", registration.pk)).status_code == 405
    response = client.post(url("interest_withdraw", registration.pk), follow=True)
    assert any("withdrawn" in m for m in messages_of(response))
    registration.refresh_from_db()
    assert registration.status == "withdrawn"
    # Twice: a refusal message, no error.
    response = client.post(url("interest_withdraw", registration.pk), follow=True)
    assert any("nothing to withdraw" in m for m in messages_of(response))
    response = client.post(
        url("interest_register"), interest_data(world.partnership, chamber.citrus)
    )
    assert response.status_code == 302
    # Another chamber's staff cannot withdraw it.
    other = chamber_staff()
    client.force_login(other)
    assert client.post(url("interest_withdraw", registration.pk)).status_code == 404


def test_who_sees_the_interest_pages(client, world, chamber):
    registration = InterestRegistrationFactory(
        association=chamber.association, partnership=world.partnership, businesses=[chamber.citrus]
    )
    inbox = url("interest_inbox", world.partnership.pk)
    decide = url("interest_decide", registration.pk)
    cases = [
        (world.home_officer, 200, 200),
        (world.away_officer, 200, 200),
        (chamber.admin, 200, 200),
        (world.stranger_officer, 404, 404),
        (chamber.staff, 404, 404),
        (UserFactory(), 302, 302),  # no role: sent to its status page
    ]
    for user, inbox_status, decide_status in cases:
        client.force_login(user)
        assert client.get(inbox).status_code == inbox_status, user
        assert client.get(decide).status_code == decide_status, user
    client.force_login(world.home_officer)
    assert client.get(url("interest_inbox", LARGEST_ID)).status_code == 404
    assert client.get(url("interest_decide", LARGEST_ID)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url("my_registrations"))["Location"] == url("status")
    assert client.get(url("interest_register"))["Location"] == url("status")


def test_declining_needs_a_message_and_deciding_twice_is_refused(client, world, chamber):
    registration = InterestRegistrationFactory(
        association=chamber.association, partnership=world.partnership, businesses=[chamber.citrus]
    )
    client.force_login(world.home_officer)
    for data in ({}, {"decision": "no"}, {"decision": "no", "note": "   "}, {"decision": "x"}):
        response = client.post(url("interest_decide", registration.pk), data)
        assert response.status_code == 200 and response.context["form"].errors
    registration.refresh_from_db()
    assert registration.status == "pending"
    client.post(
        url("interest_decide", registration.pk),
        {"decision": "no", "note": "Our MOU covers environment, not trade."},
    )
    registration.refresh_from_db()
    assert registration.status == "declined"
    assert registration.officer_message == "Our MOU covers environment, not trade."
    response = client.post(url("interest_decide", registration.pk), {"decision": "yes"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "declined"


def test_officers_see_new_registrations_on_their_dashboard_panel(world, chamber):
    InterestRegistrationFactory(
        association=chamber.association, partnership=world.partnership, businesses=[chamber.citrus]
    )
    InterestRegistrationFactory(partnership=chamber.private)  # not theirs
    panel = panels.dashboard_panel(world.home_officer)
    assert [r.association for r in panel["registrations"]] == [chamber.association]
    assert panel["template"] == "businesses/_dashboard_officer.html"
    assert panels.dashboard_panel(world.stranger_officer)["registrations"] == []
    assert panels.dashboard_panel(chamber.staff) is None  # the chamber's home shows them
    assert panels.dashboard_panel(UserFactory()) is None


def test_the_dashboard_panel_asks_few_queries(world, chamber, django_assert_max_num_queries):
    for _ in range(20):
        InterestRegistrationFactory(
            association=chamber.association,
            partnership=world.partnership,
            businesses=[BusinessProfileFactory(association=chamber.association)],
        )
    officer = world.home_officer
    officer._city_roles = {world.home.pk: "officer"}  # read once per request by the page
    PartnershipLeadFactory(association=chamber.association)
    with django_assert_max_num_queries(2):
        panel = panels.dashboard_panel(officer)
    assert panel["more"] and len(panel["registrations"]) == panels.DASHBOARD_ROWS
    assert all(r.business_names.startswith("Business ") for r in panel["registrations"])
    assert (panel["new_leads"], panel["staff_requests"]) == (1, 0)


def test_interest_pages_queries_do_not_grow(client, world, chamber):
    def add(n):
        for _ in range(n):
            business = BusinessProfileFactory(association=chamber.association)
            registration = InterestRegistrationFactory(
                association=chamber.association,
                partnership=world.partnership,
                businesses=[business],
            )
            registration.sectors.set(sectors("A", "C"))

    add(5)
    client.force_login(chamber.staff)
    few_mine = count_queries(client, url("my_registrations"))
    few_form = count_queries(client, url("interest_register"))
    client.force_login(world.home_officer)
    few_inbox = count_queries(client, url("interest_inbox", world.partnership.pk))
    add(45)
    client.force_login(chamber.staff)
    assert few_mine == count_queries(client, url("my_registrations")) <= QUERY_BUDGET
    assert few_form == count_queries(client, url("interest_register")) <= QUERY_BUDGET
    client.force_login(world.home_officer)
    inbox = count_queries(client, url("interest_inbox", world.partnership.pk))
    assert few_inbox == inbox <= QUERY_BUDGET


# --- Leads ------------------------------------------------------------------------------------


def test_the_chamber_proposes_a_city_and_its_officers_take_it_up(client, world, chamber):
    target = NorthPartnerFactory(name="Rotterdam")
    searching = walked_to(Step.SEARCH, home=world.home, title="Port city search")
    client.force_login(chamber.staff)
    assert client.get(url("lead_propose")).status_code == 200
    response = client.post(
        url("lead_propose"), {"target": target.pk, "rationale": "Europe's citrus gateway."}
    )
    assert response["Location"] == url("my_registrations")
    lead = PartnershipLead.objects.get()
    assert lead.home == world.home and lead.status == "new"

    # The home city's officers see it; the partner city's and others do not.
    client.force_login(world.away_officer)
    assert client.get(url("lead_list")).context["rows"] == []
    assert client.get(url("lead_decide", lead.pk)).status_code == 404
    client.force_login(world.home_officer)
    rows = client.get(url("lead_list")).context["rows"]
    assert [r["lead"] for r in rows] == [lead]
    choices = [label for _, label in rows[0]["form"].fields["partnership"].choices]
    assert "Port city search" in choices

    # Take-up needs a partnership in the search step.
    response = client.post(url("lead_decide", lead.pk), {"decision": "take_up"})
    assert "partnership" in response.context["form"].errors
    response = client.post(
        url("lead_decide", lead.pk),
        {"decision": "take_up", "partnership": world.partnership.pk},
    )
    assert "partnership" in response.context["form"].errors  # not in the search step
    response = client.post(
        url("lead_decide", lead.pk), {"decision": "take_up", "partnership": searching.pk}
    )
    assert response["Location"] == url("lead_list")
    lead.refresh_from_db()
    assert lead.status == "taken_up"
    candidate = Candidate.objects.get(partnership=searching, partner=target)
    assert candidate.source == Candidate.Source.CHAMBER

    client.force_login(chamber.staff)
    assert "Taken up as a candidate" in client.get(url("my_registrations")).content.decode()


def test_a_lead_is_declined_with_a_message(client, world, chamber):
    lead = PartnershipLeadFactory(association=chamber.association)
    client.force_login(world.home_officer)
    for data in ({}, {"decision": "decline"}, {"decision": "decline", "message": " "}):
        response = client.post(url("lead_decide", lead.pk), data)
        assert response.status_code == 200 and response.context["form"].errors
    client.post(
        url("lead_decide", lead.pk), {"decision": "decline", "message": "No budget this year."}
    )
    lead.refresh_from_db()
    assert lead.status == "declined" and lead.officer_message == "No budget this year."
    response = client.post(url("lead_decide", lead.pk), {"decision": "decline", "message": "x"})
    assert response.status_code == 302  # decided already: a message, nothing changes


def test_proposing_a_city_already_partnered_is_refused(client, world, chamber):
    client.force_login(chamber.staff)
    response = client.post(
        url("lead_propose"), {"target": world.away.pk, "rationale": "Already twinned."}
    )
    assert "target" in response.context["form"].errors  # not even a choice
    for data in ({}, {"target": HUGE, "rationale": "x"}, {"target": PartnerFactory().pk}):
        response = client.post(url("lead_propose"), data)
        assert response.status_code == 200 and response.context["form"].errors
    assert not PartnershipLead.objects.exists()


def test_lead_list_queries_do_not_grow(client, world, chamber):
    walked_to(Step.SEARCH, home=world.home)

    def add(n):
        for _ in range(n):
            PartnershipLeadFactory(association=chamber.association)

    client.force_login(world.home_officer)
    add(5)
    few = count_queries(client, url("lead_list"))
    add(20)
    many = count_queries(client, url("lead_list"))
    assert few == many <= QUERY_BUDGET
