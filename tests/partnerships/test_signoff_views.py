"""The joint sign-off's pages: recording a confirmation given outside the portal (the home
side), endorsing and disputing it (the city's officers), how the partnership page, the
timeline, the dossier and the dashboard show it, every bad input, and the pages' queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships import dossier, services
from partnerships.models import OfflineConfirmation, Partner, Step
from tests.factories.partnerships import (
    CityMembershipFactory,
    OfflineConfirmationFactory,
    PartnerFactory,
    signed_pdf_bytes,
    walked_to,
)

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12
SHOWN = "confirmed outside the portal by Karen Bass, Mayor, on 3 Mar 2025"


def officer_of(city):
    return CityMembershipFactory(partner=city).user


def url(name, *args):
    return reverse(f"partnerships:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def world():
    """Guangzhou (with an officer) runs a partnership at selection; Los Angeles, chosen, has
    no officer in the portal."""
    home = PartnerFactory(name="Guangzhou")
    ours = officer_of(home)
    p = walked_to(Step.SELECTION, home=home, user=ours)
    candidate = p.candidates.get()
    partner = candidate.partner
    Partner.objects.filter(pk=partner.pk).update(name="Los Angeles")
    partner.refresh_from_db()
    services.selection_decide(partnership=p, candidate=candidate, reasons="Fit.", user=ours)
    return {"p": p, "home": home, "ours": ours, "partner": partner}


def form_data(world, **changes):
    data = {
        "partner": world["partner"].pk,
        "confirmed_by_name": "Karen Bass",
        "confirmed_by_role": "Mayor",
        "confirmed_on": "2025-03-03",
        "evidence": "letter",
        "document": SimpleUploadedFile("letter.pdf", signed_pdf_bytes(), "application/pdf"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def record_by_view(client, world, **changes):
    client.force_login(world["ours"])
    return client.post(url("offline_record", world["p"].pk), form_data(world, **changes))


# --- Recording -----------------------------------------------------------------------------


def test_the_home_side_records_it_and_the_page_says_where_it_came_from(client, world):
    p = world["p"]
    client.force_login(world["ours"])
    page = client.get(url("detail", p.pk))
    assert page.context["sign_off"]["can_record"] is True
    assert url("offline_record", p.pk) in page.content.decode()
    form_page = client.get(url("offline_record", p.pk))
    assert form_page.status_code == 200
    assert list(form_page.context["form"].fields["partner"].queryset) == [world["partner"]]

    response = record_by_view(client, world)
    assert response.status_code == 302
    confirmation = OfflineConfirmation.objects.get()
    assert confirmation.recorded_by == world["ours"]
    assert confirmation.document.read() == signed_pdf_bytes()

    page = client.get(url("detail", p.pk))
    html = page.content.decode()
    side = {s["city"].name: s for s in page.context["sign_off"]["sides"]}["Los Angeles"]
    assert side["offline"] == confirmation and side["confirmed_at"] is None
    assert f"Los Angeles</span>: {SHOWN}" in html
    assert "Los Angeles</span>: confirmed by" not in html  # never as the city's own
    assert SHOWN in page.context["timeline"][0].title
    evidence = client.get(url("document", p.pk, "offline", confirmation.pk))
    assert evidence.status_code == 200
    assert evidence["Cache-Control"] == "private, no-store"
    assert b"".join(evidence.streaming_content) == signed_pdf_bytes()


def test_the_evidence_is_private(client, world):
    record_by_view(client, world)
    confirmation = OfflineConfirmation.objects.get()
    client.force_login(officer_of(PartnerFactory()))
    response = client.get(url("document", world["p"].pk, "offline", confirmation.pk))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"confirmed_on": "tomorrow"}, "confirmed_on", "cannot be in the future"),
        ({"confirmed_on": "03/03/2025x"}, "confirmed_on", "Enter a valid date"),
        ({"confirmed_by_name": ""}, "confirmed_by_name", "required"),
        ({"confirmed_by_role": None}, "confirmed_by_role", "required"),
        ({"evidence": "photo"}, "evidence", "Select a valid choice"),
        ({"document": None}, "document", "required"),
        (
            {"document": SimpleUploadedFile("letter.pdf", b"plain text\n" * 20)},
            "document",
            "not a PDF",
        ),
        (
            {"document": SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n<html>forged</html>")},
            "document",
            "not a readable PDF",
        ),
        ({"partner": "999999999"}, "partner", "whose confirmation is awaited"),
        ({"partner": "not-a-number"}, "partner", "whose confirmation is awaited"),
    ],
    ids=[
        "future-date",
        "garbled-date",
        "no-name",
        "no-role",
        "bad-evidence",
        "no-file",
        "not-a-pdf",
        "forged-pdf",
        "unknown-city",
        "garbage-city",
    ],
)
def test_bad_input_is_a_message_on_the_form_and_saves_nothing(
    client, world, changes, field, message
):
    if changes.get("confirmed_on") == "tomorrow":
        changes["confirmed_on"] = str(timezone.localdate() + dt.timedelta(days=1))
    response = record_by_view(client, world, **changes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors.get(field, [])), errors
    assert not OfflineConfirmation.objects.exists()


def test_wrong_cities_are_refused(client, world):
    # The home city itself and a city with officers are not choices; nor is another city's.
    for city in (world["home"], PartnerFactory()):
        response = record_by_view(client, world, partner=city.pk)
        assert response.status_code == 200
        assert "whose confirmation is awaited" in response.context["form"].errors["partner"][0]
    officer_of(world["partner"])
    response = record_by_view(client, world)
    assert "whose confirmation is awaited" in response.context["form"].errors["partner"][0]
    assert not OfflineConfirmation.objects.exists()


def test_a_second_recording_is_refused(client, world):
    record_by_view(client, world)
    response = record_by_view(client, world)
    assert response.status_code == 200
    assert not response.context["has_cities"]
    assert OfflineConfirmation.objects.count() == 1


def test_only_the_home_sides_officers_reach_the_form(client, world, admin_user):
    second = PartnerFactory()
    services.partnership_add_partner(partnership=world["p"], partner=second)
    for user in (officer_of(second), admin_user):
        client.force_login(user)
        response = client.post(url("offline_record", world["p"].pk), form_data(world), follow=True)
        assert any("Only officers of Guangzhou" in m for m in messages_of(response))
    assert not OfflineConfirmation.objects.exists()


def test_outside_a_joint_step_there_is_nothing_to_record(client, world):
    planning = walked_to(Step.PLANNING, home=world["home"])
    client.force_login(world["ours"])
    response = client.get(url("offline_record", planning.pk), follow=True)
    assert any("needs no joint confirmation" in m for m in messages_of(response))


# --- Endorse and dispute -------------------------------------------------------------------


@pytest.fixture
def recorded(client, world):
    record_by_view(client, world)
    client.logout()
    return OfflineConfirmation.objects.get()


def test_the_citys_officer_sees_it_on_the_page_and_endorses_it(client, world, recorded):
    theirs = officer_of(world["partner"])
    client.force_login(theirs)
    page = client.get(url("detail", world["p"].pk))
    assert page.context["sign_off"]["to_review"] == [recorded]
    response = client.post(url("offline_endorse", world["p"].pk, recorded.pk), follow=True)
    assert any(m.startswith("You endorsed") for m in messages_of(response))
    recorded.refresh_from_db()
    assert recorded.status == OfflineConfirmation.Status.ENDORSED
    again = client.post(url("offline_endorse", world["p"].pk, recorded.pk), follow=True)
    assert any("endorsed already" in m for m in messages_of(again))
    timeline = again.context["timeline"]
    assert "Los Angeles endorsed" in timeline[0].title


def test_the_home_side_cannot_endorse_or_dispute_for_the_other_city(client, world, recorded):
    client.force_login(world["ours"])
    for name in ("offline_endorse", "offline_dispute"):
        response = client.post(url(name, world["p"].pk, recorded.pk), {"reason": "x"}, follow=True)
        assert any("Only officers of Los Angeles" in m for m in messages_of(response))
    recorded.refresh_from_db()
    assert recorded.status == OfflineConfirmation.Status.RECORDED


def test_a_dispute_needs_a_reason_then_shows_it(client, world, recorded):
    client.force_login(officer_of(world["partner"]))
    address = url("offline_dispute", world["p"].pk, recorded.pk)
    assert client.get(address).status_code == 200
    for reason in ("", "   "):
        response = client.post(address, {"reason": reason})
        assert response.status_code == 200
        assert response.context["form"].errors["reason"]
    recorded.refresh_from_db()
    assert recorded.status == OfflineConfirmation.Status.RECORDED

    response = client.post(address, {"reason": "Our mayor signed nothing."}, follow=True)
    assert any(m.startswith("You disputed it") for m in messages_of(response))
    html = response.content.decode()
    assert "“Our mayor signed nothing.”" in html
    assert response.context["timeline"][0].detail == "Our mayor signed nothing."
    assert response.context["sign_off"]["sides"][0]["offline"] is None
    again = client.post(address, {"reason": "Again"})
    assert again.status_code == 200
    assert "disputed already" in str(again.context["form"].non_field_errors())


def test_a_confirmation_of_another_partnership_is_not_found(client, world, recorded):
    other = walked_to(Step.SELECTION, home=world["home"])
    client.force_login(officer_of(world["partner"]))
    assert client.post(url("offline_endorse", other.pk, recorded.pk)).status_code == 404
    assert client.get(url("offline_dispute", other.pk, recorded.pk)).status_code == 404


# --- Dossier and dashboard -----------------------------------------------------------------


def test_the_dossier_says_it_was_confirmed_outside_the_portal(world, recorded):
    html = dossier.render_html(world["p"])
    assert SHOWN in html
    assert "recorded by the home city" in html


def test_each_side_sees_what_awaits_its_confirmation_on_its_dashboard(client, world, recorded):
    client.force_login(world["ours"])
    awaiting = client.get(url("dashboard")).context["awaiting"]
    # Los Angeles is confirmed on paper: Guangzhou's own confirmation is what is awaited.
    assert [a.title for a in awaiting["mine"]] == [world["p"].title]
    assert awaiting["mine"][0].mine == ["Guangzhou"]
    services.partnership_confirm_move(partnership=world["p"], user=world["ours"])
    awaiting = client.get(url("dashboard")).context["awaiting"]
    assert awaiting["mine"] == [] and awaiting["theirs"] == []

    theirs = officer_of(world["partner"])
    client.force_login(theirs)
    response = client.get(url("dashboard"))
    assert response.context["awaiting"]["to_review"] == [recorded]
    assert "Confirmed in your city's name outside the portal" in response.content.decode()
    services.offline_confirmation_dispute(confirmation=recorded, user=theirs, reason="No.")
    response = client.get(url("dashboard"))
    awaiting = response.context["awaiting"]
    assert awaiting["to_review"] == []
    assert awaiting["mine"][0].mine == ["Los Angeles"]
    assert "Your city's confirmation is awaited" in response.content.decode()
    client.force_login(world["ours"])
    assert client.get(url("dashboard")).context["awaiting"]["theirs"][0].theirs == ["Los Angeles"]


# --- Queries -------------------------------------------------------------------------------


def _queries(client, address) -> int:
    client.get(address)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world, n):
    """More confirmations given outside the portal in every state, more partnerships awaiting."""
    p, partner = world["p"], world["partner"]
    for _ in range(n):
        OfflineConfirmationFactory(
            partnership=p,
            partner=partner,
            status=OfflineConfirmation.Status.DISPUTED,
            dispute_reason="No.",
        )
        OfflineConfirmationFactory(partnership=p, partner=partner)
        other = walked_to(Step.SELECTION, home=world["home"])
        services.selection_decide(
            partnership=other, candidate=other.candidates.get(), reasons="Fit."
        )


def test_the_pages_ask_a_bounded_number_of_queries(client, world, recorded):
    theirs = officer_of(world["partner"])
    p = world["p"]
    pages = [
        (world["ours"], url("detail", p.pk)),
        (theirs, url("detail", p.pk)),
        (world["ours"], url("dashboard")),
        (theirs, url("dashboard")),
        (theirs, url("offline_dispute", p.pk, recorded.pk)),
    ]
    before = []
    for user, address in pages:
        client.force_login(user)
        before.append(_queries(client, address))
    _grow(world, 4)
    client.force_login(world["ours"])
    before.append(_queries(client, url("offline_record", p.pk)))
    after = []
    for user, address in pages:
        client.force_login(user)
        after.append(_queries(client, address))
    assert before[:-1] == after
    assert max(before + after) <= QUERY_BUDGET, (before, after)
