"""Saved views of the partnership list: save the filters and sort under a name, for oneself or
one's city's officers; open the list with one's default view."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import DomainError
from partnerships import services
from partnerships.models import DefaultView, SavedView, Step
from tests.factories.partnerships import CityMembershipFactory, PartnerFactory, PartnershipFactory
from tests.worlds import health_current

pytestmark = pytest.mark.django_db

LIST = reverse("partnerships:list")
SAVE = reverse("partnerships:saved_view_save")
DEFAULT = reverse("partnerships:saved_view_default")


def officer_of(city):
    return CityMembershipFactory(partner=city).user


def titles(response) -> list[str]:
    return [p.title for p in response.context["partnerships"]]


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def city():
    return PartnerFactory(name="Gävle")


@pytest.fixture
def portfolio(city):
    """Three partnerships of the city, one of them at the MOU step; one of another city."""
    at_mou = PartnershipFactory(home=city, title="Bravo")
    PartnershipFactory(home=city, title="Alpha")
    PartnershipFactory(home=city, title="Charlie", category="mic")
    PartnershipFactory(title="Elsewhere")
    type(at_mou).objects.filter(pk=at_mou.pk).update(step=Step.AGREEMENT)
    return city


def test_saving_keeps_the_filters_and_sort_only_and_opens_the_view(client, portfolio):
    user = officer_of(portfolio)
    client.force_login(user)
    response = client.post(
        SAVE,
        {"name": " At the MOU ", "query": "step=6&sort=title&page=3&utm=x&q=&view=9"},
        follow=True,
    )
    view = SavedView.objects.get(owner=user)
    assert (view.name, view.query, view.shared_with) == ("At the MOU", "step=6&sort=title", None)
    assert response.redirect_chain[-1][0] == f"{LIST}?view={view.pk}"
    assert said(response) == ["The view “At the MOU” is saved."]
    assert titles(response) == ["Bravo"]
    # The filter form shows the view's filters, and the view is marked as the one shown.
    assert response.context["filters"].form["step"].value() == "6"
    assert response.context["active_view"] == view


def test_saving_under_the_same_name_replaces_the_view(client, portfolio):
    user = officer_of(portfolio)
    client.force_login(user)
    client.post(SAVE, {"name": "Mine", "query": "step=6"})
    client.post(SAVE, {"name": "Mine", "query": "category=mic"})
    assert list(SavedView.objects.filter(owner=user).values_list("query", flat=True)) == [
        "category=mic"
    ]


def test_filters_with_a_mistake_or_no_name_are_not_saved(client, portfolio):
    client.force_login(officer_of(portfolio))
    response = client.post(SAVE, {"name": "Bad", "query": "step=99"}, follow=True)
    assert said(response) == ["These filters have a mistake: correct them before saving."]
    response = client.post(SAVE, {"name": "", "query": "step=6"}, follow=True)
    assert said(response) == ["This field is required."]
    # The list comes back with the filters that were on it.
    assert titles(response) == ["Bravo"]
    assert not SavedView.objects.exists()


def test_the_default_view_opens_the_list_and_an_empty_view_shows_everything(client, portfolio):
    user = officer_of(portfolio)
    client.force_login(user)
    view = services.saved_view_save(user=user, name="At the MOU", query="step=6")
    response = client.post(DEFAULT, {"view": view.pk}, follow=True)
    assert said(response) == ["The list now opens with “At the MOU”."]
    assert DefaultView.objects.get(user=user).view == view

    assert titles(client.get(LIST)) == ["Bravo"]
    assert titles(client.get(LIST, {"view": ""})) == ["Alpha", "Bravo", "Charlie"]
    # Asked for with filters of its own, the list shows those.
    assert titles(client.get(LIST, {"category": "mic"})) == ["Charlie"]
    # "Clear" (and a pill left with no filter) never falls back to the default view.
    assert f'href="{LIST}?view="' in client.get(LIST).content.decode()
    assert 'href="?view="' in client.get(LIST, {"scope": "mine"}).content.decode()

    response = client.post(DEFAULT, {"view": ""}, follow=True)
    assert said(response) == ["The list now opens with no filter."]
    assert titles(client.get(LIST)) == ["Alpha", "Bravo", "Charlie"]


def test_a_view_shared_with_a_city_serves_its_officers_only(client, portfolio):
    owner, colleague = officer_of(portfolio), officer_of(portfolio)
    stranger = officer_of(PartnerFactory())
    view = services.saved_view_save(
        user=owner, name="At the MOU", query="step=6", shared_with=portfolio
    )
    client.force_login(colleague)
    response = client.get(LIST, {"view": view.pk})
    assert titles(response) == ["Bravo"]
    assert "Shared by" in response.content.decode()
    # The colleague may make it their default, not delete it.
    client.post(DEFAULT, {"view": view.pk})
    assert titles(client.get(LIST)) == ["Bravo"]
    response = client.post(reverse("partnerships:saved_view_delete", args=[view.pk]), follow=True)
    assert said(response) == ["Only the person who saved a view can delete it."]
    assert SavedView.objects.filter(pk=view.pk).exists()

    # Another city's officer: not listed, not applied, not deletable, not a default.
    client.force_login(stranger)
    response = client.get(LIST, {"view": view.pk})
    assert view not in response.context["saved_views"]
    assert response.context["active_view"] is None
    delete = client.post(reverse("partnerships:saved_view_delete", args=[view.pk]))
    assert delete.status_code == 404
    response = client.post(DEFAULT, {"view": view.pk}, follow=True)
    assert said(response) == ["That view does not exist or is not shared with you."]
    assert not DefaultView.objects.filter(user=stranger).exists()


def test_a_default_no_longer_shared_is_ignored(client, portfolio):
    owner, colleague = officer_of(portfolio), officer_of(portfolio)
    view = services.saved_view_save(user=owner, name="Mou", query="step=6", shared_with=portfolio)
    services.default_view_set(user=colleague, view_id=view.pk)
    services.saved_view_save(user=owner, name="Mou", query="step=6")  # unshared
    client.force_login(colleague)
    assert titles(client.get(LIST)) == ["Alpha", "Bravo", "Charlie"]


def test_a_view_shows_only_what_its_reader_may_see(client, portfolio):
    """A view is the list's query string: another city's partnership never enters it."""
    user = officer_of(portfolio)
    view = services.saved_view_save(user=user, name="All", query="q=e")
    client.force_login(user)
    assert "Elsewhere" not in titles(client.get(LIST, {"view": view.pk}))


def test_sharing_with_a_city_one_does_not_work_for_is_refused(portfolio):
    user = officer_of(portfolio)
    with pytest.raises(ValidationError):
        services.saved_view_save(user=user, name="X", query="", shared_with=PartnerFactory())
    form_user = officer_of(portfolio)
    with pytest.raises(DomainError):
        services.default_view_set(user=form_user, view_id="99999999999999999999")


def test_the_owner_deletes_a_view_and_its_use_as_a_default(client, portfolio):
    owner, colleague = officer_of(portfolio), officer_of(portfolio)
    view = services.saved_view_save(user=owner, name="Mou", query="step=6", shared_with=portfolio)
    services.default_view_set(user=colleague, view_id=view.pk)
    client.force_login(owner)
    response = client.post(reverse("partnerships:saved_view_delete", args=[view.pk]), follow=True)
    assert said(response) == ["The view “Mou” is deleted."]
    assert not DefaultView.objects.exists()


@pytest.mark.parametrize("value", ["x", "-1", "0", "99999999999999999999", "1.5", "\x00"])
def test_a_bad_view_in_the_address_shows_the_list(client, portfolio, value):
    client.force_login(officer_of(portfolio))
    response = client.get(LIST, {"view": value})
    assert response.status_code == 200
    assert titles(response) == ["Alpha", "Bravo", "Charlie"]


def test_the_list_asks_as_many_queries_with_one_view_or_many(client, portfolio):
    user = officer_of(portfolio)
    client.force_login(user)

    def count(**params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST, params).status_code == 200
        return len(ctx.captured_queries)

    first = services.saved_view_save(user=user, name="V0", query="step=6", shared_with=portfolio)
    services.default_view_set(user=user, view_id=first.pk)
    health_current()
    few = count(view=first.pk), count()
    for i in range(1, 12):
        other = officer_of(portfolio)
        services.saved_view_save(user=other, name=f"V{i}", query="step=6", shared_with=portfolio)
    assert (count(view=first.pk), count()) == few
