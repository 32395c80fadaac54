"""A chamber that is not listed signs up in a real browser (issue 15): it finds its city by
another of its names (htmx swaps in the places without reloading, so the passwords typed stay),
chooses it, and lands on its status page, which says truthfully who decides (the portal's
administrators, eThekwini having no officer); the admin gets the e-mail with the decide page,
approves there, and the chamber is listed.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from businesses.models import BusinessAssociation
from tests.factories.accounts import UserFactory
from tests.factories.gazetteer import load_places

PASSWORD = "citrus season in the eastern cape"
ADMIN_PASSWORD = "correct horse battery staple"  # the factory's
CHAMBER = "Durban Chamber of Commerce and Industry"


@pytest.mark.django_db(transaction=True)
def test_a_chamber_not_listed_signs_up_and_an_admin_approves_it(live_server, page, screenshot):
    load_places()
    UserFactory(username="root", is_superuser=True, is_staff=True, email="root@example.org")
    base = live_server.url

    page.goto(f"{base}/chamber/signup/")
    page.get_by_text("My chamber is not listed").first.click()  # opens the <details>
    page.get_by_label("My chamber is not listed").check()
    page.get_by_label("Your chamber's name").fill(CHAMBER)
    page.get_by_label("First name").fill("Anele")
    page.get_by_label("Last name").fill("Jacobs")
    page.get_by_label("Work email address").fill("anele@durbanchamber.example.org")
    page.get_by_label("Username").fill("anele")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("Its city").fill("eThekwini")
    page.get_by_role("button", name="Find the city").click()
    durban = page.get_by_role("radio", name=re.compile(r"Durban \(also “EThekwini”\)"))
    expect(durban).to_be_visible()
    durban.check()
    page.get_by_label("Contact person").fill("Palesa Dlamini")
    screenshot(page, "chamber-unlisted-01-signup")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", name="Your chamber account")).to_be_visible()
    expect(page.get_by_text(re.compile("Who decides: the portal's administrators"))).to_be_visible()
    expect(page.get_by_role("link", name="Notifications")).to_have_count(0)
    screenshot(page, "chamber-unlisted-02-pending")

    [message] = mail.outbox
    assert message.to == ["root@example.org"]
    decide = re.search(r"https?://\S+/chamber/requests/\d+/", message.body).group(0)
    path = decide.split("://", 1)[1].split("/", 1)[1]

    page.get_by_role("button", name=re.compile("Anele Jacobs")).click()
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/{path}")
    expect(page.get_by_text("A chamber not listed yet")).to_be_visible()
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Decide").click()
    expect(page.locator(".messages")).to_contain_text("is approved")
    association = BusinessAssociation.objects.get(organisation__name=CHAMBER)
    assert association.status == BusinessAssociation.Status.LISTED
    assert association.organisation.partner.name == "Durban"
