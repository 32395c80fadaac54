"""Every named URL × every role, generated from the URL configuration.

A new URL without an entry in MATRIX fails `test_every_url_has_an_entry`: adding a page
means deciding who may reach it. Roles:

- anonymous;
- officer_a: an officer of the home city A of partnership P (A–B, private);
- officer_b: an officer of B, the twinned counterpart: joint owner of P;
- officer_c: an officer of an unrelated city C (P is none of theirs: 404);
- coordinator_a: a coordinator of A (officers' management, strategy editing);
- plain: a signed-in user who works for no city;
- chamber: approved staff of a business association of A (no city either);
- pending: a chamber sign-up waiting for approval: sent to its status page from everywhere
  but that page, logging out, its password and the public pages;
- admin: a superuser.
"""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alliances import services as alliance_services
from partnerships import services
from partnerships.models import CityMembership, Step
from tests.factories.accounts import UserFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    ChamberMembershipFactory,
    InterestRegistrationFactory,
    PartnershipLeadFactory,
)
from tests.factories.partnerships import (
    BusinessPlanFactory,
    CityMembershipFactory,
    LetterOfIntentFactory,
    MOUFactory,
    PartnerFactory,
    PartnershipFactory,
    PlanActionFactory,
    walked_to,
)
from tests.factories.reminders import ReminderFactory

pytestmark = pytest.mark.django_db

# The outcome dicts below are written for these; "chamber" and "pending" are added to every
# entry by `_with_chamber_roles` (after MATRIX) unless an entry names them.
CORE_ROLES = ["anonymous", "officer_a", "officer_b", "officer_c", "coordinator_a", "plain", "admin"]
ROLES = [*CORE_ROLES[:-1], "chamber", "pending", "admin"]

# Outcomes: a status code, "login" for a redirect to the login page, or "status" for a
# redirect to a pending chamber account's status page.
PUBLIC = dict.fromkeys(CORE_ROLES, 200)
SIGNED_IN = {**dict.fromkeys(CORE_ROLES, 200), "anonymous": "login"}
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
POST_ONLY = {**dict.fromkeys(CORE_ROLES, 405), "anonymous": "login"}
POST_MEMBERS = {**MEMBERS, "officer_a": 302, "officer_b": 302, "coordinator_a": 302, "admin": 302}

# name: (expected on GET, expected on an empty POST or None when POST is not a use of it)
MATRIX = {
    "healthz": (PUBLIC, None),
    "readyz": (PUBLIC, None),
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
    # Step 8: a review's page (an empty POST re-shows the draft's form with its errors), its
    # completion (POST only, the same form), the knowledge base of the lessons each user may
    # see, and adopting a lesson into the strategy: coordinators of its home city and admins.
    "partnerships:review": (MEMBERS, {**MEMBERS}),
    "partnerships:review_complete": (POST_ONLY, {**MEMBERS}),
    "partnerships:lessons": (SIGNED_IN, None),
    "partnerships:lesson_adopt": (
        POST_ONLY,
        {**COORDINATORS_OF_A, "coordinator_a": 302, "admin": 302},
    ),
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
    # Reports: everyone signed in has a page (no city: exports only); exports hold only the
    # user's own portfolio; the import is for coordinators (of any city) and admins, an empty
    # POST re-shows the form with its error; the dossier for whoever may open the partnership.
    "partnerships:reports": (SIGNED_IN, None),
    "partnerships:export": (SIGNED_IN, None),
    "partnerships:cities_import": (COORDINATORS_OF_A, COORDINATORS_OF_A),
    "partnerships:dossier": (MEMBERS, None),
}

# Notifications (reminders): a person's own only — another's is a 404, admins included (the
# world holds one of officer_a's). The calendar feed needs no login: its address is the
# secret, and the world's token is nobody's (404).
ANYONE_SIGNED_IN_302 = {**dict.fromkeys(ROLES, 302), "anonymous": "login"}
OWN = {**dict.fromkeys(ROLES, 404), "anonymous": "login", "officer_a": 200}
MATRIX.update(
    {
        "notifications:list": (SIGNED_IN, None),
        "notifications:read_all": (POST_ONLY, ANYONE_SIGNED_IN_302),
        "notifications:read": (POST_ONLY, {**OWN, "officer_a": 302}),
        "notifications:snooze": (OWN, OWN),  # an empty POST: the form's errors
        "notifications:preferences": (SIGNED_IN, SIGNED_IN),
        "notifications:calendar": (SIGNED_IN, None),
        "notifications:calendar_renew": (POST_ONLY, ANYONE_SIGNED_IN_302),
        "notifications:calendar_revoke": (POST_ONLY, ANYONE_SIGNED_IN_302),
        "notifications:calendar_feed": (dict.fromkeys(ROLES, 404), None),
    }
)

