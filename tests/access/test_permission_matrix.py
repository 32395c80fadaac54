"""Every named URL × every role, generated from the URL configuration.

A new URL without an entry in MATRIX fails `test_every_url_has_an_entry`: adding a page
means deciding who may reach it. Roles:

- anonymous;
- officer_a: an officer of the home city A of partnership P (A–B, private);
- officer_b: an officer of B, the twinned counterpart: joint owner of P;
- officer_c: an officer of an unrelated city C (P is none of theirs: 404);
- coordinator_a: a coordinator of A (officers' management, strategy editing);
- plain: a signed-in user who works for no city (chamber staff are such users);
- admin: a superuser.
"""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partnerships import services
from partnerships.models import CityMembership, Step
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    BusinessPlanFactory,
    CityMembershipFactory,
    LetterOfIntentFactory,
    MOUFactory,
    PartnerFactory,
    PlanActionFactory,
    walked_to,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "officer_a", "officer_b", "officer_c", "coordinator_a", "plain", "admin"]

# Outcomes: a status code, or "login" for a redirect to the login page.
PUBLIC = dict.fromkeys(ROLES, 200)
SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": "login"}
MEMBERS = {
    "anonymous": "login",
    "officer_a": 200,
    "officer_b": 200,
    "officer_c": 404,
    "coordinator_a": 200,
    "plain": 404,
    "admin": 200,
}
COORDINATORS_OF_A = {**MEMBERS, "officer_a": 404, "officer_b": 404}
POST_ONLY = {**dict.fromkeys(ROLES, 405), "anonymous": "login"}
POST_MEMBERS = {**MEMBERS, "officer_a": 302, "officer_b": 302, "coordinator_a": 302, "admin": 302}

# name: (expected on GET, expected on an empty POST or None when POST is not a use of it)
MATRIX = {
    "healthz": (PUBLIC, None),
    "login": (PUBLIC, None),
    "logout": ({**dict.fromkeys(ROLES, 405)}, None),
    "password_change": (SIGNED_IN, None),
    "password_change_done": (SIGNED_IN, None),
    "password_reset": (PUBLIC, None),
    "password_reset_done": (PUBLIC, None),
    "password_reset_confirm": (PUBLIC, None),
    "password_reset_complete": (PUBLIC, None),
    "partnerships:dashboard": (SIGNED_IN, None),
    "partnerships:list": (SIGNED_IN, None),
    # Only someone working for a city has a home city to start a partnership from.
    "partnerships:create": ({**SIGNED_IN, "plain": 404}, None),
    "partnerships:detail": (MEMBERS, None),
    "partnerships:edit": (MEMBERS, {**MEMBERS}),
    "partnerships:advance": (POST_ONLY, POST_MEMBERS),
    "partnerships:return": (MEMBERS, None),
    "partnerships:confirm": (POST_ONLY, POST_MEMBERS),
    "partnerships:champion_add": (MEMBERS, {**MEMBERS}),
    "partnerships:document": (MEMBERS, None),
    "partnerships:search": (MEMBERS, None),
    "partnerships:candidate_add": (POST_ONLY, POST_MEMBERS),
    "partnerships:candidate": (MEMBERS, None),
    "partnerships:contact_add": (MEMBERS, {**MEMBERS}),
    "partnerships:due_diligence": (MEMBERS, {**MEMBERS}),
    "partnerships:feasibility": (MEMBERS, {**MEMBERS}),
    "partnerships:selection": (MEMBERS, {**MEMBERS}),
    "partnerships:letter_of_intent": (MEMBERS, {**MEMBERS}),
    "partnerships:business_plan": (MEMBERS, {**MEMBERS}),
    "partnerships:action_add": (MEMBERS, {**MEMBERS}),
    "partnerships:action_status": (POST_ONLY, None),
    "partnerships:kpi_add": (MEMBERS, {**MEMBERS}),
    "partnerships:mou": (MEMBERS, {**MEMBERS}),
    "partnerships:mou_sign": (POST_ONLY, POST_MEMBERS),
    "partnerships:activity_add": (MEMBERS, {**MEMBERS}),
    "partnerships:review_add": (MEMBERS, {**MEMBERS}),
    "partnerships:lesson_add": (MEMBERS, {**MEMBERS}),
    "partnerships:city_list": (SIGNED_IN, None),
    "partnerships:city_detail": (SIGNED_IN, None),
    "partnerships:strategy": (SIGNED_IN, None),
    "partnerships:strategy_approve": (
        POST_ONLY,
        {**COORDINATORS_OF_A, "coordinator_a": 302, "admin": 302},
    ),
    # An empty POST names no action: a 400 with a message for those allowed.
    "partnerships:officers": (
        COORDINATORS_OF_A,
        {**COORDINATORS_OF_A, "coordinator_a": 400, "admin": 400},
    ),
}


