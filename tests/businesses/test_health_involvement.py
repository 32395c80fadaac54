"""The health score's business-involvement factor with the businesses app's own provider
(registered by `BusinessesConfig.ready`) and real data: no monkeypatched provider."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliances.models import SubAlliance
from businesses import selectors
from businesses.models import InterestRegistration
from core import hooks
from partnerships import health
from partnerships.models import Partnership, Step
from tests.factories.alliances import SubAllianceFactory
from tests.factories.businesses import InterestRegistrationFactory
from tests.factories.partnerships import (
    ActivityFactory,
    ChampionFactory,
    CityMembershipFactory,
    PartnerFactory,
    PartnershipFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NO_BUSINESS = (
    "No business involvement: no business sub-alliance and no accepted interest from business."
)


def running(title: str, **fields) -> Partnership:
    """In implementation, with a champion, recent activity and a review planned: nothing
    else takes points off."""
    p = PartnershipFactory(title=title, next_review_on=TODAY + dt.timedelta(days=60), **fields)
    Partnership.objects.filter(pk=p.pk).update(step=Step.IMPLEMENTATION)
    ChampionFactory(partnership=p)
    ActivityFactory(partnership=p, occurred_on=TODAY - dt.timedelta(days=5))
    return p


@pytest.fixture
def city():
    return PartnerFactory()


@pytest.fixture
def portfolio(city):
    alliance = running("With a business sub-alliance", home=city)
    SubAllianceFactory(partnership=alliance, business=True)
    interest = running("With accepted interest", home=city)
    InterestRegistrationFactory(
        partnership=interest,
        status=InterestRegistration.Status.ACCEPTED,
        decided_at=timezone.now(),
    )
    ended = running("With an ended business sub-alliance only", home=city)
    SubAllianceFactory(partnership=ended, business=True, status=SubAlliance.Status.ENDED)
    pending = running("With pending interest only", home=city)
    InterestRegistrationFactory(partnership=pending)
    government = running("With a government sub-alliance only", home=city)
    SubAllianceFactory(partnership=government)
    return {
        "involved": [alliance, interest],
        "not_involved": [ended, pending, government],
    }


def test_the_provider_is_registered_once():
    provider = selectors.business_involvement_partnership_ids
    assert hooks.providers("health.business_involvement").count(provider) == 1
    apps.get_app_config("businesses").ready()  # idempotent
    assert hooks.providers("health.business_involvement").count(provider) == 1


def test_the_factor_is_assessed_with_real_business_data(portfolio):
    everyone = portfolio["involved"] + portfolio["not_involved"]
    result = health.health_for([p.pk for p in everyone])
    for p in portfolio["involved"]:
        assert result[p.pk].score == 100, p.title
        assert result[p.pk].deductions == [] and result[p.pk].not_assessed == []
    for p in portfolio["not_involved"]:
        assert result[p.pk].score == 100 - health.NO_BUSINESS_POINTS, p.title
        assert result[p.pk].deductions == [health.Deduction(health.NO_BUSINESS_POINTS, NO_BUSINESS)]
        assert result[p.pk].not_assessed == []
    # The provider called directly agrees with the facts read in the health query.
    assert selectors.business_involvement_partnership_ids([p.pk for p in everyone]) == {
        p.pk for p in portfolio["involved"]
    }


def test_the_factor_costs_no_query_of_its_own(portfolio):
    ids = [p.pk for p in portfolio["involved"] + portfolio["not_involved"]]
    with CaptureQueriesContext(connection) as ctx:
        health.health_for(ids)
    assert len(ctx.captured_queries) == 1  # read in the health query itself


def test_the_partnership_page_shows_the_deduction_and_its_reason(client, city, portfolio):
    without = portfolio["not_involved"][0]
    client.force_login(CityMembershipFactory(partner=city).user)
    response = client.get(reverse("partnerships:detail", args=[without.pk]))
    assert response.context["health"].score == 100 - health.NO_BUSINESS_POINTS
    body = response.content.decode()
    assert NO_BUSINESS in body and health.BUSINESS_NOT_ASSESSED not in body

    with_interest = portfolio["involved"][1]
    response = client.get(reverse("partnerships:detail", args=[with_interest.pk]))
    assert response.context["health"].score == 100
    assert NO_BUSINESS not in response.content.decode()