# --- The chamber issue: chamber staff, sign-ups, businesses, interest, leads, matchmaking,
# outcomes, the public registry (businesses:*) and sub-alliances (alliances:*).
NOBODY = {**dict.fromkeys(CORE_ROLES, 404), "anonymous": "login"}
CHAMBER = {**NOBODY, "chamber": 200, "admin": 200}  # approved staff (and admins) only
OFFICERS = {**NOBODY, **dict.fromkeys(["officer_a", "officer_b", "officer_c"], 200)}
OFFICERS = {**OFFICERS, "coordinator_a": 200, "admin": 200}  # anyone working for a city
OF_A = {**NOBODY, "officer_a": 200, "coordinator_a": 200, "admin": 200}  # A's officers
MATRIX.update(
    {
        "businesses:signup": (PUBLIC, PUBLIC),  # officers get a page saying why not
        "businesses:status": (SIGNED_IN, None),
        "businesses:staff_requests": (OFFICERS, None),  # each sees their cities' requests
        "businesses:staff_request_decide": (OF_A, OF_A),  # a request to join A's chamber
        "businesses:business_list": (OFFICERS | {"chamber": 200}, None),
        "businesses:business_create": (CHAMBER, CHAMBER),
        "businesses:business_import": (CHAMBER, CHAMBER),
        "businesses:business_import_template": (CHAMBER, None),
        # A business of A: its chamber, and officers of A and of A's partner city B.
        "businesses:business_detail": (MEMBERS | {"chamber": 200}, None),
        "businesses:business_edit": (CHAMBER, CHAMBER),
        # The public registry (of a published partnership with a signed MOU): no login.
        "businesses:registry": (PUBLIC, None),
        "businesses:registry_detail": (PUBLIC, None),
        "businesses:registry_mou": (PUBLIC, None),
        "businesses:my_registrations": (CHAMBER, None),
        "businesses:interest_register": (CHAMBER, CHAMBER),
        "businesses:interest_withdraw": (POST_ONLY, {**NOBODY, "chamber": 302, "admin": 302}),
        "businesses:interest_inbox": (MEMBERS, None),
        "businesses:interest_decide": (MEMBERS, {**MEMBERS}),  # interest registered in P
        "businesses:lead_list": (OFFICERS, None),
        "businesses:lead_propose": (CHAMBER, CHAMBER),
        "businesses:lead_decide": (OF_A, OF_A),  # a lead of A's chamber, for A's search
        "businesses:matchmaking": (MEMBERS, None),
        "businesses:matchmaking_form": (POST_ONLY, POST_MEMBERS),
        "businesses:outcome_record": (MEMBERS, {**MEMBERS}),
        # Sub-alliances are the partnership's own record: its member cities' officers.
        "alliances:partnership_sub_alliances": (MEMBERS, None),
        "alliances:sub_alliance_create": (MEMBERS, {**MEMBERS}),
        "alliances:organisation_add": (MEMBERS, {**MEMBERS}),
        "alliances:sub_alliance_detail": (MEMBERS, None),
        "alliances:strength": (MEMBERS, {**MEMBERS}),
        # An empty POST is a valid "not done" (every field is optional): saved, redirected.
        "alliances:startup_task": (MEMBERS, POST_MEMBERS),
        "alliances:measure_add": (MEMBERS, {**MEMBERS}),
        "alliances:measure_edit": (OF_A, OF_A),  # A's own measure: only A's side changes it
    }
)

# What a pending chamber account may reach (everything else redirects it to its status page).
PENDING_ALLOWED = {
    "businesses:status",
    "logout",
    "password_change",
    "password_change_done",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "readyz",
    "businesses:signup",
    "businesses:registry",
    "businesses:registry_detail",
    "businesses:registry_mou",
}


