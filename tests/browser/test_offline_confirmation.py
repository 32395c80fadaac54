"""The partner city never joins the portal: the home side records its confirmation given on
paper, with the signed letter as a PDF, and the record shows it as such, in a real browser.

The ORM sets up a partnership at step 4 (Selection) with its decision taken: Aachen, the
selected city, has no officer in the portal. Everything after that happens through the pages.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partnerships import services
from partnerships.models import (
    CityMembership,
    MoveConfirmation,
    OfflineConfirmation,
    Partnership,
    Step,
)
from tests.browser.contexts import expect_message, log_in
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    NorthPartnerFactory,
    PartnerFactory,
    signed_pdf_bytes,
    walked_to,
)

HOME, AWAY = "Nelson Mandela Bay", "Aachen"


@pytest.fixture
def world(transactional_db):
    home = PartnerFactory(name=HOME)
    away = NorthPartnerFactory(name=AWAY)
    user = UserFactory(username="thandi", first_name="Thandi", last_name="Mokoena")
    CityMembershipFactory(user=user, partner=home, role=CityMembership.Role.COORDINATOR)
    partnership = walked_to(Step.SELECTION, home=home, user=user, title="Port cities")
    candidate = partnership.candidates.first()
    candidate.partner = away
    candidate.save(update_fields=["partner"])
    services.selection_decide(
        partnership=partnership, candidate=candidate, reasons="Best fit.", user=user
    )
    return {"partnership": partnership, "home": home, "away": away}


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_given_on_paper_is_recorded_and_shown_as_such(
    world, live_server, page, screenshot
):
    partnership = world["partnership"]
    on = timezone.localdate() - dt.timedelta(days=3)
    detail = f"{live_server.url}/partnerships/{partnership.pk}/"

    log_in(page, live_server.url, "thandi", heading="Dashboard")

    # The dashboard says what awaits the home city's confirmation.
    page.goto(detail)
    box = page.locator("#sign-off")
    expect(box).to_contain_text(f"{HOME}: awaited")
    expect(box).to_contain_text(f"{AWAY}: awaited (no officer in the portal yet)")
    advance = page.get_by_role("button", name="Advance to step 5: Planning")
    expect(advance).to_be_disabled()
    expect(page.locator("#advance-blockers")).to_contain_text(AWAY)

    # The home side confirms for itself; its word alone does not open the gate.
    box.get_by_role("button", name="Confirm for my city").click()
    expect_message(page, f"You confirmed leaving “Selection” for {HOME}.")
    expect(page.get_by_role("button", name="Advance to step 5: Planning")).to_be_disabled()

    # Bad evidence first: a file that is not a PDF is refused, and nothing is recorded.
    page.get_by_role("link", name="Record a confirmation given outside the portal").click()
    page.get_by_label("Who confirmed for it").fill("Sibylle Keupen")
    page.get_by_label("Their role").fill("Lord Mayor")
    page.get_by_label("When they confirmed").fill(on.isoformat())
    page.get_by_label("A signed letter").check()
    page.get_by_label("The signed letter or MOU (PDF)").set_input_files(
        {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf at all"}
    )
    page.get_by_role("button", name="Record the confirmation").click()
    expect(page.locator(".invalid-feedback, .errorlist").first).to_be_visible()
    assert not OfflineConfirmation.objects.exists()

    # Then the signed letter itself.
    page.get_by_label("The signed letter or MOU (PDF)").set_input_files(
        {"name": "signed.pdf", "mimeType": "application/pdf", "buffer": signed_pdf_bytes()}
    )
    page.get_by_role("button", name="Record the confirmation").click()
    shown = f"confirmed outside the portal by Sibylle Keupen, Lord Mayor, on {on:%-d %b %Y}"
    expect_message(page, f"{AWAY}: {shown}.")
    box = page.locator("#sign-off")
    expect(box).to_contain_text(f"{AWAY}: {shown}")
    expect(box).to_contain_text("recorded by the home city (Thandi Mokoena)")
    screenshot(page, "offline-01-recorded")

    # The evidence is served to the partnership's officers as the PDF it is.
    evidence = box.get_by_role("link", name="(evidence)")
    response = page.request.get(f"{live_server.url}{evidence.get_attribute('href')}")
    assert response.ok and response.body().startswith(b"%PDF")

    # The gate opens; the move and the paper confirmation are on the timeline.
    button = page.get_by_role("button", name="Advance to step 5: Planning")
    expect(button).to_be_enabled()
    button.click()
    expect_message(page, "The partnership moved on to step 5: Planning.")
    history = page.locator(".timeline")
    on_paper = re.compile(f"{AWAY}: .*confirmed outside the portal")
    expect(history.get_by_text(on_paper)).to_be_visible()
    screenshot(page, "offline-02-timeline")

    # Never the city's own: no officer of Aachen confirmed anything.
    partnership.refresh_from_db()
    assert partnership.step == Step.PLANNING
    assert not MoveConfirmation.objects.filter(partner=world["away"]).exists()
    recorded = OfflineConfirmation.objects.get()
    assert (recorded.partner, recorded.confirmed_by_name, recorded.confirmed_on) == (
        world["away"],
        "Sibylle Keupen",
        on,
    )
    assert Partnership.objects.filter(pk=partnership.pk, step=Step.PLANNING).exists()