def named_urls() -> dict[str, URLPattern]:
    """Every named route outside the Django admin (tested on its own in test_admin)."""
    found = {}

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                found[f"{namespace}:{p.name}" if namespace else p.name] = p

    walk(get_resolver().url_patterns)
    return found


def test_every_url_has_an_entry():
    missing = sorted(set(named_urls()) - set(MATRIX))
    assert not missing, f"Decide who may reach these URLs, in MATRIX: {missing}"
    assert not sorted(set(MATRIX) - set(named_urls())), "MATRIX names a URL that is gone"


@pytest.fixture
def world(db):
    """Partnership P between A and B (private, in the MOU step) with every artefact a URL needs."""
    city_a, city_b, city_c = PartnerFactory(), PartnerFactory(), PartnerFactory()
    users = {
        "officer_a": UserFactory(),
        "officer_b": UserFactory(),
        "officer_c": UserFactory(),
        "coordinator_a": UserFactory(),
        "plain": UserFactory(),
        "admin": UserFactory(is_superuser=True, is_staff=True),
    }
    for role, city in [("officer_a", city_a), ("officer_b", city_b), ("officer_c", city_c)]:
        CityMembershipFactory(user=users[role], partner=city)
    CityMembershipFactory(
        user=users["coordinator_a"], partner=city_a, role=CityMembership.Role.COORDINATOR
    )
    partnership = walked_to(Step.SELECTION, home=city_a)
    candidate = partnership.candidates.get()
    services.candidate_add(partnership=partnership, partner=city_b, rationale="Twin port")
    services.selection_decide(
        partnership=partnership, candidate=partnership.candidates.get(partner=city_b), reasons="x"
    )
    plan = BusinessPlanFactory(partnership=partnership)
    action = PlanActionFactory(plan=plan)
    pdf = ContentFile(b"%PDF-1.4\n%test\n", name="x.pdf")
    mou = MOUFactory(partnership=partnership, status="draft", signed_on=None, document=pdf)
    loi = LetterOfIntentFactory(partnership=partnership, document=pdf)
    draft = services.strategy_create(
        partner=city_a, vision="v", goals="g", criteria=[{"name": "Port", "weight": 2}]
    )
    kwargs = {
        "pk": partnership.pk,
        "candidate_id": candidate.pk,
        "doc_id": mou.pk,
        "kind": "mou",
        "action_id": action.pk,
        "strategy_id": draft.pk,
        "uidb64": "MQ",
        "token": "set-password",
    }
    city_kwargs = {"pk": city_a.pk}
    assert loi.pk
    return {"users": users, "kwargs": kwargs, "city_kwargs": city_kwargs, "date": dt.date.today()}


def _url(name, world):
    pattern = named_urls()[name]
    wanted = pattern.pattern.converters.keys() if hasattr(pattern.pattern, "converters") else []
    source = (
        world["city_kwargs"]
        if name.startswith("partnerships:") and "cities/" in str(pattern.pattern)
        else world["kwargs"]
    )
    kwargs = {k: (source.get(k) or world["kwargs"][k]) for k in wanted}
    return reverse(name, kwargs=kwargs)


def _client_for(role, client, world):
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _outcome(response, expected):
    if expected == "login":
        return (
            "login"
            if response.status_code == 302 and "/login/" in response["Location"]
            else (response.status_code)
        )
    return response.status_code


CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_get(name, role, client, world):
    expected = MATRIX[name][0][role]
    response = _client_for(role, client, world).get(_url(name, world))
    assert _outcome(response, expected) == expected


POST_CASES = [(n, r) for n in MATRIX if MATRIX[n][1] for r in ROLES]


@pytest.mark.parametrize(("name", "role"), POST_CASES, ids=[f"{n}-{r}" for n, r in POST_CASES])
def test_empty_post(name, role, client, world):
    """An empty POST: the right people get a form error or a refusal, others 404, never 500."""
    expected = MATRIX[name][1][role]
    response = _client_for(role, client, world).post(_url(name, world), {})
    assert _outcome(response, expected) == expected
