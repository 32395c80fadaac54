"""The partnership's own page shows the links other apps add through
the hook `partnership.links` (filled by `BusinessesConfig.ready`)."""

import pytest
from django.urls import reverse

from partnerships.models import Partnership

pytestmark = pytest.mark.django_db


def _page(client, user, partnership):
    client.force_login(user)
    response = client.get(reverse("partnerships:detail", args=[partnership.pk]))
    assert response.status_code == 200
    return response


def test_an_officer_sees_links_to_sub_alliances_interest_and_matchmaking(client, world):
    pk = world.partnership.pk
    response = _page(client, world.home_officer, world.partnership)
    urls = [link["url"] for link in response.context["extra_links"]]
    assert urls == [
        reverse("notifications:follow", args=[pk]),
        reverse("invitations:partnership_invite", args=[pk]),
        reverse("agenda:partnership", args=[pk]),
        reverse("alliances:partnership_sub_alliances", args=[pk]),
        reverse("businesses:matchmaking", args=[pk]),
    ]
    html = response.content.decode()
    assert '<nav class="mt-2" aria-label="Related pages">' in html
    assert f'href="{reverse("businesses:matchmaking", args=[pk])}"' in html
    assert "Sub-alliances and business interest" in html
    assert '<i class="bi bi-diagram-3" aria-hidden="true"></i>' in html


def test_an_officer_who_may_not_edit_gets_no_edit_only_link(client, world):
    world.partnership.status = Partnership.Status.ARCHIVED
    world.partnership.save(update_fields=["status"])
    response = _page(client, world.away_officer, world.partnership)
    assert response.context["can_edit"] is False
    urls = [link["url"] for link in response.context["extra_links"]]
    matchmaking = reverse("businesses:matchmaking", args=[world.partnership.pk])
    assert urls == [
        reverse("notifications:follow", args=[world.partnership.pk]),
        # Its scheduled activities stay readable (nothing can be scheduled on it any more).
        reverse("agenda:partnership", args=[world.partnership.pk]),
        reverse("alliances:partnership_sub_alliances", args=[world.partnership.pk]),
    ]
    assert matchmaking not in response.content.decode()


def test_an_officer_of_another_city_does_not_reach_the_page(client, world):
    # The inside of a partnership is for its member cities' officers (and admins) only.
    client.force_login(world.stranger_officer)
    response = client.get(reverse("partnerships:detail", args=[world.partnership.pk]))
    assert response.status_code == 404
