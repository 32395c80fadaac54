"""The API's lists ask the same number of queries at two sizes (constant in rows): each list is
requested, its rows grown, and requested again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from alliances.models import SubAllianceParty
from partnerships.models import KPIResult, Partnership, Step
from tests.factories.alliances import OrganisationFactory, SubAllianceFactory
from tests.factories.businesses import OutcomeFactory
from tests.factories.discussion import CommentFactory
from tests.factories.partnerships import (
    ActivityFactory,
    ChampionFactory,
    CityMembershipFactory,
    KPIFactory,
    LessonFactory,
    MOUFactory,
    MOUSignatoryFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 12


def _grow(home, away, hub, k: int) -> None:
    """k more published partnerships of `home` and `away` (a third of them at a joint sign-off
    step) each with a KPI measured in a review, a signed MOU and a contact; and k more of every
    record of `hub`."""
    for i in range(k):
        p = PartnershipFactory(home=home, published=True)
        PartnershipMemberFactory(partnership=p, partner=away)
        if i % 3 == 0:
            Partnership.objects.filter(pk=p.pk).update(step=Step.SELECTION)
        kpi = KPIFactory(partnership=p)
        KPIResult.objects.create(review=ReviewFactory(partnership=p), kpi=kpi, actual=1)
        MOUSignatoryFactory(mou=MOUFactory(partnership=p), partner=home)
        ChampionFactory(partnership=p, partner=home)
        # The hub's records.
        ActivityFactory(partnership=hub)
        LessonFactory(partnership=hub)
        CommentFactory(partnership=hub)
        MOUSignatoryFactory(mou=MOUFactory(partnership=hub, status="draft"), partner=away)
        review = ReviewFactory(partnership=hub)
        KPIResult.objects.create(review=review, kpi=KPIFactory(partnership=hub), actual=2)
        sub = SubAllianceFactory(partnership=hub, business=True)
        SubAllianceParty.objects.create(
            sub_alliance=sub, organisation=OrganisationFactory(partner=home), partner=home
        )
        OutcomeFactory(sub_alliance=sub)
        PartnerFactory()


def _lists(hub_pk: int) -> dict[str, str]:
    records = ["mous", "reviews", "activities", "sub_alliances", "outcomes", "lessons", "comments"]
    return {
        "partnership_list": reverse("api:partnership_list"),
        "partnership_geojson": reverse("api:partnership_geojson"),
        "city_list": reverse("api:city_list"),
        "city_geojson": reverse("api:city_geojson"),
        "registry_list": reverse("api:registry_list"),
        **{r: reverse(f"api:partnership_{r}", args=[hub_pk]) for r in records},
    }


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200, response.content
    return len(queries)


def test_every_list_is_constant_in_rows(django_assert_max_num_queries):
    membership = CityMembershipFactory()
    home, away = membership.partner, PartnerFactory()
    hub = PartnershipFactory(home=home)
    PartnershipMemberFactory(partnership=hub, partner=away)
    _token, key = account_services.api_token_create(
        user=membership.user, name="budget", access="read"
    )
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    client.get(reverse("api:me"))  # the token's first use is noted once (a write)
    _grow(home, away, hub, SMALL)
    urls = _lists(hub.pk)
    small = {name: _count(client, url) for name, url in urls.items()}
    _grow(home, away, hub, LARGE - SMALL)
    for name, url in urls.items():
        with django_assert_max_num_queries(small[name]):
            response = client.get(url, {"page_size": 200})
        assert response.status_code == 200
        body = response.json()
        rows = body.get("results", body.get("features"))
        assert len(rows) >= LARGE, name
