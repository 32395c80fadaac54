"""A signed MOU that takes effect later says so (issue 19, step 6): the partnership walks on
into implementation once it is signed, and its record does not pretend the MOU is in force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from partnerships.models import MOU, CityMembership, Step
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import CityMembershipFactory, PartnerFactory, walked_to

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("offset_days", "expected", "refused"),
    [
        (200, "it is not in force yet", "runs from"),
        (-200, "runs from", "not in force yet"),
    ],
)
def test_the_agreement_step_says_whether_the_signed_mou_is_in_force(
    client, offset_days, expected, refused
):
    home = PartnerFactory(name="Los Angeles")
    officer = UserFactory()
    CityMembershipFactory(user=officer, partner=home, role=CityMembership.Role.OFFICER)
    p = walked_to(Step.IMPLEMENTATION, home=home, user=officer)
    start = timezone.localdate() + dt.timedelta(days=offset_days)
    MOU.objects.filter(partnership=p).update(
        effective_on=start, expires_on=start + dt.timedelta(days=5 * 365)
    )
    client.force_login(officer)
    page = client.get(reverse("partnerships:detail", args=[p.pk]) + "?step=6").content.decode()
    assert expected in page and refused not in page
    badge = "Signed, in effect from"
    assert (badge in page) is (offset_days > 0)


def test_the_badge_is_in_the_readers_language():
    from partnerships.selectors.planning import MouRow

    row = MouRow(
        pk=1,
        status=MOU.Status.SIGNED,
        effective_on=timezone.localdate() + dt.timedelta(days=30),
        expires_on=None,
        signed_on=None,
        ceremony_on=None,
        ceremony_place="",
        termination_conditions="",
        has_document=False,
        area_names=None,
    )
    with translation.override("en"):
        english = row.status_label
    with translation.override("sv"):
        swedish = row.status_label
    assert english.startswith("Signed, in effect from") and row.not_yet_in_effect
    assert swedish.startswith("Undertecknat") and "Signed" not in swedish
