"""The partnership dossier: a PDF that renders, for those who may view the partnership, with
the partnership's title and MOU dates in its text."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from pypdf import PdfReader

from partnerships import dossier
from partnerships.models import KPIResult, Review, Step
from tests.factories.accounts import UserFactory
from tests.factories.alliances import SubAllianceFactory
from tests.factories.businesses import OutcomeFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    KPIFactory,
    MOUSignatoryFactory,
    PartnerFactory,
    ReviewFactory,
    walked_to,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_hooks():
    apps.get_app_config("businesses").ready()  # idempotent: the hooks are registered


@pytest.fixture
def world():
    home = PartnerFactory(name="Buffalo City")
    officer = UserFactory()
    CityMembershipFactory(user=officer, partner=home)
    p = walked_to(Step.MEASUREMENT, home=home, title="Buffalo City – Aachen port link")
    mou = p.mous.get()
    MOUSignatoryFactory(mou=mou, partner=home, name="Princess Faku")
    kpi = KPIFactory(partnership=p, name="Trade missions", baseline=0, target=2)
    review = ReviewFactory(
        partnership=p, status=Review.Status.COMPLETED, completed_on=dt.date(2025, 1, 20)
    )
    KPIResult.objects.create(review=review, kpi=kpi, actual=3)
    sub = SubAllianceFactory(partnership=p, business=True, name="Citrus exporters")
    OutcomeFactory(sub_alliance=sub, kind="deals", amount=4)
    return {"p": p, "mou": mou, "officer": officer}


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_dossier_pdf_has_title_and_mou_dates(client, world):
    client.force_login(world["officer"])
    response = client.get(reverse("partnerships:dossier", args=[world["p"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"  # issue 19
    assert response.content.startswith(b"%PDF-")
    text = " ".join(pdf_text(response.content).split())
    assert "Buffalo City – Aachen port link" in text
    mou = world["mou"]
    for day in (mou.effective_on, mou.expires_on, mou.signed_on):
        assert f"{day.day} {day:%B} {day.year}" in text
    # Signatories and areas are read as text columns of their rows (query budget).
    signatory = mou.signatories.get(name="Princess Faku")
    partner_name = signatory.partner.name
    expected = f"Princess Faku{', ' + signatory.title if signatory.title else ''} ({partner_name})"
    assert expected in text
    for area in [*world["p"].areas.all(), *mou.areas.all()]:
        assert area.name in text
    assert "Trade missions" in text and "on target" in text
    assert "Citrus exporters" in text  # a section from the businesses hook


def test_dossier_of_another_citys_private_partnership_is_404(client, world):
    stranger = UserFactory()
    CityMembershipFactory(user=stranger, partner=PartnerFactory())
    client.force_login(stranger)
    response = client.get(reverse("partnerships:dossier", args=[world["p"].pk]))
    assert response.status_code == 404


def test_the_dossier_of_a_published_partnership_stays_inside(client, world):
    # Publishing puts the partnership in the registry; its dossier is still the cities' own.
    world["p"].published = True
    world["p"].save(update_fields=["published"])
    client.force_login(CityMembershipFactory(partner=PartnerFactory()).user)
    response = client.get(reverse("partnerships:dossier", args=[world["p"].pk]))
    assert response.status_code == 404
    client.force_login(UserFactory())  # no role: sent to its status page
    response = client.get(reverse("partnerships:dossier", args=[world["p"].pk]))
    assert response.status_code == 302


def test_dossier_without_mou_or_review_still_renders(world):
    bare = walked_to(Step.SEARCH, home=PartnerFactory(), title="Just started")
    html = dossier.render_html(bare)
    assert "No MOU yet." in html and "No completed review yet." in html
    assert pdf_text(dossier.render_pdf(bare)).count("Just started") >= 1


def test_dossier_queries_are_bounded(django_assert_max_num_queries, world):
    with django_assert_max_num_queries(20):
        dossier.dossier_context(world["p"])


def test_dossier_says_nothing_for_missing_values_and_groups_numbers(client, world):
    """Issue 19: no label followed by a lone dash ("Established —") for a value not recorded,
    and every number (populations, KPI values) grouped with the language's separators."""
    p = world["p"]
    type(p).objects.filter(pk=p.pk).update(established_on=None, next_review_on=None)
    home = p.members.get(role="home").partner
    home.population = 4_015_224
    home.save(update_fields=["population"])
    p.kpis.filter(name="Trade missions").update(target=12500)
    client.force_login(world["officer"])
    html = client.get(reverse("partnerships:dossier", args=[p.pk]), {"format": "html"})
    text = html.content.decode()
    assert "4,015,224" in text and "12,500" in text
    assert "4015224" not in text and "12500" not in text
    # No <dt> whose <dd> holds only a dash (or nothing).
    import re

    assert not re.search(r"</dt>\s*<dd[^>]*>\s*(—|-|–)?\s*(/ \w+)?\s*</dd>", text)
    assert "Established" not in text and "Next review" not in text
    with translation.override("de"):
        german = client.get(
            reverse("partnerships:dossier", args=[p.pk]),
            {"format": "html"},
            HTTP_ACCEPT_LANGUAGE="de",
        ).content.decode()
    assert "4.015.224" in german or "4 015 224" in german or "4’015’224" in german


def test_dossier_shows_each_kpis_target_date_and_what_the_review_found_due(client, world):
    """Issue 19: a KPI with a target date reads "40 by 30 Jun 2027", and the latest review's
    results say what was due by the end of its period, which the verdict is against."""
    p = world["p"]
    review = p.reviews.get()
    start, end = review.period_start, review.period_end
    # Due in full twice the period's length after its start: half of 40 is due by its end.
    visits = KPIFactory(
        partnership=p, name="Exchange visits", baseline=0, target=40,
        start_date=start, target_date=end + (end - start),
    )  # fmt: skip
    KPIResult.objects.create(review=review, kpi=visits, actual=14)
    client.force_login(world["officer"])
    html = client.get(reverse("partnerships:dossier", args=[p.pk]), {"format": "html"})
    text = html.content.decode()
    target_on = date_format(visits.target_date, "SHORT_DATE_FORMAT")
    assert f"40 by {target_on}" in text
    assert "Due by period end" in text
    row = re.search(r"<tr><td>Exchange visits \(missions\)</td>.*?</tr>", text, re.S).group(0)
    assert '<td class="num">20</td><td class="num">14</td>' in row and "off target" in row
