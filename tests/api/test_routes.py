"""Every API route for anonymous, an officer of the partnership's city, an officer of an
unrelated city, a chamber member and an admin, through personal tokens (the permission matrix,
tests/access, asks the same of every route through the session); and what they read.

The world is the permission matrix's (tests/worlds.py): P private between A and B at the
selection step, with a sub-alliance A's chamber takes part in; Q published, with a signed MOU.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from partnerships import workflow
from partnerships.models import Partnership

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "officer_a", "officer_c", "chamber", "admin"]


@pytest.fixture
def world(matrix_world):
    return matrix_world


def _client(world, role: str, access: str = "read") -> Client:
    if role == "anonymous":
        return Client()
    _token, key = account_services.api_token_create(
        user=world["users"][role], name=f"{role} test", access=access
    )
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _urls(world) -> dict[str, str]:
    pk = world["kwargs"]["pk"]
    sub = world["kwargs"]["sub_alliance_id"]
    return {
        "partnership_list": reverse("api:partnership_list"),
        "partnership_geojson": reverse("api:partnership_geojson"),
        "partnership_detail": reverse("api:partnership_detail", args=[pk]),
        **{
            name: reverse(f"api:partnership_{name}", args=[pk])
            for name in (
                "mous",
                "reviews",
                "activities",
                "sub_alliances",
                "outcomes",
                "lessons",
                "comments",
            )
        },
        "sub_alliance_outcomes": reverse("api:sub_alliance_outcomes", args=[sub]),
        "city_list": reverse("api:city_list"),
        "city_geojson": reverse("api:city_geojson"),
        "city_detail": reverse("api:city_detail", args=[world["kwargs"]["city_id"]]),
        "registry_list": reverse("api:registry_list"),
        "registry_detail": reverse(
            "api:registry_detail", args=[world["kwargs_for"]["api:registry_detail"]["pk"]]
        ),
        "me": reverse("api:me"),
    }


P_RECORDS = {
    "partnership_detail",
    "mous",
    "reviews",
    "activities",
    "sub_alliances",
    "outcomes",
    "lessons",
    "comments",
}
PUBLIC = {"registry_list", "registry_detail"}


def _expected(role: str, name: str) -> int:
    if name in PUBLIC:
        return 200
    if role == "anonymous":
        return 401
    if name in P_RECORDS:
        return 200 if role in ("officer_a", "admin") else 404
    if name == "sub_alliance_outcomes":
        return 200 if role in ("officer_a", "admin", "chamber") else 404
    return 200


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_each_role(world, role):
    client = _client(world, role)
    found = {name: client.get(url).status_code for name, url in _urls(world).items()}
    expected = {name: _expected(role, name) for name in found}
    assert found == expected


@pytest.mark.parametrize("role", ["plain", "pending", "rejected"])
def test_an_account_without_a_role_is_answered_as_a_visitor(world, role):
    """Its token (made while it had a role, say) opens nothing a visitor cannot open."""
    client = _client(world, role)
    found = {name: client.get(url).status_code for name, url in _urls(world).items()}
    assert found == {name: _expected("anonymous", name) for name in found}


def test_an_unauthenticated_request_is_a_json_401_with_the_scheme(world):
    response = Client().get(reverse("api:partnership_list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_the_list_holds_what_each_may_open(world):
    pk = world["kwargs"]["pk"]
    url = reverse("api:partnership_list")
    assert pk in _ids(_client(world, "officer_a").get(url))
    assert pk not in _ids(_client(world, "officer_c").get(url))
    assert _ids(_client(world, "chamber").get(url)) == set()
    assert _ids(_client(world, "admin").get(url)) == set(
        Partnership.objects.values_list("pk", flat=True)
    )


def test_the_list_takes_the_list_pages_filters(world):
    client = _client(world, "admin")
    url = reverse("api:partnership_list")
    assert _ids(client.get(url, {"q": "Q"})) >= {world["kwargs_for"]["api:registry_detail"]["pk"]}
    at_selection = _ids(client.get(url, {"step": 4}))
    assert world["kwargs"]["pk"] in at_selection
    assert world["kwargs"]["pk"] not in _ids(client.get(url, {"step": 1}))
    refused = client.get(url, {"step": 99})
    assert refused.status_code == 400
    assert "step" in refused.json()["errors"]


def test_a_partnership_says_its_gate_mou_kpis_and_health(world):
    pk = world["kwargs"]["pk"]
    body = _client(world, "officer_a").get(reverse("api:partnership_detail", args=[pk])).json()
    partnership = Partnership.objects.get(pk=pk)
    assert body["step"] == partnership.step
    assert body["gate"]["next_step"] == partnership.step + 1
    # The same list as the page's and the service's (workflow.missing_to_advance).
    assert body["gate"]["missing"] == [str(m) for m in workflow.missing_to_advance(partnership)]
    assert body["mou"]["status"] == "draft"
    assert {m["city"]["id"] for m in body["members"]} == set(
        partnership.members.values_list("partner_id", flat=True)
    )
    assert body["health"]["band"] in {"healthy", "at_risk", "weak", "finished"}
    assert all({"points", "reason"} <= set(d) for d in body["health"]["deductions"])


def test_the_facts_of_many_are_the_facts_of_each(world):
    """workflow.gather_facts_many (the API's lists) reads what gather_facts reads, also at a
    joint sign-off step with a confirmation given outside the portal."""
    partnerships = list(Partnership.objects.all())
    many = workflow.gather_facts_many(partnerships)
    for p in partnerships:
        assert many[p.pk] == workflow.gather_facts(p)


def test_the_registry_is_published_only_and_hides_emails_from_visitors(world):
    published = world["kwargs_for"]["api:registry_detail"]["pk"]
    anonymous = Client().get(reverse("api:registry_list"))
    assert _ids(anonymous) == {published}
    assert (
        Client().get(reverse("api:registry_detail", args=[world["kwargs"]["pk"]])).status_code
        == 404
    )
    for row in anonymous.json()["results"]:
        assert all(c["email"] is None for c in row["contacts"])
    assert anonymous["Cache-Control"].startswith("public")


def test_private_answers_are_not_kept_by_caches(world):
    response = _client(world, "officer_a").get(reverse("api:partnership_list"))
    assert response["Cache-Control"] == "private, no-store"


def test_cities_as_geojson_points_with_population(world):
    body = _client(world, "chamber").get(reverse("api:city_geojson")).json()
    assert body["type"] == "FeatureCollection"
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "Point"
    longitude, latitude = feature["geometry"]["coordinates"]
    assert -180 <= longitude <= 180 and -90 <= latitude <= 90
    assert "population" in feature["properties"]


def test_partnerships_as_geojson_lines_between_their_cities(world):
    response = _client(world, "officer_a").get(reverse("api:partnership_geojson"))
    assert response["Content-Type"] == "application/geo+json"
    features = {f["id"]: f for f in response.json()["features"]}
    line = features[world["kwargs"]["pk"]]["geometry"]
    assert line["type"] == "MultiLineString"
    assert len(line["coordinates"]) == 1 and len(line["coordinates"][0]) == 2


def test_an_unknown_api_address_is_a_json_404(world):
    response = Client().get("/api/v2/nothing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("position", ["p=abc", "p=%00", "p=1.5"])
def test_a_hand_made_cursor_is_an_invalid_cursor_not_a_500(world, position):
    """Found from outside: a cursor is base64 a client can forge; a position that is not a
    number, on a list ordered by id, reached the query."""
    import base64

    cursor = base64.b64encode(position.encode()).decode()
    url = _urls(world)["activities"]
    response = _client(world, "admin").get(url, {"cursor": cursor})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_body_nested_past_the_recursion_limit_is_a_400(world):
    """Found from outside: DRF's JSON parser catches ValueError only; [[[…]]] was a 500."""
    _token, key = account_services.api_token_create(
        user=world["users"]["admin"], name="deep", access="write"
    )
    url = _urls(world)["activities"]
    deep = "[" * 100_000 + "]" * 100_000
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").post(
        url, deep, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_server_error_under_the_api_is_json(rf):
    """Django's handler500 (api.errors.server_error), as it is called on an exception."""
    from django.urls import get_resolver

    handler = get_resolver().resolve_error_handler(500)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        api = handler(rf.get("/api/v1/partnerships/"))
        page = handler(rf.get("/partnerships/"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"
    assert json.loads(api.content)["code"] == "server_error"
    assert page.status_code == 500 and "text/html" in page["Content-Type"]


@pytest.mark.parametrize(
    ("name", "geometry"), [("city_list", "Point"), ("partnership_list", "MultiLineString")]
)
def test_a_list_with_a_map_answers_format_geojson(world, name, geometry):
    client = _client(world, "officer_a")
    response = client.get(reverse(f"api:{name}"), {"format": "geojson"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert {f["geometry"]["type"] for f in body["features"]} == {geometry}
    same = client.get(reverse(f"api:{name}".replace("_list", "_geojson"))).json()
    assert body == same
