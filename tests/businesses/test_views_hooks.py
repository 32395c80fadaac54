"""How this app shows itself on the pages of the apps below it, which never import it: the
hooks `BusinessesConfig.ready` fills, and what each panel or link gives each role."""

import pytest
from django.apps import apps
from django.test import RequestFactory
from django.urls import reverse

from businesses.views import panels
from core import hooks
from tests.factories.accounts import UserFactory
from tests.factories.businesses import chamber_staff

pytestmark = pytest.mark.django_db


def test_ready_fills_the_sub_alliance_hooks_once():
    assert hooks.providers("alliances.partnership_panels").count(panels.partnership_panel) == 1
    assert hooks.providers("alliances.sub_alliance_panels").count(panels.sub_alliance_panel) == 1
    apps.get_app_config("businesses").ready()  # idempotent
    assert hooks.providers("alliances.partnership_panels").count(panels.partnership_panel) == 1


def test_ready_fills_the_core_hooks_once(replace_hook):
    replace_hook("dashboard.panels", [])
    replace_hook("partnership.links", [])
    apps.get_app_config("businesses").ready()
    apps.get_app_config("businesses").ready()
    assert hooks.providers("dashboard.panels") == [panels.dashboard_panel]
    assert hooks.providers("partnership.links") == [panels.detail_links]


def test_an_unknown_hook_is_refused():
    with pytest.raises(LookupError, match=r"declare it in core\.hooks\.HOOKS"):
        hooks.register("dashboard.panel", panels.dashboard_panel)


def test_the_partnership_page_links_each_role_to_its_pages(world):
    def links(user):
        request = RequestFactory().get("/")
        request.user = user
        can_edit = user in (world.home_officer, world.away_officer)
        return [link["url"] for link in panels.detail_links(request, world.partnership, can_edit)]

    pk = world.partnership.pk
    sub_alliances = reverse("alliances:partnership_sub_alliances", args=[pk])
    matchmaking = reverse("businesses:matchmaking", args=[pk])
    assert links(world.home_officer) == [sub_alliances, matchmaking]
    assert links(world.away_officer) == [sub_alliances, matchmaking]
    assert links(world.stranger_officer) == []
    assert links(UserFactory()) == []
    assert links(chamber_staff()) == [f"{reverse('businesses:interest_register')}?partnership={pk}"]


def test_the_dashboard_panels_render(world):
    from django.template.loader import render_to_string

    from tests.factories.businesses import (
        BusinessAssociationFactory,
        BusinessProfileFactory,
        InterestRegistrationFactory,
    )

    association = BusinessAssociationFactory(organisation__partner=world.home)
    business = BusinessProfileFactory(association=association, organisation__name="Citrus Co")
    InterestRegistrationFactory(
        association=association, partnership=world.partnership, businesses=[business]
    )
    officer_panel = panels.dashboard_panel(world.home_officer)
    html = render_to_string(officer_panel["template"], {"panel": officer_panel})
    assert "New interest registrations" in html and "Citrus Co" in html
    assert reverse("businesses:interest_inbox", args=[world.partnership.pk]) in html
    # Chamber staff see their registrations on their own home (tests/businesses/test_workspace).
    assert panels.dashboard_panel(chamber_staff(association)) is None