def _with_chamber_roles(name: str, outcomes: dict | None) -> dict | None:
    """Chamber staff are plain users wherever an entry does not say otherwise (they see only
    published partnerships, and P is private); a pending account gets its status page."""
    if outcomes is None:
        return None
    outcomes = {**outcomes}
    outcomes.setdefault("chamber", outcomes["plain"])
    if name in PENDING_ALLOWED:
        outcomes.setdefault("pending", outcomes["plain"])
    else:
        outcomes["pending"] = "status"
    return outcomes


MATRIX = {
    name: (_with_chamber_roles(name, get), _with_chamber_roles(name, post))
    for name, (get, post) in MATRIX.items()
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
    review = services.review_create_draft(
        partnership=partnership, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 6, 30)
    )
    lesson = services.lesson_add(partnership=partnership, step=7, theme="T", text="Name a deputy.")
    chamber_kwargs, published = _chamber_world(users, city_a, city_b, partnership, pdf)
    kwargs = {
        "pk": partnership.pk,
        **chamber_kwargs,
        "review_id": review.pk,
        "lesson_id": lesson.pk,
        "candidate_id": candidate.pk,
        "doc_id": mou.pk,
        "kind": "mou",
        "action_id": action.pk,
        "strategy_id": draft.pk,
        "uidb64": "MQ",
        "token": "set-password",
        "dataset": "partnerships",
    }
    notification = ReminderFactory(partnership=partnership, recipient=users["officer_a"])
    kwargs["reminder_id"] = notification.pk
    city_kwargs = {"pk": city_a.pk}
    assert loi.pk
    return {
        "users": users,
        "kwargs": kwargs,
        "city_kwargs": city_kwargs,
        "date": dt.date.today(),
        # The registry's pages show a published partnership (P is private).
        "kwargs_for": {name: published for name in PENDING_ALLOWED if "registry" in name},
    }


def _chamber_world(users, city_a, city_b, partnership, pdf):
    """A's business association with approved staff ("chamber") and a pending sign-up; a
    business of each city; interest of A's chamber registered in P; a lead of A's chamber; a
    business sub-alliance in P with a measure of A's side; and a published partnership Q with
    a signed MOU for the registry."""
    association = BusinessAssociationFactory(organisation__partner=city_a)
    users["chamber"] = ChamberMembershipFactory(association=association).user
    pending = ChamberMembershipFactory(association=association, pending=True)
    users["pending"] = pending.user
    business = BusinessProfileFactory(association=association)
    other = BusinessProfileFactory(association__organisation__partner=city_b)
    registration = InterestRegistrationFactory(
        association=association, partnership=partnership, businesses=[business]
    )
    lead = PartnershipLeadFactory(association=association)
    sub_alliance = alliance_services.sub_alliance_create(
        partnership=partnership,
        user=None,
        name="Citrus linkage",
        purpose="Buyer and supplier.",
        grouping="business",
        form="partnership",
        organisations=[business.organisation, other.organisation],
        linkage_scope="bilateral",
        linkage_locus="external",
        linkage_direction="vertical",
    )
    measure = alliance_services.scorecard_measure_add(
        sub_alliance=sub_alliance,
        user=None,
        side=city_a,
        dimension="effectiveness",
        name="Containers shipped",
        unit="containers",
    )
    published = PartnershipFactory(home=city_a, title="Q", published=True)
    signed = MOUFactory(partnership=published, status="signed", document=pdf)
    kwargs = {
        "membership_id": pending.pk,
        "business_id": business.pk,
        "registration_id": registration.pk,
        "lead_id": lead.pk,
        "sub_alliance_id": sub_alliance.pk,
        "task_id": sub_alliance.startup_tasks.first().pk,
        "measure_id": measure.pk,
    }
    return kwargs, {"pk": published.pk, "mou_id": signed.pk}


def _url(name, world):
    pattern = named_urls()[name]
    wanted = pattern.pattern.converters.keys() if hasattr(pattern.pattern, "converters") else []
    source = (
        world["city_kwargs"]
        if name.startswith("partnerships:") and "cities/" in str(pattern.pattern)
        else world["kwargs"]
    )
    source = {**source, **world["kwargs_for"].get(name, {})}
    kwargs = {k: (source.get(k) or world["kwargs"][k]) for k in wanted}
    return reverse(name, kwargs=kwargs)


def _client_for(role, client, world):
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _outcome(response, expected):
    if expected == "status":
        status_page = reverse("businesses:status")
        redirected = response.status_code == 302 and response["Location"] == status_page
        return "status" if redirected else response.status_code
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
