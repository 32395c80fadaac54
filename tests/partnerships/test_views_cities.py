"""The cities area: directory, city profile, strategy versions and officers, per role."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError
from partnerships import services
from partnerships.models import (
    CityMembership,
    Partner,
    Partnership,
    PartnershipMember,
    Sector,
    StrategyCriterion,
    TwinningStrategy,
)
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    StrategyCriterionFactory,
    TwinningStrategyFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "officer", "other_officer", "coordinator", "superuser"]
QUERY_BUDGET = 12


# --- Fixtures and helpers --------------------------------------------------------------------


@pytest.fixture
def city():
    return PartnerFactory(name="Buffalo City", province="Eastern Cape", population=800_000)


@pytest.fixture
def other_city():
    return NorthPartnerFactory(name="Aachen", province="North Rhine-Westphalia")


@pytest.fixture
def people(city, other_city):
    return {
        "anonymous": None,
        "officer": CityMembershipFactory(partner=city).user,
        "other_officer": CityMembershipFactory(partner=other_city).user,
        "coordinator": CityMembershipFactory(
            partner=city, role=CityMembership.Role.COORDINATOR
        ).user,
        "superuser": UserFactory(username="admin", is_superuser=True, is_staff=True),
    }


def signed_in(client, user):
    if user is not None:
        client.force_login(user)
    return client


def as_role(client, people, role):
    return signed_in(client, people[role])


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def strategy_url(city, **query):
    url = reverse("partnerships:strategy", args=[city.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def officers_url(city):
    return reverse("partnerships:officers", args=[city.pk])


def approve_url(city, strategy):
    return reverse("partnerships:strategy_approve", args=[city.pk, strategy.pk])


def strategy_post(draft=None, *, action="save", criteria=(), **fields):
    """A POST body for the strategy form: its text fields and a criteria formset."""
    text = {
        "vision": "Trade and learn with port cities.",
        "goals": "Exports; skills.",
        "champion": "Executive Mayor",
        "senior_management_involvement": "",
        "learning_capture": "",
        "development_plan_context": "",
        "national_policy_context": "",
    }
    text.update(fields)
    data = {"action": action, **{f"draft-{k}": v for k, v in text.items()}}
    if draft is not None:
        data["draft"] = draft.pk
    criteria = list(criteria)
    data.update(
        {
            "criteria-TOTAL_FORMS": len(criteria),
            "criteria-INITIAL_FORMS": 0,
            "criteria-MIN_NUM_FORMS": 0,
            "criteria-MAX_NUM_FORMS": 1000,
        }
    )
    for i, c in enumerate(criteria):
        for key, value in c.items():
            data[f"criteria-{i}-{key}"] = "on" if value is True else value
    return data


def criterion(name, weight=2, max_score=5, description="", measure="judgement", **extra):
    return {
        "name": name,
        "measure": measure,
        "weight": weight,
        "max_score": max_score,
        "description": description,
        **extra,
    }


def login_redirect(response):
    return response.status_code == 302 and reverse("login") in response["Location"]


# --- Who may open what -----------------------------------------------------------------------


GET_EXPECTED = {
    # page: codes for anonymous, officer, other_officer, coordinator, superuser
    "city_list": [302, 200, 200, 200, 200],
    "city_detail": [302, 200, 200, 200, 200],
    "strategy": [302, 200, 200, 200, 200],
    "officers": [302, 404, 404, 200, 200],
}


@pytest.mark.parametrize("page", list(GET_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_get_status_per_role(client, people, city, page, role):
    TwinningStrategyFactory(partner=city)
    url = (
        reverse("partnerships:city_list")
        if page == "city_list"
        else reverse(f"partnerships:{page}", args=[city.pk])
    )
    response = as_role(client, people, role).get(url)
    expected = GET_EXPECTED[page][ROLES.index(role)]
    assert response.status_code == expected
    if expected == 302:
        assert login_redirect(response)


POST_EXPECTED = {
    # A harmless write per URL; 302 after success for those allowed.
    "strategy": [302, 404, 404, 302, 302],
    "strategy_approve": [302, 404, 404, 302, 302],
    "officers": [302, 404, 404, 302, 302],
}


@pytest.mark.parametrize("page", list(POST_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_post_status_per_role(client, people, city, page, role):
    in_force = TwinningStrategyFactory(partner=city, version=1)
    StrategyCriterionFactory(strategy=in_force)
    newcomer = UserFactory(username="newcomer")
    if page == "strategy":
        url, data = strategy_url(city), {"action": "start"}
    elif page == "strategy_approve":
        draft = TwinningStrategyFactory(
            partner=city, version=2, status=TwinningStrategy.Status.DRAFT, approved_on=None
        )
        StrategyCriterionFactory(strategy=draft)
        url, data = approve_url(city, draft), {}
    else:
        url, data = officers_url(city), {"action": "add", "user": "newcomer", "role": "officer"}

    response = as_role(client, people, role).post(url, data)

    expected = POST_EXPECTED[page][ROLES.index(role)]
    assert response.status_code == expected
    allowed = role in ("coordinator", "superuser")
    if page == "strategy":
        assert city.strategies.count() == (2 if allowed else 1)
    elif page == "strategy_approve":
        assert city.strategies.get(version=2).status == (
            TwinningStrategy.Status.IN_FORCE if allowed else TwinningStrategy.Status.DRAFT
        )
    else:
        assert CityMembership.objects.filter(user=newcomer, partner=city).exists() == allowed
    if role == "anonymous":
        assert login_redirect(response)


def test_approve_answers_get_with_405(client, people, city):
    draft = TwinningStrategyFactory(partner=city, status=TwinningStrategy.Status.DRAFT)
    response = as_role(client, people, "coordinator").get(approve_url(city, draft))
    assert response.status_code == 405


@pytest.mark.parametrize("page", ["city_detail", "strategy", "officers"])
def test_unknown_city_is_404(client, people, page):
    response = as_role(client, people, "superuser").get(
        reverse(f"partnerships:{page}", args=[999_999])
    )
    assert response.status_code == 404


# --- The directory ---------------------------------------------------------------------------


def test_directory_lists_cities_with_their_partnership_counts(client, people, city, other_city):
    # Two partnerships of Buffalo City, a private one with Aachen and a published one.
    p1 = PartnershipFactory(home=city)
    PartnershipMemberFactory(partnership=p1, partner=other_city)
    PartnershipFactory(home=city, published=True)

    response = as_role(client, people, "other_officer").get(reverse("partnerships:city_list"))

    assert response.status_code == 200
    rows = {c.name: c for c in response.context["cities"]}
    assert rows["Buffalo City"].partnership_count == 2  # counts are not private
    assert rows["Aachen"].partnership_count == 1
    html = response.content.decode()
    assert "Eastern Cape" in html and "South Africa" in html and "800,000" in html
    assert reverse("partnerships:city_detail", args=[city.pk]) in html


def test_directory_search_by_name(client, people, city, other_city):
    response = as_role(client, people, "officer").get(
        reverse("partnerships:city_list"), {"q": "  buffalo "}
    )
    assert [c.name for c in response.context["cities"]] == ["Buffalo City"]


@pytest.fixture
def directory():
    manufacturing = Sector.objects.get(code="C")
    tourism = Sector.objects.get(code="I")
    small = PartnerFactory(name="Smalltown", kind=Partner.Kind.TOWN, population=40_000)
    small.sectors.add(tourism)
    metro = PartnerFactory(name="Metropolis", kind=Partner.Kind.METRO, population=3_500_000)
    metro.sectors.add(manufacturing, tourism)
    north = NorthPartnerFactory(name="Nordstadt", population=250_000)
    north.sectors.add(manufacturing)
    unknown = NorthPartnerFactory(name="Nowhere", country="FR", population=None)
    return {"small": small, "metro": metro, "north": north, "unknown": unknown}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "DE"}, ["Nordstadt"]),
        ({"country": "ZA"}, ["Metropolis", "Smalltown"]),
        ({"kind": "town"}, ["Smalltown"]),
        ({"global_region": "north"}, ["Nordstadt", "Nowhere"]),
        ({"global_region": "south"}, ["Metropolis", "Smalltown"]),
        ({"sector": "SECTOR:C"}, ["Metropolis", "Nordstadt"]),
        ({"sector": "SECTOR:I", "kind": "metro"}, ["Metropolis"]),
        ({"population": "lt100k"}, ["Smalltown"]),
        ({"population": "100k-500k"}, ["Nordstadt"]),
        ({"population": "1m-5m"}, ["Metropolis"]),
        ({"population": "5m+"}, []),
        ({"q": "town", "country": "ZA"}, ["Smalltown"]),
    ],
)
def test_directory_filters(client, people, directory, params, expected):
    if "sector" in params:
        code = params["sector"].split(":")[1]
        params = {**params, "sector": Sector.objects.get(code=code).pk}
    response = as_role(client, people, "officer").get(reverse("partnerships:city_list"), params)
    assert response.status_code == 200
    names = [c.name for c in response.context["cities"] if c.name not in ("Buffalo City", "Aachen")]
    assert names == expected


def test_directory_offers_only_countries_that_have_cities(client, people, directory):
    response = as_role(client, people, "officer").get(reverse("partnerships:city_list"))
    choices = dict(response.context["filters"].form.fields["country"].choices)
    assert set(choices) == {"", "DE", "FR", "ZA"}


@pytest.mark.parametrize(
    "params",
    [
        {"population": "huge"},
        {"sector": "not-a-number"},
        {"sector": "999999"},
        {"country": "XX"},
        {"kind": "<script>"},
        {"page": "zzz"},
        {"page": "999"},
    ],
)
def test_directory_ignores_bad_filters_without_error(client, people, directory, params):
    response = as_role(client, people, "officer").get(reverse("partnerships:city_list"), params)
    assert response.status_code == 200


def test_directory_paginates_by_25_and_keeps_the_filters(client, people):
    PartnerFactory.create_batch(30, country="BR", global_region="south")
    url = reverse("partnerships:city_list")
    first = as_role(client, people, "officer").get(url, {"country": "BR"})
    assert len(first.context["cities"]) == 25
    assert "country=BR&amp;page=2" in first.content.decode()
    second = client.get(url, {"country": "BR", "page": 2})
    assert len(second.context["cities"]) == 5


def test_directory_answers_htmx_with_the_results_only(client, people, city):
    response = as_role(client, people, "officer").get(
        reverse("partnerships:city_list"), {"q": "buff"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Buffalo City" in html
    assert "<html" not in html


def _cities_with_partnerships(n):
    sector = Sector.objects.get(code="C")
    for _ in range(n):
        home = PartnerFactory()
        home.sectors.add(sector)
        partnership = PartnershipFactory(home=home)
        PartnershipMemberFactory(partnership=partnership)


def test_directory_query_count_is_constant(client, people):
    as_role(client, people, "officer")
    url = reverse("partnerships:city_list")
    _cities_with_partnerships(5)
    few = queries_for(client, url)
    _cities_with_partnerships(45)
    many = queries_for(client, url)
    filtered = queries_for(client, url + f"?sector={Sector.objects.get(code='C').pk}&q=City")
    assert few == many
    assert max(few, filtered) <= QUERY_BUDGET


# --- A city's profile and alliance history ------------------------------------------------


@pytest.fixture
def history(city, other_city):
    """Buffalo City's partnerships: with Aachen (private), with Aachen (published), and a
    private one between two cities unrelated to anyone in `people`."""
    private = PartnershipFactory(home=city, title="Port skills exchange", published=False)
    PartnershipMemberFactory(partnership=private, partner=other_city)
    published = PartnershipFactory(
        home=other_city,
        title="Aachen–Buffalo City friendship",
        published=True,
        status=Partnership.Status.ENDED,
        established_on=dt.date(2004, 5, 1),
    )
    PartnershipMemberFactory(partnership=published, partner=city)
    third = NorthPartnerFactory(name="Lyon", country="FR")
    unrelated = PartnershipFactory(home=city, title="Silk road culture", published=False)
    PartnershipMemberFactory(partnership=unrelated, partner=third)
    return {"private": private, "published": published, "unrelated": unrelated}


def test_city_detail_shows_the_profile(client, people, city):
    city.website = "https://www.buffalocity.gov.za"
    city.community_profile = "A port city on the Indian Ocean."
    city.development_plan = "IDP priorities: the port and the automotive cluster."
    city.save()
    city.sectors.add(Sector.objects.get(code="C"))
    strategy = TwinningStrategyFactory(partner=city, vision="Open to the world.")

    response = as_role(client, people, "other_officer").get(
        reverse("partnerships:city_detail", args=[city.pk])
    )

    html = response.content.decode()
    for text in (
        "Buffalo City",
        "Eastern Cape",
        "South Africa",
        "800,000",
        "-33.00000",
        "https://www.buffalocity.gov.za",
        "A port city on the Indian Ocean.",
        "IDP priorities",
        "Manufacturing",
        "Open to the world.",
        f"Version {strategy.version}",
    ):
        assert text in html, text
    assert reverse("partnerships:strategy", args=[city.pk]) in html


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "officer",
            {"Port skills exchange", "Aachen–Buffalo City friendship", "Silk road culture"},
        ),
        (
            "superuser",
            {"Port skills exchange", "Aachen–Buffalo City friendship", "Silk road culture"},
        ),
        # Aachen co-owns the private Buffalo City–Aachen partnership, but not the one with Lyon.
        ("other_officer", {"Port skills exchange", "Aachen–Buffalo City friendship"}),
    ],
)
def test_city_detail_lists_the_partnerships_the_viewer_may_see(
    client, people, history, city, role, expected
):
    response = as_role(client, people, role).get(
        reverse("partnerships:city_detail", args=[city.pk])
    )
    assert {row["partnership"].title for row in response.context["history"]} == expected


def test_city_detail_hides_private_partnerships_of_other_cities(client, history, city):
    outsider = CityMembershipFactory(partner=PartnerFactory(name="Durban")).user
    staff_less = UserFactory(username="chamber")  # no role: what a visitor sees
    client.force_login(staff_less)
    response = client.get(reverse("partnerships:city_detail", args=[city.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("businesses:status")

    for user in (outsider,):
        client.force_login(user)
        response = client.get(reverse("partnerships:city_detail", args=[city.pk]))
        html = response.content.decode()
        titles = {row["partnership"].title for row in response.context["history"]}
        assert titles == {"Aachen–Buffalo City friendship"}
        assert "Port skills exchange" not in html
        assert "Silk road culture" not in html
        # The counts are not private.
        assert "3 partnerships: 2 active, 1 ended." in html
        assert "2 of them are private" in html


def test_city_detail_rows_show_the_other_cities_and_their_state(client, people, history, city):
    response = as_role(client, people, "officer").get(
        reverse("partnerships:city_detail", args=[city.pk])
    )
    rows = {row["partnership"].title: row for row in response.context["history"]}
    row = rows["Aachen–Buffalo City friendship"]
    assert [c.name for c in row["others"]] == ["Aachen"]
    assert row["role"] == "Counterpart"
    assert [c.name for c in rows["Silk road culture"]["others"]] == ["Lyon"]
    html = response.content.decode()
    assert "Sister city / twinning" in html
    assert "1. Strategy" in html
    assert "Ended" in html
    assert "1 May 2004" in html
    assert reverse("partnerships:detail", args=[history["published"].pk]) in html
    # Ordered by establishment date, the dated one first.
    assert next(iter(rows)) == "Aachen–Buffalo City friendship"


@pytest.mark.parametrize(
    ("role", "sees"),
    [("officer", True), ("coordinator", True), ("superuser", True), ("other_officer", False)],
)
def test_city_officers_are_shown_to_its_own_officers_and_admins_only(
    client, people, city, role, sees
):
    coordinator = people["coordinator"]
    response = as_role(client, people, role).get(
        reverse("partnerships:city_detail", args=[city.pk])
    )
    html = response.content.decode()
    assert (coordinator.email in html) is sees
    assert (response.context["staff"] is not None) is sees
    assert (officers_url(city) in html) is (role in ("coordinator", "superuser"))


def _partnerships_of(city, n):
    for i in range(n):
        partnership = PartnershipFactory(home=city, published=bool(i % 2))
        PartnershipMemberFactory(partnership=partnership)
        PartnershipMemberFactory(partnership=partnership)


@pytest.mark.parametrize("role", ["officer", "other_officer", "superuser"])
def test_city_detail_query_count_is_constant(client, people, city, role):
    strategy = TwinningStrategyFactory(partner=city)
    StrategyCriterionFactory(strategy=strategy)
    city.sectors.add(*Sector.objects.all()[:3])
    as_role(client, people, role)
    url = reverse("partnerships:city_detail", args=[city.pk])
    _partnerships_of(city, 5)
    few = queries_for(client, url)
    _partnerships_of(city, 45)
    CityMembershipFactory.create_batch(10, partner=city)
    many = queries_for(client, url)
    assert few == many <= QUERY_BUDGET


# --- The strategy: reading -------------------------------------------------------------------


@pytest.fixture
def in_force(city):
    strategy = TwinningStrategyFactory(
        partner=city,
        version=1,
        vision="A gateway city trading with the world.",
        goals="Grow port exports.",
        champion="Executive Mayor",
        senior_management_involvement="City Manager chairs the steering committee.",
        learning_capture="Annual lessons workshop.",
        development_plan_context="IDP 2022–2027, objective 4.",
        national_policy_context="DIRCO framework for local international relations.",
        approved_on=dt.date(2024, 3, 1),
    )
    StrategyCriterionFactory(strategy=strategy, name="Port city", weight=5, max_score=10)
    StrategyCriterionFactory(strategy=strategy, name="Automotive cluster", weight=3, max_score=5)
    return strategy


@pytest.mark.parametrize("role", ["officer", "other_officer", "coordinator", "superuser"])
def test_strategy_page_shows_the_version_in_force_to_everyone(client, people, city, in_force, role):
    response = as_role(client, people, role).get(strategy_url(city))
    html = response.content.decode()
    for text in (
        "A gateway city trading with the world.",
        "Grow port exports.",
        "Executive Mayor",
        "City Manager chairs the steering committee.",
        "Annual lessons workshop.",
        "IDP 2022–2027, objective 4.",
        "DIRCO framework",
        "1 March 2024",
        "Port city",
        "×5",
        "Automotive cluster",
        "In force",
    ):
        assert text in html, text
    editor = role in ("coordinator", "superuser")
    assert ('name="action" value="start"' in html) is editor
    assert ("Start version 2" in html) is editor


def test_strategy_drafts_are_for_coordinators_only(client, people, city, in_force):
    draft = TwinningStrategyFactory(
        partner=city,
        version=2,
        status=TwinningStrategy.Status.DRAFT,
        approved_on=None,
        vision="Secret draft vision.",
    )
    officer = as_role(client, people, "officer")
    html = officer.get(strategy_url(city)).content.decode()
    assert "Secret draft vision." not in html
    assert "Version 2" not in html
    assert officer.get(strategy_url(city, version=draft.pk)).status_code == 404

    coordinator = as_role(client, people, "coordinator")
    html = coordinator.get(strategy_url(city)).content.decode()
    assert "Draft version 2" in html
    assert "Secret draft vision." in html
    assert approve_url(city, draft) in html


def test_strategy_version_history_lists_superseded_versions(client, people, city, in_force):
    old = TwinningStrategyFactory(
        partner=city,
        version=5,
        status=TwinningStrategy.Status.SUPERSEDED,
        approved_on=dt.date(2019, 7, 1),
        vision="The old vision.",
    )
    response = as_role(client, people, "other_officer").get(strategy_url(city, version=old.pk))
    html = response.content.decode()
    assert "The old vision." in html
    assert "Superseded" in html
    assert "1 Jul 2019" in html
    assert [v.version for v in response.context["versions"]] == [5, 1]


def test_strategy_version_of_another_city_is_404(client, people, city, other_city, in_force):
    elsewhere = TwinningStrategyFactory(partner=other_city)
    for version in (elsewhere.pk, "abc"):
        response = as_role(client, people, "superuser").get(strategy_url(city, version=version))
        assert response.status_code == 404


def test_city_without_strategy_offers_coordinators_the_first_draft(client, people, city):
    html = as_role(client, people, "officer").get(strategy_url(city)).content.decode()
    assert "no strategy in force" in html
    assert "Write the first strategy" not in html
    html = as_role(client, people, "coordinator").get(strategy_url(city)).content.decode()
    assert "Write the first strategy" in html


def _strategy_versions(city, n, criteria):
    start = city.strategies.count()
    for i in range(n):
        version = TwinningStrategyFactory(
            partner=city,
            version=start + i + 1,
            status=TwinningStrategy.Status.SUPERSEDED,
        )
        StrategyCriterionFactory.create_batch(criteria, strategy=version)


@pytest.mark.parametrize("role", ["officer", "coordinator"])
def test_strategy_query_count_is_constant(client, people, city, role):
    as_role(client, people, role)
    url = strategy_url(city)
    current = TwinningStrategyFactory(partner=city, version=1000)
    draft = TwinningStrategyFactory(
        partner=city, version=1001, status=TwinningStrategy.Status.DRAFT, approved_on=None
    )
    StrategyCriterionFactory.create_batch(5, strategy=current)
    StrategyCriterionFactory.create_batch(5, strategy=draft)
    _strategy_versions(city, 5, 1)
    few = queries_for(client, url)
    StrategyCriterionFactory.create_batch(45, strategy=current)
    StrategyCriterionFactory.create_batch(30, strategy=draft)
    _strategy_versions(city, 45, 2)
    many = queries_for(client, url)
    assert few == many <= QUERY_BUDGET


# --- The strategy: drafting and approval -----------------------------------------------------


def test_coordinator_starts_a_draft_copied_from_the_version_in_force(
    client, people, city, in_force
):
    coordinator = people["coordinator"]
    response = as_role(client, people, "coordinator").post(strategy_url(city), {"action": "start"})

    draft = city.strategies.get(version=2)
    assert response.status_code == 302
    assert response["Location"] == strategy_url(city, version=draft.pk)
    assert draft.status == TwinningStrategy.Status.DRAFT
    assert draft.created_by == coordinator
    assert draft.vision == in_force.vision
    assert draft.national_policy_context == in_force.national_policy_context
    assert sorted(draft.criteria.values_list("name", "weight", "max_score")) == sorted(
        in_force.criteria.values_list("name", "weight", "max_score")
    )
    assert set(draft.criteria.values_list("pk", flat=True)).isdisjoint(
        in_force.criteria.values_list("pk", flat=True)
    )
    in_force.refresh_from_db()
    assert in_force.status == TwinningStrategy.Status.IN_FORCE

    # One draft at a time: a second start is refused and changes nothing.
    response = client.post(strategy_url(city), {"action": "start"}, follow=True)
    assert city.strategies.count() == 2
    assert "Version 2 is already a draft" in response.content.decode()


def test_coordinator_writes_the_first_strategy(client, people, city):
    data = strategy_post(
        action="create",
        criteria=[
            criterion("Port city", 5, 10, measure="shared_sectors"),
            criterion("Tourism", 1, 5, measure="complementary_sectors"),
        ],
    )
    response = as_role(client, people, "coordinator").post(strategy_url(city), data)

    assert response.status_code == 302
    draft = city.strategies.get()
    assert draft.version == 1
    assert draft.status == TwinningStrategy.Status.DRAFT
    assert draft.vision == "Trade and learn with port cities."
    assert sorted(draft.criteria.values_list("name", "measure", "weight", "max_score")) == [
        ("Port city", "shared_sectors", 5, 10),
        ("Tourism", "complementary_sectors", 1, 5),
    ]


def test_first_strategy_needs_vision_and_goals(client, people, city):
    data = strategy_post(action="create", vision="", goals="", criteria=[criterion("Port")])
    response = as_role(client, people, "coordinator").post(strategy_url(city), data)
    assert response.status_code == 200
    assert response.context["new_form"].errors.keys() == {"vision", "goals"}
    assert not TwinningStrategy.objects.filter(partner=city).exists()


@pytest.fixture
def draft(city, in_force):
    draft = TwinningStrategyFactory(
        partner=city,
        version=2,
        status=TwinningStrategy.Status.DRAFT,
        approved_on=None,
        vision="Draft vision.",
    )
    StrategyCriterionFactory(strategy=draft, name="Port city", weight=5, max_score=10)
    StrategyCriterionFactory(strategy=draft, name="Automotive cluster", weight=3, max_score=5)
    StrategyCriterionFactory(strategy=draft, name="Direct flights", weight=1, max_score=5)
    return draft


def _rows(draft):
    return {c.name: c for c in draft.criteria.all()}


def test_coordinator_edits_the_draft_and_its_criteria(client, people, city, draft):
    rows = _rows(draft)
    data = strategy_post(
        draft,
        vision="A sharper vision.",
        champion="Deputy Mayor",
        criteria=[
            criterion("Port city", 8, 20, "Deep-water port", "distance", id=rows["Port city"].pk),
            criterion("Automotive", 3, 5, id=rows["Automotive cluster"].pk),  # renamed
            criterion("Direct flights", id=rows["Direct flights"].pk, DELETE=True),
            criterion("Universities", 2, 5),  # new
        ],
    )
    response = as_role(client, people, "coordinator").post(strategy_url(city), data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.vision == "A sharper vision."
    assert draft.champion == "Deputy Mayor"
    assert draft.status == TwinningStrategy.Status.DRAFT
    after = _rows(draft)
    assert set(after) == {"Port city", "Automotive", "Universities"}
    assert after["Port city"].pk == rows["Port city"].pk
    assert (after["Port city"].weight, after["Port city"].max_score) == (8, 20)
    assert after["Port city"].measure == "distance"  # what it measures changes too
    assert after["Port city"].description == "Deep-water port"
    assert after["Automotive"].pk == rows["Automotive cluster"].pk


def test_two_criteria_may_swap_names(client, people, city, draft):
    rows = _rows(draft)
    data = strategy_post(
        draft,
        criteria=[
            criterion("Automotive cluster", 5, 10, id=rows["Port city"].pk),
            criterion("Port city", 3, 5, id=rows["Automotive cluster"].pk),
            criterion("Direct flights", 1, 5, id=rows["Direct flights"].pk),
        ],
    )
    response = as_role(client, people, "coordinator").post(strategy_url(city), data)
    assert response.status_code == 302
    assert _rows(draft)["Automotive cluster"].pk == rows["Port city"].pk


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"weight": 0}, "weight"),
        ({"weight": 11}, "weight"),
        ({"weight": "heavy"}, "weight"),
        ({"max_score": 0}, "max_score"),
        ({"max_score": 101}, "max_score"),
        ({"name": "   "}, "name"),
        ({"measure": ""}, "measure"),  # the officer must say what it measures
        ({"measure": "port"}, "measure"),
    ],
)
def test_criteria_out_of_range_are_refused_and_nothing_is_saved(
    client, people, city, draft, bad, field
):
    rows = _rows(draft)
    before = sorted(draft.criteria.values_list("pk", "name", "weight", "max_score"))
    data = strategy_post(
        draft,
        vision="Should not be saved.",
        criteria=[
            criterion("Port city", 5, 10, id=rows["Port city"].pk),
            {**criterion("New one"), **bad},
        ],
    )
    response = as_role(client, people, "coordinator").post(strategy_url(city), data)

    assert response.status_code == 200
    formset = response.context["edit_criteria"]
    assert field in formset.forms[1].errors
    assert "is-invalid" in response.content.decode()
    draft.refresh_from_db()
    assert draft.vision == "Draft vision."
    assert sorted(draft.criteria.values_list("pk", "name", "weight", "max_score")) == before


def test_duplicate_criterion_names_are_refused(client, people, city, draft):
    rows = _rows(draft)
    data = strategy_post(
        draft,
        vision="Should not be saved.",
        criteria=[
            criterion("Port city", 5, 10, id=rows["Port city"].pk),
            criterion("PORT CITY ", 2, 5),
        ],
    )
    response = as_role(client, people, "coordinator").post(strategy_url(city), data)

    assert response.status_code == 200
    errors = response.context["edit_criteria"].non_form_errors()
    assert any("both called" in e for e in errors)
    draft.refresh_from_db()
    assert draft.vision == "Draft vision."
    assert draft.criteria.count() == 3


def test_draft_of_another_city_cannot_be_edited_through_this_city(
    client, people, city, other_city, draft
):
    elsewhere = TwinningStrategyFactory(
        partner=other_city, status=TwinningStrategy.Status.DRAFT, approved_on=None
    )
    as_role(client, people, "coordinator")
    data = strategy_post(elsewhere, vision="Hijack")
    assert client.post(strategy_url(city), data).status_code == 404
    assert client.post(approve_url(city, elsewhere)).status_code == 404
    for bad in ("", "abc"):
        assert client.post(strategy_url(city), {"action": "save", "draft": bad}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.vision != "Hijack"
    assert elsewhere.status == TwinningStrategy.Status.DRAFT


def test_an_approved_version_can_no_longer_be_edited(client, people, city, in_force):
    data = strategy_post(in_force, vision="Rewriting history.")
    response = as_role(client, people, "coordinator").post(strategy_url(city), data, follow=True)
    assert "only a draft can be edited" in response.content.decode()
    in_force.refresh_from_db()
    assert in_force.vision == "A gateway city trading with the world."


def test_unknown_action_is_a_bad_request(client, people, city):
    response = as_role(client, people, "coordinator").post(strategy_url(city), {"action": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["officer", "other_officer"])
def test_non_coordinators_cannot_write_the_strategy(client, people, city, draft, role):
    as_role(client, people, role)
    attempts = [
        (strategy_url(city), {"action": "start"}),
        (strategy_url(city), strategy_post(action="create")),
        (strategy_url(city), strategy_post(draft, vision="Changed")),
        (strategy_url(city), {"action": "discard", "draft": draft.pk}),
        (approve_url(city, draft), {}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == 404
    draft.refresh_from_db()
    assert draft.vision == "Draft vision."
    assert draft.status == TwinningStrategy.Status.DRAFT
    assert city.strategies.count() == 2
    # …and the edit forms are absent.
    html = client.get(strategy_url(city)).content.decode()
    assert "Save draft" not in html and "Approve and put in force" not in html


def test_approval_puts_the_draft_in_force_and_supersedes_the_previous_one(
    client, people, city, in_force, draft
):
    response = as_role(client, people, "coordinator").post(
        approve_url(city, draft), {"approve-approved_on": "2025-01-15"}
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    in_force.refresh_from_db()
    assert draft.status == TwinningStrategy.Status.IN_FORCE
    assert draft.approved_on == dt.date(2025, 1, 15)
    assert in_force.status == TwinningStrategy.Status.SUPERSEDED
    assert in_force.approved_on == dt.date(2024, 3, 1)  # history kept
    page = client.get(strategy_url(city))
    assert page.context["shown"] == draft
    assert [v.status for v in page.context["versions"]] == ["in_force", "superseded"]


def test_approval_without_a_date_means_today(client, people, city, draft):
    as_role(client, people, "superuser").post(approve_url(city, draft))
    draft.refresh_from_db()
    assert draft.status == TwinningStrategy.Status.IN_FORCE
    assert draft.approved_on == timezone.localdate()


def test_approval_needs_at_least_one_criterion(client, people, city, in_force, draft):
    draft.criteria.all().delete()
    response = as_role(client, people, "coordinator").post(approve_url(city, draft), follow=True)
    assert "Add at least one weighted criterion" in response.content.decode()
    draft.refresh_from_db()
    in_force.refresh_from_db()
    assert draft.status == TwinningStrategy.Status.DRAFT
    assert in_force.status == TwinningStrategy.Status.IN_FORCE


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ((timezone.localdate() + dt.timedelta(days=3)).isoformat(), "cannot be in the future"),
        ("not-a-date", "Enter a valid date"),
    ],
)
def test_approval_date_is_validated(client, people, city, draft, date, message):
    response = as_role(client, people, "coordinator").post(
        approve_url(city, draft), {"approve-approved_on": date}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == TwinningStrategy.Status.DRAFT


def test_approval_date_cannot_precede_the_version_in_force(client, people, city, draft):
    response = as_role(client, people, "coordinator").post(
        approve_url(city, draft), {"approve-approved_on": "2020-01-01"}, follow=True
    )
    assert "cannot be before that of the version in force" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == TwinningStrategy.Status.DRAFT


def test_a_version_in_force_cannot_be_approved_again(client, people, city, in_force):
    response = as_role(client, people, "coordinator").post(approve_url(city, in_force), follow=True)
    assert "only a draft can be approved" in response.content.decode()
    assert city.strategies.get().status == TwinningStrategy.Status.IN_FORCE


def test_coordinator_discards_a_draft(client, people, city, in_force, draft):
    response = as_role(client, people, "coordinator").post(
        strategy_url(city), {"action": "discard", "draft": draft.pk}
    )
    assert response.status_code == 302
    assert list(city.strategies.all()) == [in_force]
    assert not StrategyCriterion.objects.filter(strategy_id=draft.pk).exists()
    # …but an approved version is history and stays.
    client.post(strategy_url(city), {"action": "discard", "draft": in_force.pk})
    assert city.strategies.filter(pk=in_force.pk).exists()


# --- Officers --------------------------------------------------------------------------------


def test_officers_page_lists_officers_and_coordinators(client, people, city):
    response = as_role(client, people, "coordinator").get(officers_url(city))
    html = response.content.decode()
    assert people["officer"].username in html
    assert people["coordinator"].username in html
    assert people["other_officer"].username not in html
    roles = [row["membership"].role for row in response.context["rows"]]
    assert roles == ["coordinator", "officer"]
    assert response.context["rows"][0]["last_coordinator"]


@pytest.mark.parametrize("identifier", ["thandi", "Thandi@Example.org", " thandi "])
def test_coordinator_adds_an_existing_user_by_username_or_email(client, people, city, identifier):
    thandi = UserFactory(username="thandi", email="thandi@example.org")
    response = as_role(client, people, "coordinator").post(
        officers_url(city), {"action": "add", "user": identifier, "role": "coordinator"}
    )
    assert response.status_code == 302
    membership = CityMembership.objects.get(user=thandi, partner=city)
    assert membership.role == CityMembership.Role.COORDINATOR


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ("nobody", "No portal user has the username or email"),
        ("nobody@example.org", "No portal user has the username or email"),
        ("", "This field is required."),
        ("OFFICER_NAME", "already works for Buffalo City"),
        ("shared@example.org", "Several accounts match this"),
        ("gone", "account is deactivated"),
    ],
)
def test_adding_an_unknown_or_existing_member_is_a_field_error(
    client, people, city, identifier, message
):
    UserFactory(username="twin1", email="shared@example.org")
    UserFactory(username="twin2", email="shared@example.org")
    UserFactory(username="gone", is_active=False)
    if identifier == "OFFICER_NAME":
        identifier = people["officer"].username
    before = CityMembership.objects.count()

    response = as_role(client, people, "coordinator").post(
        officers_url(city), {"action": "add", "user": identifier, "role": "officer"}
    )

    assert response.status_code == 200
    errors = response.context["add_form"].errors["user"]
    assert any(message in e for e in errors), errors
    assert CityMembership.objects.count() == before


def test_adding_with_an_invalid_role_is_a_field_error(client, people, city):
    UserFactory(username="thandi")
    response = as_role(client, people, "coordinator").post(
        officers_url(city), {"action": "add", "user": "thandi", "role": "mayor"}
    )
    assert response.status_code == 200
    assert "role" in response.context["add_form"].errors
    assert not CityMembership.objects.filter(user__username="thandi").exists()


def test_coordinator_changes_a_role(client, people, city):
    membership = CityMembership.objects.get(user=people["officer"], partner=city)
    response = as_role(client, people, "coordinator").post(
        officers_url(city), {"action": "role", "membership": membership.pk, "role": "coordinator"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == CityMembership.Role.COORDINATOR


def test_an_invalid_role_is_refused(client, people, city):
    membership = CityMembership.objects.get(user=people["officer"], partner=city)
    response = as_role(client, people, "coordinator").post(
        officers_url(city), {"action": "role", "membership": membership.pk, "role": "king"}
    )
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == CityMembership.Role.OFFICER


def test_coordinator_removes_an_officer(client, people, city):
    membership = CityMembership.objects.get(user=people["officer"], partner=city)
    response = as_role(client, people, "coordinator").post(
        officers_url(city), {"action": "remove", "membership": membership.pk}
    )
    assert response.status_code == 302
    assert not CityMembership.objects.filter(pk=membership.pk).exists()


def test_the_last_coordinator_cannot_remove_or_demote_themselves(client, people, city):
    mine = CityMembership.objects.get(user=people["coordinator"], partner=city)
    as_role(client, people, "coordinator")

    response = client.post(
        officers_url(city), {"action": "remove", "membership": mine.pk}, follow=True
    )
    assert "You are the last coordinator of Buffalo City" in response.content.decode()
    assert CityMembership.objects.filter(pk=mine.pk).exists()

    response = client.post(
        officers_url(city),
        {"action": "role", "membership": mine.pk, "role": "officer"},
        follow=True,
    )
    assert "You are the last coordinator of Buffalo City" in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == CityMembership.Role.COORDINATOR


def test_an_admin_cannot_remove_the_last_coordinator_either(client, people, city):
    mine = CityMembership.objects.get(user=people["coordinator"], partner=city)
    response = as_role(client, people, "superuser").post(
        officers_url(city), {"action": "remove", "membership": mine.pk}, follow=True
    )
    assert "is the last coordinator of Buffalo City" in response.content.decode()
    assert CityMembership.objects.filter(pk=mine.pk).exists()


def test_a_coordinator_may_leave_when_another_remains(client, people, city):
    CityMembershipFactory(partner=city, role=CityMembership.Role.COORDINATOR)
    mine = CityMembership.objects.get(user=people["coordinator"], partner=city)
    response = as_role(client, people, "coordinator").post(
        officers_url(city), {"action": "remove", "membership": mine.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("partnerships:city_detail", args=[city.pk])
    assert not CityMembership.objects.filter(pk=mine.pk).exists()
    # They no longer manage the city's officers.
    assert client.get(officers_url(city)).status_code == 404


def test_memberships_of_another_city_are_404(client, people, city, other_city):
    theirs = CityMembership.objects.get(user=people["other_officer"], partner=other_city)
    as_role(client, people, "coordinator")
    for data in (
        {"action": "remove", "membership": theirs.pk},
        {"action": "role", "membership": theirs.pk, "role": "coordinator"},
        {"action": "remove", "membership": "abc"},
        {"action": "remove"},
    ):
        assert client.post(officers_url(city), data).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == CityMembership.Role.OFFICER
    assert client.post(officers_url(city), {"action": "dance"}).status_code == 400


@pytest.mark.parametrize("role", ["officer", "other_officer"])
def test_non_coordinators_cannot_manage_officers(client, people, city, role):
    membership = CityMembership.objects.get(user=people["officer"], partner=city)
    as_role(client, people, role)
    for data in (
        {"action": "remove", "membership": membership.pk},
        {"action": "role", "membership": membership.pk, "role": "coordinator"},
    ):
        assert client.post(officers_url(city), data).status_code == 404
    membership.refresh_from_db()
    assert membership.role == CityMembership.Role.OFFICER


def test_officers_query_count_is_constant(client, people, city):
    as_role(client, people, "coordinator")
    CityMembershipFactory.create_batch(5, partner=city)
    few = queries_for(client, officers_url(city))
    CityMembershipFactory.create_batch(45, partner=city)
    many = queries_for(client, officers_url(city))
    assert few == many <= QUERY_BUDGET


def test_cities_only_link_to_partnerships_the_viewer_may_open(client, people, history, city):
    """Every partnership link on the city page leads to one the viewer may open: an officer of
    another city reaches a published partnership through its public registry page only."""
    outsider = CityMembershipFactory(partner=PartnerFactory(name="Polokwane")).user
    client.force_login(outsider)
    html = client.get(reverse("partnerships:city_detail", args=[city.pk])).content.decode()
    for key, partnership in history.items():
        link = reverse("partnerships:detail", args=[partnership.pk])
        public = reverse("businesses:registry_detail", args=[partnership.pk])
        assert f'href="{link}"' not in html
        assert (f'href="{public}"' in html) is (key == "published")
    assert PartnershipMember.objects.filter(partner=city).count() == 3


# --- Two coordinators at once (row locks: PostgreSQL) ---------------------------------------


def _at_once(*actions):
    """Run the actions in threads released together; return what each one ended with."""
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def run(action):
        try:
            barrier.wait()
            action()
            outcomes.append("done")
        except DomainError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it there)"
)


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_two_coordinators_removing_each_other_leave_one_coordinator():
    city = PartnerFactory()
    first, second = CityMembershipFactory.create_batch(
        2, partner=city, role=CityMembership.Role.COORDINATOR
    )

    def remove(membership, by_id):
        def action():
            by = User.objects.get(pk=by_id)
            services.officer_remove(membership=membership, by=by)

        return action

    outcomes = _at_once(remove(first, second.user_id), remove(second, first.user_id))

    assert outcomes == ["done", "refused"]
    assert city.staff.filter(role=CityMembership.Role.COORDINATOR).count() == 1


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_two_coordinators_starting_a_draft_at_once_make_one_draft():
    city = PartnerFactory()
    StrategyCriterionFactory(strategy=TwinningStrategyFactory(partner=city, version=1))
    users = [
        CityMembershipFactory(partner=city, role=CityMembership.Role.COORDINATOR).user_id
        for _ in range(2)
    ]

    def start(user_id):
        def action():
            user = User.objects.get(pk=user_id)
            services.strategy_draft_start(partner=city, user=user)

        return action

    assert _at_once(*(start(u) for u in users)) == ["done", "refused"]
    assert city.strategies.filter(status=TwinningStrategy.Status.DRAFT).count() == 1


# --- The strategy for those who do not write it, and the approval's words -------------------


@pytest.mark.parametrize("state", ["none", "in_force", "draft"])
@pytest.mark.parametrize("role", ["officer", "other_officer", "coordinator", "superuser"])
def test_who_cannot_write_the_strategy_is_told_who_does(client, people, city, role, state):
    """No dead end: whatever the strategy's state, a reader who may not write it learns that
    the coordinators do, and who they are (their e-mail for the city's own officers)."""
    coordinator = people["coordinator"]
    coordinator.first_name, coordinator.last_name = "Ada", "Okafor"
    coordinator.email = "ada@example.org"
    coordinator.save()
    if state != "none":
        TwinningStrategyFactory(partner=city, version=1)
    if state == "draft":
        TwinningStrategyFactory(
            partner=city, version=2, status=TwinningStrategy.Status.DRAFT, approved_on=None
        )
    html = as_role(client, people, role).get(strategy_url(city)).content.decode()
    writes = role in ("coordinator", "superuser")
    assert ("Who writes the strategy" in html) is not writes
    assert ("written and approved by its coordinators" in html) is not writes
    if not writes:
        assert "Ada Okafor" in html.split('id="who-heading"')[1]
    assert ("mailto:ada@example.org" in html) is (role == "officer")


def test_a_city_without_coordinator_says_so(client, people, other_city):
    html = as_role(client, people, "other_officer").get(strategy_url(other_city)).content
    assert "has no coordinator yet" in html.decode()


@pytest.mark.parametrize("previous", [False, True])
def test_the_approval_message_speaks_of_a_superseded_version_only_if_there_was_one(
    client, people, city, previous
):
    if previous:
        TwinningStrategyFactory(partner=city, version=1, approved_on=dt.date(2024, 3, 1))
    draft = TwinningStrategyFactory(
        partner=city, version=2, status=TwinningStrategy.Status.DRAFT, approved_on=None
    )
    StrategyCriterionFactory(strategy=draft)
    response = as_role(client, people, "coordinator").post(approve_url(city, draft), follow=True)
    said = [str(m) for m in response.context["messages"]]
    if previous:
        assert said == ["Version 2 is now in force; the previous one is superseded."]
    else:
        assert said == ["Version 2 is now in force."]
