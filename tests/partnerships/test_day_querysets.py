"""The querysets resolved once a day and cloned per request (selectors.walk, health.facts,
workflow): one person's request never leaves a filter, an annotation or rows in them for the
next person's."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services as notify_services
from partnerships import health, selectors, workflow
from partnerships.health import facts
from partnerships.models import CityMembership
from partnerships.selectors import dashboard, walk
from tests.factories.partnerships import (
    ActivityFactory,
    CityMembershipFactory,
    KPIFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cities():
    x, y = PartnerFactory(name="Xalapa"), NorthPartnerFactory(name="York")
    px = PartnershipFactory(home=x, title="Xalapa's own")
    py = PartnershipFactory(home=y, title="York's own")
    ox = CityMembershipFactory(partner=x, role=CityMembership.Role.OFFICER).user
    oy = CityMembershipFactory(partner=y, role=CityMembership.Role.OFFICER).user
    return {"px": px, "py": py, "ox": ox, "oy": oy}


def test_a_page_opened_by_one_person_is_not_opened_for_the_next(client, two_cities, admin_user):
    t = two_cities
    detail = reverse("partnerships:detail", args=[t["py"].pk])
    client.force_login(admin_user)  # an admin's request sees every partnership
    assert client.get(detail).status_code == 200
    client.force_login(t["oy"])
    assert client.get(detail).status_code == 200
    client.force_login(t["ox"])  # after both: still not Xalapa's officer's to open
    assert client.get(detail).status_code == 404


def test_each_persons_list_holds_their_own_rows(two_cities):
    t = two_cities
    assert [p.title for p in selectors.rows_visible_to(t["ox"])] == ["Xalapa's own"]
    assert [p.title for p in selectors.rows_visible_to(t["oy"])] == ["York's own"]
    assert [p.title for p in selectors.rows_visible_to(t["ox"])] == ["Xalapa's own"]


def test_following_is_read_for_the_person_asking(two_cities):
    t = two_cities
    colleague = CityMembershipFactory(
        partner=t["px"].members.get().partner, role=CityMembership.Role.OFFICER
    ).user
    notify_services.follow(t["ox"], t["px"])
    links = {user: walk.partnership_for_page(user, t["px"].pk) for user in (t["ox"], colleague)}
    flags = {user: [v for k, v in vars(p).items() if "follow" in k] for user, p in links.items()}
    assert flags[t["ox"]] and all(flags[t["ox"]])
    assert flags[colleague] and not any(flags[colleague])


def test_the_days_querysets_are_never_evaluated_nor_changed(two_cities):
    t, today = two_cities, timezone.localdate()

    def cached():
        return [
            walk._page_queryset.built(),
            walk._rows_queryset.built(),
            walk._members_queryset.built(),
            facts._all_with_facts.built(today, facts.involvement_providers()),
        ]

    before = [str(qs.query) for qs in cached()]
    walk.partnership_for_page(t["ox"], t["px"].pk)
    list(selectors.rows_visible_to(t["ox"]))
    health.health_for([t["px"].pk, t["py"].pk], today)
    dashboard.dashboard_context(t["oy"])
    workflow.gather_facts(t["px"])
    assert all(qs._result_cache is None for qs in cached())
    assert [str(qs.query) for qs in cached()] == before  # no request's filter left in them


def test_the_compiled_queries_answer_for_the_partnership_asked(two_cities):
    """The timeline and the gate facts run SQL compiled once for the first partnership asked:
    each later partnership gets its own rows, and the SQL is not compiled again."""
    t = two_cities
    ActivityFactory(partnership=t["px"], title="Xalapa's call")
    ActivityFactory(partnership=t["py"], title="York's call")
    before = walk._timeline_rows.compiled.cache_info().misses
    titles = {key: [e.title for e in walk.timeline(t[key])] for key in ("px", "py")}
    assert "Xalapa's call" in titles["px"] and "York's call" not in titles["px"]
    assert "York's call" in titles["py"] and "Xalapa's call" not in titles["py"]
    assert walk._timeline_rows.compiled.cache_info().misses <= before + 1
    KPIFactory(partnership=t["py"])
    assert not workflow.gather_facts(t["px"]).kpis
    assert workflow.gather_facts(t["py"]).kpis
