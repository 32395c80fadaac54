"""The portal's one search (core/search.py and the apps' providers): each kind of record found
by what a person types, only what they may see, grouped, never a 500, in a fixed number of
queries whatever the data's size."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.search import Query, full_text, search
from tests.factories.accounts import UserFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    ChamberMembershipFactory,
)
from tests.factories.gazetteer import DURBAN, load_places
from tests.factories.partnerships import (
    CityMembershipFactory,
    LessonFactory,
    LetterOfIntentFactory,
    MOUFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("core:search")


@pytest.fixture
def world():
    """Home city Springfield twinned with Durban (known to the gazetteer as eThekwini and 德班)
    in "Harbour twinning"; another city, Gotham, with a private partnership and its records."""
    load_places()
    home = PartnerFactory(name="Springfield", country="US")
    durban = PartnerFactory(name="Durban", country="ZA", geonameid=DURBAN["geonameid"])
    gotham = PartnerFactory(name="Gotham", country="US")
    mine = PartnershipFactory(title="Harbour twinning", home=home)
    PartnershipMemberFactory(partnership=mine, partner=durban)
    officer = UserFactory(first_name="Olive", last_name="Officer")
    CityMembershipFactory(user=officer, partner=home)
    colleague = UserFactory(first_name="Dumisani", last_name="Zulu", job_title="Port liaison")
    CityMembershipFactory(user=colleague, partner=durban)
    LessonFactory(partnership=mine, theme="Harbour pilots", text="Share the pilots' rota.")
    MOUFactory(partnership=mine, status="draft", signed_on=None)
    LetterOfIntentFactory(partnership=mine)

    theirs = PartnershipFactory(title="Secret harbour deal", home=gotham)
    stranger = UserFactory(first_name="Gordon", last_name="Harbourmaster")
    CityMembershipFactory(user=stranger, partner=gotham)
    LessonFactory(partnership=theirs, theme="Harbour secrets", text="x", shared=False)
    MOUFactory(partnership=theirs, status="draft", signed_on=None)
    LetterOfIntentFactory(partnership=theirs)
    chamber = BusinessAssociationFactory(
        organisation__partner=home, organisation__name="Springfield Harbour Chamber"
    )
    BusinessProfileFactory(association=chamber, organisation__name="Harbour Tugs Ltd")
    gotham_chamber = BusinessAssociationFactory(
        organisation__partner=gotham, organisation__name="Gotham Harbour Chamber"
    )
    BusinessProfileFactory(association=gotham_chamber, organisation__name="Harbour Wayne Ltd")
    staff = ChamberMembershipFactory(association=chamber).user
    return {"officer": officer, "staff": staff, "mine": mine, "theirs": theirs}


def found(user, text) -> dict[str, list[str]]:
    return {g.kind: [h.title for h in g.hits] for g in search(user, Query.parse(text))}


def test_each_kind_found_by_a_word_or_its_beginning(world):
    kinds = found(world["officer"], "harb")
    assert kinds["partnerships"] == ["Harbour twinning"]
    assert kinds["lessons"] == ["Harbour pilots"]
    assert kinds["documents"] == ["MOU: Harbour twinning", "Letter of intent: Harbour twinning"]
    assert kinds["businesses"] == ["Harbour Tugs Ltd"]
    assert kinds["chambers"] == ["Springfield Harbour Chamber"]
    assert found(world["officer"], "dumisani")["people"] == ["Dumisani Zulu"]
    assert found(world["officer"], "port liaison")["people"] == ["Dumisani Zulu"]
    assert found(world["officer"], "springf")["cities"] == ["Springfield"]


@pytest.mark.parametrize("name", ["eThekwini", "ETHEKW", "德班", "Durban"])
def test_a_city_by_any_of_its_names_and_its_partnerships(world, name):
    kinds = found(world["officer"], name)
    assert kinds["cities"] == ["Durban"]
    assert kinds["partnerships"] == ["Harbour twinning"]


def test_another_citys_private_records_never_appear(world):
    text = "harbour gotham secret gordon wayne"
    everything = set()
    for word in text.split():
        for titles in found(world["officer"], word).values():
            everything.update(titles)
    assert not {t for t in everything if "Secret" in t or "Wayne" in t or "Gordon" in t}
    assert "Gotham" in everything  # the city itself is in the directory, for anyone
    assert "Gotham Harbour Chamber" not in everything
    # An admin sees them all.
    admin = UserFactory(is_superuser=True)
    assert "Secret harbour deal" in found(admin, "secret")["partnerships"]
    assert found(admin, "gordon")["people"] == ["Gordon Harbourmaster"]


def test_a_lesson_another_city_shared_is_found_as_in_the_library(world):
    LessonFactory(partnership=world["theirs"], theme="Harbour dredging", shared=True)
    assert found(world["officer"], "dredging")["lessons"] == ["Harbour dredging"]
    # Its partnership stays private: not found, and the hit leads to the library.
    assert "partnerships" not in found(world["officer"], "secret")
    (group,) = [g for g in search(world["officer"], Query.parse("dredging"))]
    assert group.hits[0].url.startswith(reverse("partnerships:lessons"))


def test_chamber_staff_find_their_businesses_and_no_partnership_inside(world):
    kinds = found(world["staff"], "harbour")
    assert kinds["businesses"] == ["Harbour Tugs Ltd"]
    assert kinds["chambers"] == ["Springfield Harbour Chamber"]
    assert not {"partnerships", "lessons", "documents", "people"} & kinds.keys()


def test_the_page_groups_by_kind_and_the_box_answers_htmx(client, world):
    client.force_login(world["officer"])
    page = client.get(SEARCH, {"q": "ethekwini"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="kind-partnerships"' in html and 'id="kind-cities"' in html
    assert reverse("partnerships:detail", args=[world["mine"].pk]) in html
    assert reverse("partnerships:detail", args=[world["theirs"].pk]) not in html
    drop = client.get(SEARCH, {"q": "ethekwini"}, headers={"HX-Request": "true"})
    assert drop.status_code == 200
    assert 'role="option"' in drop.content.decode()
    assert "<html" not in drop.content.decode()
    # The box is in the navigation bar of everyone with a role.
    assert 'role="combobox"' in client.get(reverse("partnerships:dashboard")).content.decode()


def test_anonymous_visitors_and_accounts_without_a_role_have_no_search(client, world):
    response = client.get(SEARCH, {"q": "harbour"})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert 'role="combobox"' not in client.get(reverse("login")).content.decode()
    client.force_login(UserFactory())
    response = client.get(SEARCH, {"q": "harbour"})
    assert response.status_code == 302 and reverse("login") not in response["Location"]
    # What an anonymous visitor sees: the box is not there.
    assert 'role="combobox"' not in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "text",
    ["", "   ", "!!!", "'&|:*()", "a" * 5000, "harbour\x00", "\x00\x07", "%", "_", "':* | !",
     "harbour & (twin", "-harbour", '"harbour twinning"', "ö" * 101, "\ud7ff"],
)  # fmt: skip
def test_bad_input_never_fails(client, world, text):
    client.force_login(world["officer"])
    assert client.get(SEARCH, {"q": text}).status_code == 200
    assert client.get(SEARCH, {"q": text}, headers={"HX-Request": "true"}).status_code == 200


def test_a_query_is_cut_and_cleaned():
    query = Query.parse("harbour\x00twin " + "x" * 500)
    assert len(query.text) <= 100 and "\x00" not in query.text
    assert query.words[:2] == ["harbour", "twin"]
    assert Query.parse("?!.,").is_empty


def _grow(home, n):
    """n more partnerships, lessons, businesses and colleagues matching "harbour"."""
    other = PartnerFactory()
    chamber = BusinessAssociationFactory(organisation__partner=home)
    for i in range(n):
        p = PartnershipFactory(title=f"Harbour link {n}-{i}", home=home)
        PartnershipMemberFactory(partnership=p, partner=other)
        LessonFactory(partnership=p, theme=f"Harbour lesson {n}-{i}")
        MOUFactory(partnership=p, status="draft", signed_on=None)
        BusinessProfileFactory(association=chamber, organisation__name=f"Harbour firm {n}-{i}")
        CityMembershipFactory(user=UserFactory(last_name=f"Harbour{n}-{i}"), partner=other)


def test_query_budget_is_the_same_at_small_and_larger_sizes(
    client, world, django_assert_max_num_queries
):
    home = world["mine"].members.get(role="home").partner
    client.force_login(world["officer"])
    client.get(SEARCH, {"q": "harbour"})  # the session's roles, read once
    counts = []
    for n in (2, 20):
        _grow(home, n)
        with django_assert_max_num_queries(13) as captured:
            response = client.get(SEARCH, {"q": "harbour"})
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    groups = {g.kind: g for g in search(world["officer"], Query.parse("harbour"))}
    assert len(groups["partnerships"].hits) == 8 and groups["partnerships"].more


def test_full_text_ranks_a_title_holding_every_word_first(world):
    if not full_text():
        pytest.skip("ranking is PostgreSQL's (SQLite keeps the provider's order)")
    home = world["mine"].members.get(role="home").partner
    PartnershipFactory(title="Harbour", home=home)
    PartnershipFactory(title="Harbour harbour twinning of harbours", home=home)
    titles = found(world["officer"], "harbour twinning")["partnerships"]
    assert titles[0] in {"Harbour twinning", "Harbour harbour twinning of harbours"}
    assert "Harbour" not in titles  # every word must match
