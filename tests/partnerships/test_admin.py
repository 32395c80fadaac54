"""The partnerships admin, driven through the admin's own pages as a superuser.

Covers: every page of every registered model renders; the step actions call the services and
report their refusals; validation surfaces as form errors (never a 500, never half a save);
and list, change and autocomplete pages issue no query per row.

The data is built here with the services (and plain ORM for the artefacts that have no
service), so these tests depend on nothing but the app itself. The walked partnership most
tests read is built once per module (tests/worlds.py: each test's writes are rolled back).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.contrib import admin, messages
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

import partnerships.models as pm
from accounts.models import User
from partnerships import services
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    ApproachContact,
    BusinessPlan,
    Candidate,
    Champion,
    CityMembership,
    CooperationArea,
    CriterionScore,
    DueDiligence,
    FeasibilityStudy,
    KPIResult,
    Lesson,
    LetterOfIntent,
    MOUSignatory,
    Partner,
    Partnership,
    PartnershipMember,
    PlanAction,
    Review,
    SelectionDecision,
    Step,
    StepTransition,
    StrategyCriterion,
    SuccessFactorRating,
    TwinningStrategy,
)
from tests.factories.partnerships import OfflineConfirmationFactory, confirm_each_side
from tests.pdfs import PDF
from tests.worlds import SharedWorld, shared_world

pytestmark = pytest.mark.django_db

NORTH, SOUTH = Partner.GlobalRegion.NORTH, Partner.GlobalRegion.SOUTH


# --- Data -----------------------------------------------------------------------------------


def make_city(name: str, country: str = "ZA", region: str = SOUTH, **fields) -> Partner:
    return Partner.objects.create(name=name, country=country, global_region=region, **fields)


def city_with_strategy(name: str, user=None) -> tuple[Partner, TwinningStrategy]:
    city = make_city(name, kind=Partner.Kind.METRO, population=800_000)
    strategy = services.strategy_create(
        partner=city,
        user=user,
        vision="A city open to the world's ports and markets.",
        goals="Trade, tourism and skills for the metro's young people.",
        criteria=[
            {
                "name": "Port and trade fit",
                "measure": "shared_sectors",
                "weight": 3,
                "max_score": 5,
            },
            {"name": "Tourism", "measure": "complementary_sectors", "weight": 1, "max_score": 10},
        ],
    )
    services.strategy_put_in_force(strategy=strategy, approved_on=dt.date(2024, 6, 1))
    return city, strategy


def new_partnership(home: Partner, title: str, user=None) -> Partnership:
    return services.partnership_create(
        home=home, title=title, category=Partnership.Category.SISTER_CITY, user=user
    )


def advance(partnership: Partnership, user=None) -> Partnership:
    services.partnership_advance(partnership=partnership, user=user)
    partnership.refresh_from_db()
    return partnership


def confirm_both_sides(partnership: Partnership) -> None:
    """The joint sign-off of selection and agreement: each city confirms (an officer of a
    city with officers, else on paper recorded for it: tests.factories)."""
    confirm_each_side(partnership)


def walk(suffix: str, user) -> Partnership:
    """A partnership walked through all eight steps, leaving one of every artefact behind."""
    home, strategy = city_with_strategy(f"Buffalo City {suffix}", user)
    other = make_city(f"Gdańsk {suffix}", country="PL", region=NORTH)
    CityMembership.objects.create(user=user, partner=home, role=CityMembership.Role.COORDINATOR)
    officer = User.objects.create_user(username=f"gdansk-{suffix}", first_name="Marta")
    CityMembership.objects.create(user=officer, partner=other)
    trade = CooperationArea.objects.get(code="trade")
    p = services.partnership_create(
        home=home,
        title=f"Buffalo City – Gdańsk {suffix}",
        category=Partnership.Category.SISTER_CITY,
        user=user,
        areas=[trade],
    )
    advance(p, user)  # → search
    candidate = services.candidate_add(
        partnership=p, partner=other, rationale="A port city with a tourism economy.", user=user
    )
    advance(p, user)  # → approach and evaluation
    ApproachContact.objects.create(
        candidate=candidate,
        contact_name="M. Nowak",
        channel=ApproachContact.Channel.EMBASSY,
        response=ApproachContact.Response.POSITIVE,
    )
    DueDiligence.objects.create(
        candidate=candidate,
        alliance_history="Twelve partnerships, none failed.",
        existing_partnerships=12,
        capability_gaps="Port logistics training.",
    )
    FeasibilityStudy.objects.create(
        candidate=candidate,
        summary="Direct flights and a shared port agenda.",
        conclusion=FeasibilityStudy.Conclusion.FEASIBLE,
    )
    advance(p, user)  # → selection
    CriterionScore.objects.create(
        candidate=candidate, criterion=strategy.criteria.get(name="Port and trade fit"), score=4
    )
    services.selection_decide(
        partnership=p, candidate=candidate, reasons="Best fit on trade.", user=user
    )
    confirm_both_sides(p)
    advance(p, user)  # → planning
    LetterOfIntent.objects.create(
        partnership=p, signed_on=dt.date(2024, 11, 1), signed_by="Both executive mayors."
    )
    plan = BusinessPlan.objects.create(
        partnership=p,
        vision="Two port cities trading and learning together.",
        goals="More trade; youth exchange.",
        objectives="Four trade missions in five years.",
        scope="Trade, tourism, education.",
    )
    PlanAction.objects.create(
        plan=plan,
        description="Trade mission to Gdańsk",
        owner="Economic development unit",
        owner_partner=home,
        due_on=dt.date(2025, 6, 30),
    )
    KPI.objects.create(partnership=p, name="Trade missions", unit="missions", target=4, area=trade)
    advance(p, user)  # → agreement
    mou = MOU.objects.create(
        partnership=p,
        effective_on=dt.date(2025, 1, 1),
        expires_on=dt.date(2030, 1, 1),
        termination_conditions="Six months' written notice.",
    )
    mou.areas.set([trade])
    MOUSignatory.objects.create(mou=mou, partner=home, name="Executive Mayor")
    services.mou_sign(mou=mou, signed_on=dt.date(2024, 12, 10))
    confirm_both_sides(p)
    advance(p, user)  # → implementation
    Activity.objects.create(
        partnership=p,
        kind=Activity.Kind.TRADE_MISSION,
        title="First trade mission",
        participants=14,
        created_by=user,
    )
    Champion.objects.create(partnership=p, partner=home, name="Cllr Dlamini", user=user)
    advance(p, user)  # → measurement and learning
    review = Review.objects.create(
        partnership=p,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        status=Review.Status.COMPLETED,
        decision=Review.Decision.CONTINUE,
    )
    KPIResult.objects.create(review=review, kpi=p.kpis.first(), actual=3)
    from notifications.models import CalendarFeed, NotificationPreference, Reminder

    Reminder.objects.create(
        partnership=p,
        kind=Reminder.Kind.REVIEW_OVERDUE,
        object_id=p.pk,
        occurrence=dt.date(2025, 12, 31),
        recipient=user,
        recipient_email=user.email or "officer@example.org",
        role=Reminder.Role.OFFICER,
    )
    # The builder runs more than once per test: one preference and one feed per user.
    NotificationPreference.objects.get_or_create(user=user)
    CalendarFeed.objects.get_or_create(user=user, defaults={"secret": "s" * 64})
    SuccessFactorRating.objects.create(review=review, factor="communication", rating=4)
    Lesson.objects.create(
        partnership=p,
        review=review,
        step=Step.IMPLEMENTATION,
        theme="Continuity",
        text="Name a deputy champion on each side.",
        recorded_by=user,
    )
    return p


def add_more_rows(p: Partnership, n: int, suffix: str) -> None:
    """More rows in every inline of the walked partnership's pages (for the query counts)."""
    home = p.members.get(role=PartnershipMember.Role.HOME).partner
    candidate = p.candidates.get()
    strategy = p.strategy
    plan, mou, review = p.business_plan, p.mous.get(), p.reviews.get()
    area = CooperationArea.objects.get(code="tourism")
    for i in range(n):
        city = make_city(f"Extra {suffix}{i}", country="BR")
        user = User.objects.create_user(username=f"extra-{suffix}-{i}")
        PartnershipMember.objects.create(partnership=p, partner=city)
        Champion.objects.create(partnership=p, partner=city, user=user, name=f"Champion {i}")
        other = Candidate.objects.create(partnership=p, partner=make_city(f"Cand {suffix}{i}"))
        ApproachContact.objects.create(candidate=candidate, contact_name=f"Contact {i}")
        KPI.objects.create(partnership=p, name=f"KPI {i}", unit="visits", target=i, area=area)
        MOU.objects.create(partnership=p)
        MOUSignatory.objects.create(mou=mou, partner=city, name=f"Signatory {i}")
        Activity.objects.create(partnership=p, kind=Activity.Kind.EXCHANGE_VISIT, title=f"A{i}")
        r = Review.objects.create(
            partnership=p, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30)
        )
        Lesson.objects.create(partnership=p, review=r, step=Step.SEARCH, theme="T", text="x")
        PlanAction.objects.create(
            plan=plan,
            description=f"Action {i}",
            owner="o",
            owner_partner=city,
            due_on=dt.date.today(),
        )
        StrategyCriterion.objects.create(
            strategy=strategy, name=f"Criterion {i}", measure="judgement"
        )
        CityMembership.objects.create(user=user, partner=home)
        ApproachContact.objects.create(candidate=other, contact_name="x")
    CriterionScore.objects.create(
        candidate=candidate, criterion=strategy.criteria.get(name="Tourism"), score=7
    )
    services.partnership_return(partnership=p, to_step=Step.PLANNING, reason="Re-plan.")
    p.refresh_from_db()
    advance(p)  # → agreement
    confirm_both_sides(p)
    advance(p)  # → implementation
    advance(p)  # → measurement
    Lesson.objects.create(partnership=p, review=review, step=Step.PLANNING, theme="U", text="y")


def _walked_world() -> dict:
    """The admin user, made as pytest-django's `admin_user` makes it (which then finds it), and
    the partnership it walked through all eight steps."""
    extra = {"email": "admin@example.com"} if "email" in User.REQUIRED_FIELDS else {}
    admin_user = User.objects.create_superuser(username="admin", password="password", **extra)
    walked = walk("A", admin_user)
    # A confirmation given outside the portal, as if recorded before Gdańsk's officer joined.
    other = walked.members.get(role="counterpart").partner
    OfflineConfirmationFactory(partnership=walked, partner=other)
    # A saved view of the list, the admin's default.
    view = services.saved_view_save(user=admin_user, name="At the MOU", query="step=6")
    services.default_view_set(user=admin_user, view_id=view.pk)
    # A PDF held while its form was corrected (partnerships/services/uploads.py).
    services.upload_hold(
        user=admin_user, scope=f"mou:{walked.pk}", file=ContentFile(PDF, name="signed-mou.pdf")
    )
    return {"admin": admin_user.pk, "walked": walked.pk}


@shared_world
def walked_once(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """Walked once per module (tests/worlds.py); each test's changes are rolled back."""
    with SharedWorld(request, django_db_blocker, tmp_path_factory) as world:
        world.build(_walked_world)
        yield world


@pytest.fixture
def walked(walked_once, db, request, admin_user) -> Partnership:
    world = walked_once.enter(request)
    assert admin_user.pk == world["admin"]
    return Partnership.objects.get(pk=world["walked"])


# --- Helpers for driving the admin ----------------------------------------------------------


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def count_queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(ctx.captured_queries)


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def form_data(form) -> dict:
    """What a browser posts for a form as the admin rendered it (unchanged)."""
    data: dict = {}
    for bound in form:
        field, name, value = bound.field, bound.html_name, bound.value()
        widget = getattr(field.widget, "widget", field.widget)
        if isinstance(field, forms.FileField):
            continue
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for suffix, part in zip(widget.widgets_names, parts, strict=True):
                data[f"{name}{suffix}"] = _plain(part)
        elif getattr(widget, "allow_multiple_selected", False):
            data[name] = [_plain(v) for v in value or ()]
        elif isinstance(value, list | tuple):
            data[name] = [_plain(v) for v in value]
        else:
            data[name] = _plain(value)
        if field.show_hidden_initial:
            data[bound.html_initial_name] = _plain(bound.initial)
    return data


def changeform_data(client, address: str) -> dict:
    """GET an admin add/change page and return the POST data that would save it unchanged:
    the main form and every inline's existing rows (the empty extra rows left out)."""
    response = client.get(address)
    assert response.status_code == 200
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        initial = len(formset.initial_forms)
        data.update(
            {
                f"{formset.prefix}-TOTAL_FORMS": str(initial),
                f"{formset.prefix}-INITIAL_FORMS": str(initial),
                f"{formset.prefix}-MIN_NUM_FORMS": "0",
                f"{formset.prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for form in formset.initial_forms:
            data.update(form_data(form))
    return data


def add_row(data: dict, prefix: str, **values) -> None:
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for key, value in values.items():
        data[f"{prefix}-{index}-{key}"] = _plain(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


def all_errors(response) -> str:
    """Every error the admin page shows (main form, inline rows, inline non-form errors)."""
    texts = [str(e) for e in response.context["errors"]]
    for inline in response.context["inline_admin_formsets"]:
        texts.extend(str(e) for e in inline.formset.non_form_errors())
    return " | ".join(texts)


# --- Registration and pages -----------------------------------------------------------------

APPS = {"partnerships", "notifications", "accounts"}
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in APPS),
    key=lambda m: m._meta.label,
)


def test_every_partnerships_model_is_registered():
    models = {getattr(pm, name) for name in pm.__all__} - {Step}
    assert models - set(admin.site._registry) == set()


def test_admin_passes_djangos_checks():
    from django.core import checks

    # As `manage.py check` does: what settings silence is not an error.
    errors = [e for e in checks.run_checks() if e.level >= checks.ERROR and not e.is_silenced()]
    assert errors == []


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_admin_pages_render(model, walked, admin_client, admin_user, rf):
    model_admin = admin.site._registry[model]
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the test data has no {model._meta.label}"

    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "changelist") + "?q=a").status_code == 200
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200

    request = rf.get("/")
    request.user = admin_user
    add_page = admin_client.get(url(model, "add"))
    # The record of moves is written only by services.partnership_move: no add page.
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert add_page.status_code == expected
    if isinstance(model_admin, SimpleHistoryAdmin):
        assert admin_client.get(url(model, "history", obj.pk)).status_code == 200


def test_step_transitions_are_read_only(walked, admin_client):
    move = StepTransition.objects.first()
    page = admin_client.get(url(StepTransition, "change", move.pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client.post(url(StepTransition, "delete", move.pk)).status_code == 403


@pytest.mark.parametrize(
    ("source", "field", "expected"),
    [
        (PartnershipMember, "partner", "Gdańsk A (PL)"),
        (PartnershipMember, "partnership", "Buffalo City – Gdańsk A"),
        (CriterionScore, "candidate", "Gdańsk A for Buffalo City – Gdańsk A"),
        (Partnership, "strategy", "Buffalo City A strategy v1 (In force)"),
        (Champion, "user", "admin"),
    ],
)
def test_autocomplete_lookups(walked, admin_client, source, field, expected):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": source._meta.app_label,
            "model_name": source._meta.model_name,
            "field_name": field,
            "term": expected.split()[0],
        },
    )
    assert response.status_code == 200
    assert expected in [r["text"] for r in response.json()["results"]]


# --- No per-row queries ---------------------------------------------------------------------


def test_changelists_issue_no_per_row_queries(admin_client, admin_user):
    walk("A", admin_user)
    addresses = {m._meta.label: url(m, "changelist") for m in REGISTERED}
    for address in addresses.values():
        admin_client.get(address)  # warm the per-process caches (content types…)
    before = {label: count_queries(admin_client, a) for label, a in addresses.items()}
    walk("B", admin_user)
    walk("C", admin_user)
    after = {label: count_queries(admin_client, a) for label, a in addresses.items()}
    assert after == before


def test_partnership_changelist_queries_do_not_grow_with_rows(admin_client, admin_user):
    def add_partnerships(n: int, offset: int) -> None:
        for i in range(offset, offset + n):
            home, _ = city_with_strategy(f"Home {i}")
            p = new_partnership(home, f"Partnership {i:02}", user=admin_user)
            services.partnership_add_partner(
                partnership=p, partner=make_city(f"Other {i}", "DE", NORTH)
            )

    address = url(Partnership, "changelist")
    add_partnerships(5, 0)
    admin_client.get(address)
    with CaptureQueriesContext(connection) as five:
        response = admin_client.get(address)
    assert response.context["cl"].result_count == 5
    add_partnerships(20, 5)
    with CaptureQueriesContext(connection) as twenty_five:
        response = admin_client.get(address)
    assert response.context["cl"].result_count == 25
    assert len(twenty_five.captured_queries) == len(five.captured_queries)


def test_change_pages_issue_no_per_row_queries(walked, admin_client):
    p = walked
    candidate, mou = p.candidates.get(), p.mous.get()
    pages = {
        "partnership": url(Partnership, "change", p.pk),
        "candidate": url(Candidate, "change", candidate.pk),
        "mou": url(MOU, "change", mou.pk),
        "business plan": url(BusinessPlan, "change", p.business_plan.pk),
        "strategy": url(TwinningStrategy, "change", p.strategy_id),
        "home city": url(Partner, "change", p.members.get(role="home").partner_id),
    }
    for address in pages.values():
        admin_client.get(address)
    before = {name: count_queries(admin_client, a) for name, a in pages.items()}
    add_more_rows(p, 4, "x")
    after = {name: count_queries(admin_client, a) for name, a in pages.items()}
    assert after == before


# --- The step actions -----------------------------------------------------------------------


def test_advance_action_moves_and_names_the_new_step(admin_client, admin_user):
    home, _ = city_with_strategy("Cape Town")
    p = new_partnership(home, "Cape Town – Aachen")

    response = admin_client.post(
        url(Partnership, "changelist"),
        {"action": "advance_to_next_step", "_selected_action": [p.pk]},
    )

    assert response.status_code == 302
    p.refresh_from_db()
    assert p.step == Step.SEARCH
    assert messages_of(response) == [
        (messages.SUCCESS, "“Cape Town – Aachen” advanced to step 2: Search.")
    ]
    move = p.transitions.get()
    assert (move.from_step, move.to_step, move.kind, move.by) == (1, 2, "advance", admin_user)


def test_advance_action_reports_every_missing_item(admin_client):
    ready_home, _ = city_with_strategy("Cape Town")
    ready = new_partnership(ready_home, "A ready one")
    stuck = new_partnership(make_city("Polokwane"), "B without a strategy")
    stuck_in_search = advance(new_partnership(city_with_strategy("Durban")[0], "C no candidate"))

    response = admin_client.post(
        url(Partnership, "changelist"),
        {
            "action": "advance_to_next_step",
            "_selected_action": [ready.pk, stuck.pk, stuck_in_search.pk],
        },
    )

    assert response.status_code == 302
    reported = messages_of(response)
    assert reported[0] == (messages.SUCCESS, "“A ready one” advanced to step 2: Search.")
    level, text = reported[1]
    assert level == messages.ERROR
    assert "“B without a strategy”" in text
    assert "cannot leave “Strategy” yet" in text
    assert "Put a twinning strategy in force for the home city." in text
    assert reported[2][0] == messages.ERROR
    assert "Draw up at least one candidate city, with its rationale." in reported[2][1]
    stuck.refresh_from_db()
    stuck_in_search.refresh_from_db()
    assert (stuck.step, stuck_in_search.step) == (Step.STRATEGY, Step.SEARCH)
    assert not stuck.transitions.exists()


def test_return_action_shows_its_form_then_returns_with_the_reason(
    walked, admin_client, admin_user
):
    p = walked
    address = url(Partnership, "changelist")

    page = admin_client.post(
        address, {"action": "return_to_earlier_step", "_selected_action": [p.pk], "index": 0}
    )

    assert page.status_code == 200
    assert "admin/partnerships/partnership/return_to_step.html" in [t.name for t in page.templates]
    assert page.context["form"].fields["to_step"].choices[-1] == (7, "7. Implementation")
    html = page.content.decode()
    assert f'name="_selected_action" value="{p.pk}"' in html
    assert 'name="action" value="return_to_earlier_step"' in html

    response = admin_client.post(
        address,
        {
            "action": "return_to_earlier_step",
            "_selected_action": [p.pk],
            "post": "yes",
            "to_step": "5",
            "reason": "The business plan needs a youth exchange strand.",
        },
    )

    assert response.status_code == 302
    p.refresh_from_db()
    assert p.step == Step.PLANNING
    assert messages_of(response) == [
        (messages.SUCCESS, "“Buffalo City – Gdańsk A” returned to step 5: Planning.")
    ]
    move = p.transitions.first()
    assert (move.kind, move.to_step, move.by) == ("return", 5, admin_user)
    assert move.reason == "The business plan needs a youth exchange strand."


@pytest.mark.parametrize("reason", ["", "   "])
def test_return_action_without_a_reason_shows_the_form_again(walked, admin_client, reason):
    p = walked
    moves = p.transitions.count()

    response = admin_client.post(
        url(Partnership, "changelist"),
        {
            "action": "return_to_earlier_step",
            "_selected_action": [p.pk],
            "post": "yes",
            "to_step": "5",
            "reason": reason,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "reason": ["Say why the partnership returns to an earlier step."]
    }
    assert "Say why the partnership returns to an earlier step." in response.content.decode()
    p.refresh_from_db()
    assert p.step == Step.MEASUREMENT
    assert p.transitions.count() == moves


def test_return_action_reports_each_partnership(walked, admin_client):
    early = advance(new_partnership(city_with_strategy("Durban")[0], "Durban – Nantes"))

    response = admin_client.post(
        url(Partnership, "changelist"),
        {
            "action": "return_to_earlier_step",
            "_selected_action": [walked.pk, early.pk],
            "post": "yes",
            "to_step": "3",
            "reason": "Evaluate again.",
        },
    )

    assert response.status_code == 302
    reported = dict((text.split("”")[0], (level, text)) for level, text in messages_of(response))
    assert reported["“Buffalo City – Gdańsk A"][0] == messages.SUCCESS
    level, text = reported["“Durban – Nantes"]
    assert level == messages.ERROR
    assert "Choose an earlier step to return to." in text
    early.refresh_from_db()
    assert early.step == Step.SEARCH


def test_return_action_never_moves_a_partnership_forward(admin_client, admin_user):
    """A "return" to the step after the current one must not become an advance, even when
    the gate is met (services.partnership_move alone would treat it as one)."""
    late = walk("A", admin_user)
    ready = new_partnership(city_with_strategy("Durban")[0], "Durban – Nantes")  # gate met

    response = admin_client.post(
        url(Partnership, "changelist"),
        {
            "action": "return_to_earlier_step",
            "_selected_action": [late.pk, ready.pk],
            "post": "yes",
            "to_step": "2",
            "reason": "Search again.",
        },
    )

    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.step == Step.STRATEGY
    assert not ready.transitions.exists()
    assert (
        messages.ERROR,
        "“Durban – Nantes”: The partnership cannot return there. "
        "• Choose an earlier step to return to.",
    ) in messages_of(response)
    late.refresh_from_db()
    assert late.step == Step.SEARCH


def test_return_action_at_the_first_step_has_nowhere_to_go(admin_client):
    p = new_partnership(make_city("Polokwane"), "Polokwane – Reggio Emilia")
    response = admin_client.post(
        url(Partnership, "changelist"),
        {"action": "return_to_earlier_step", "_selected_action": [p.pk]},
    )
    assert response.status_code == 302
    assert messages_of(response)[0][0] == messages.WARNING


def test_change_page_shows_the_gate_of_the_current_step(admin_client):
    p = new_partnership(make_city("Polokwane"), "Polokwane – Reggio Emilia")
    html = admin_client.get(url(Partnership, "change", p.pk)).content.decode()
    assert "Gate to leave this step" in html
    assert 'alt="met"> Name the home city of the partnership.' in html
    assert 'alt="missing"> Put a twinning strategy in force for the home city.' in html


def test_step_cannot_be_changed_through_the_change_form(walked, admin_client):
    p = walked
    address = url(Partnership, "change", p.pk)
    data = changeform_data(admin_client, address)
    assert "step" not in data
    data.update(step="2", title="Renamed")

    response = admin_client.post(address, data)

    assert response.status_code == 302, all_errors(response)
    p.refresh_from_db()
    assert (p.title, p.step) == ("Renamed", Step.MEASUREMENT)


def test_history_is_shown_but_never_reverted_around_the_services(walked, admin_client):
    """Found from outside: reverting a completed review to an old version reopened it, and a
    terminated MOU became signed again; a revert writes a whole old row past every rule."""
    p = walked
    first = p.history.order_by("history_date", "history_id").first()
    address = reverse(
        "admin:partnerships_partnership_simple_history", args=(p.pk, first.history_id)
    )
    page = admin_client.get(address)
    assert page.status_code == 200
    data = form_data(page.context["adminform"].form)
    data["title"] = "Reverted title"

    admin_client.post(address, data)

    p.refresh_from_db()
    assert p.title != "Reverted title" and p.step == Step.MEASUREMENT
    # Every admin with history views refuses the same way (the review's was its own base).
    from django.contrib import admin as django_admin

    from core.admin import PortalHistoryAdmin

    with_history = [
        a for a in django_admin.site._registry.values() if hasattr(a, "history_form_view")
    ]
    assert with_history and all(isinstance(a, PortalHistoryAdmin) for a in with_history)


def test_saving_members_refreshes_the_orientation(admin_client):
    p = new_partnership(make_city("Polokwane"), "Polokwane – Reggio Emilia")
    assert p.orientation == ""
    address = url(Partnership, "change", p.pk)
    data = changeform_data(admin_client, address)
    reggio = make_city("Reggio Emilia", "IT", NORTH)
    add_row(data, "members", partner=reggio.pk, role="counterpart", joined_on="2025-02-01")

    response = admin_client.post(address, data)

    assert response.status_code == 302, all_errors(response)
    p.refresh_from_db()
    assert p.orientation == Partnership.Orientation.NORTH_SOUTH
    assert p.members.count() == 2


def test_partnership_added_through_the_admin_starts_at_the_strategy_step(admin_client, admin_user):
    home = make_city("eThekwini")
    address = url(Partnership, "add")
    data = changeform_data(admin_client, address)
    data.update(title="eThekwini – Leeds", category="sister_city")
    add_row(data, "members", partner=home.pk, role="home", joined_on="2025-02-01")

    response = admin_client.post(address, data)

    assert response.status_code == 302, all_errors(response)
    p = Partnership.objects.get(title="eThekwini – Leeds")
    assert (p.step, p.created_by) == (Step.STRATEGY, admin_user)
    assert p.members.get().partner == home


def _aachen_candidate():
    """Cape Town's partnership, with Aachen its candidate."""
    home, _ = city_with_strategy("Cape Town")
    p = new_partnership(home, "Cape Town – Aachen")
    aachen = make_city("Aachen", "DE", NORTH)
    candidate = services.candidate_add(partnership=p, partner=aachen, rationale="Universities.")
    return p, aachen, candidate


def _selection_posted(admin_client, p, candidate, reasons: str) -> tuple[str, dict]:
    """The partnership's admin page, with a selection of `candidate` added in its inline."""
    address = url(Partnership, "change", p.pk)
    data = changeform_data(admin_client, address)
    add_row(
        data,
        "selection_decision",
        candidate=candidate.pk,
        reasons=reasons,
        decided_on="2025-02-01",
    )
    return address, data


def test_selection_recorded_in_the_admin_adds_the_chosen_city(admin_client, admin_user):
    p, aachen, candidate = _aachen_candidate()
    address, data = _selection_posted(admin_client, p, candidate, "The strongest university links.")

    response = admin_client.post(address, data)

    assert response.status_code == 302, all_errors(response)
    decision = SelectionDecision.objects.get(partnership=p)
    assert (decision.candidate, decision.decided_by) == (candidate, admin_user)
    assert decision.decided_on == dt.date(2025, 2, 1)
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.SELECTED
    assert p.members.filter(partner=aachen, role="counterpart").exists()
    p.refresh_from_db()
    assert p.orientation == Partnership.Orientation.NORTH_SOUTH


def test_a_selection_the_service_refuses_is_a_form_error_in_the_admin(admin_client):
    """Found from outside: choosing a rejected candidate, in the decision's own page or the
    partnership's inline, raised the service's refusal from save_model: a 500."""
    p, aachen, candidate = _aachen_candidate()
    Candidate.objects.filter(pk=candidate.pk).update(status=Candidate.Status.REJECTED)
    address, data = _selection_posted(admin_client, p, candidate, "Links.")

    response = admin_client.post(address, data)

    assert response.status_code == 200
    assert "Aachen was rejected; shortlist it again first." in all_errors(response)
    assert not SelectionDecision.objects.exists()
    assert not p.members.filter(partner=aachen).exists()


def test_put_in_force_action(admin_client, admin_user):
    city, v1 = city_with_strategy("Johannesburg")
    v2 = services.strategy_create(
        partner=city,
        vision="v",
        goals="g",
        criteria=[{"name": "Port", "measure": "shared_sectors", "weight": 2}],
    )
    other_city, w1 = city_with_strategy("Tshwane")
    w2 = services.strategy_create(partner=other_city, vision="v", goals="g")
    address = url(TwinningStrategy, "changelist")

    response = admin_client.post(
        address, {"action": "put_in_force", "_selected_action": [v2.pk, w1.pk, w2.pk]}
    )

    assert response.status_code == 302
    levels = sorted(level for level, _ in messages_of(response))
    assert levels == [messages.SUCCESS, messages.ERROR]
    for s in (v1, v2, w1, w2):
        s.refresh_from_db()
    assert (v1.status, v2.status) == ("superseded", "in_force")
    assert v2.approved_on is not None
    assert (w1.status, w2.status) == ("in_force", "draft")  # two versions chosen: none moved

    again = admin_client.post(address, {"action": "put_in_force", "_selected_action": [v2.pk]})
    assert messages_of(again)[-1] == (
        messages.WARNING,
        "Johannesburg strategy v2 is already in force.",
    )


def test_put_in_force_keeps_the_portals_rules(admin_client, admin_user):
    """The admin approves through `strategy_approve`: a draft without criteria, or one whose
    approval date is in the future, stays a draft (it used to be put in force anyway)."""
    city, v1 = city_with_strategy("Mbombela")
    bare = services.strategy_create(partner=city, vision="v", goals="g")
    address = url(TwinningStrategy, "changelist")

    response = admin_client.post(address, {"action": "put_in_force", "_selected_action": [bare.pk]})

    level, text = messages_of(response)[-1]
    assert level == messages.ERROR
    assert "Add at least one weighted criterion" in text
    bare.refresh_from_db()
    v1.refresh_from_db()
    assert (bare.status, v1.status) == ("draft", "in_force")

    StrategyCriterion.objects.create(strategy=bare, name="Port", measure="distance", weight=2)
    TwinningStrategy.objects.filter(pk=bare.pk).update(
        approved_on=dt.date.today() + dt.timedelta(days=30)
    )
    response = admin_client.post(address, {"action": "put_in_force", "_selected_action": [bare.pk]})
    assert "cannot be in the future" in messages_of(response)[-1][1]
    bare.refresh_from_db()
    assert bare.status == "draft"


def test_a_second_draft_is_refused_in_the_admin_as_in_the_portal(admin_client, admin_user):
    city, _ = city_with_strategy("Polokwane")
    services.strategy_create(partner=city, vision="v", goals="g")  # v2, a draft
    address = url(TwinningStrategy, "add")
    data = changeform_data(admin_client, address)
    data.update(partner=city.pk, vision="Another", goals="Another draft.")

    response = admin_client.post(address, data)

    assert response.status_code == 200
    assert "Version 2 of Polokwane" in all_errors(response)
    assert TwinningStrategy.objects.filter(partner=city).count() == 2


def test_strategy_added_through_the_admin_gets_the_next_version(admin_client, admin_user):
    city, _ = city_with_strategy("Mangaung")
    address = url(TwinningStrategy, "add")
    data = changeform_data(admin_client, address)
    data.update(partner=city.pk, vision="Sharper", goals="Fewer, deeper links.")
    add_row(data, "criteria", name="Airport links", measure="distance", weight="2", max_score="5")

    response = admin_client.post(address, data)

    assert response.status_code == 302, all_errors(response)
    new = TwinningStrategy.objects.get(partner=city, version=2)
    assert (new.status, new.created_by) == ("draft", admin_user)
    assert (new.criteria.get().name, new.criteria.get().measure) == ("Airport links", "distance")


def test_criteria_of_a_strategy_in_force_are_read_only(walked, admin_client):
    strategy = walked.strategy
    address = url(TwinningStrategy, "change", strategy.pk)
    data = changeform_data(admin_client, address)
    add_row(data, "criteria", name="Sneaked in", measure="size", weight="9", max_score="5")
    data["criteria-0-weight"] = "10"

    response = admin_client.post(address, data)

    assert response.status_code == 302, all_errors(response)
    assert sorted(strategy.criteria.values_list("name", "weight")) == [
        ("Port and trade fit", 3),
        ("Tourism", 1),
    ]


def test_criterion_added_to_a_strategy_in_force(walked, admin_client):
    address = url(StrategyCriterion, "add")
    data = changeform_data(admin_client, address)
    data.update(
        strategy=walked.strategy_id, name="Sneaked in", measure="size", weight="9", max_score="5"
    )

    response = admin_client.post(address, data)

    assert_refused(response, "only a draft&#x27;s criteria can change")
    assert not StrategyCriterion.objects.filter(name="Sneaked in").exists()


# --- Validation surfaces as form errors -----------------------------------------------------


def assert_refused(response, *texts: str) -> None:
    assert response.status_code == 200, "expected the form again, with errors"
    shown = all_errors(response)
    for text in texts:
        assert text in shown, shown
        assert text in response.content.decode()


def test_mou_expiring_before_it_takes_effect(walked, admin_client):
    address = url(MOU, "add")
    data = changeform_data(admin_client, address)
    data.update(
        partnership=walked.pk, status="draft", effective_on="2026-01-01", expires_on="2025-12-31"
    )

    response = admin_client.post(address, data)

    assert_refused(response, "The expiry date must be after the effective date.")
    assert response.context["adminform"].form.has_error("expires_on")
    assert walked.mous.count() == 1


def test_mou_signed_without_its_dates(walked, admin_client):
    address = url(MOU, "add")
    data = changeform_data(admin_client, address)
    data.update(partnership=walked.pk, status="signed")

    response = admin_client.post(address, data)

    assert_refused(response, "A signed MOU needs this date.")
    assert walked.mous.count() == 1


def test_second_signed_mou_of_a_partnership(walked, admin_client):
    address = url(MOU, "add")
    data = changeform_data(admin_client, address)
    data.update(
        partnership=walked.pk,
        status="signed",
        effective_on="2031-01-01",
        expires_on="2035-01-01",
        signed_on="2030-12-01",
    )

    response = admin_client.post(address, data)

    assert_refused(response, "This partnership already has a signed MOU.")
    assert walked.mous.count() == 1


def test_two_signed_mous_added_together_in_the_inline(admin_client):
    p = new_partnership(make_city("Polokwane"), "Polokwane – Reggio Emilia")
    address = url(Partnership, "change", p.pk)
    data = changeform_data(admin_client, address)
    for year in (2025, 2026):
        add_row(
            data,
            "mous",
            status="signed",
            effective_on=f"{year}-01-01",
            expires_on=f"{year + 4}-01-01",
            signed_on=f"{year - 1}-12-01",
        )

    response = admin_client.post(address, data)

    assert_refused(response, "This partnership already has a signed MOU.")
    assert not p.mous.exists()


def test_criterion_score_outside_the_criterion_range(walked, admin_client):
    candidate = walked.candidates.get()
    tourism = walked.strategy.criteria.get(name="Tourism")  # scored 0–10
    address = url(CriterionScore, "add")
    data = changeform_data(admin_client, address)
    data.update(candidate=candidate.pk, criterion=tourism.pk, score="11")

    response = admin_client.post(address, data)

    assert_refused(response, "Score must be between 0 and 10.")
    assert response.context["adminform"].form.has_error("score")
    assert candidate.scores.count() == 1


def test_criterion_score_outside_the_range_in_the_candidate_inline(walked, admin_client):
    candidate = walked.candidates.get()
    address = url(Candidate, "change", candidate.pk)
    data = changeform_data(admin_client, address)
    data["scores-0-score"] = "6"  # "Port and trade fit" runs 0–5

    response = admin_client.post(address, data)

    assert_refused(response, "Score must be between 0 and 5.")
    assert candidate.scores.get().score == 4


def test_criterion_of_another_strategy(walked, admin_client):
    _, foreign = city_with_strategy("Nelson Mandela Bay")
    candidate = walked.candidates.get()
    address = url(CriterionScore, "add")
    data = changeform_data(admin_client, address)
    data.update(candidate=candidate.pk, criterion=foreign.criteria.first().pk, score="1")

    response = admin_client.post(address, data)

    assert_refused(response, "Choose a criterion of the strategy this partnership serves.")


@pytest.mark.parametrize("unit", ["", "   "])
def test_kpi_without_a_unit(walked, admin_client, unit):
    address = url(KPI, "add")
    data = changeform_data(admin_client, address)
    data.update(partnership=walked.pk, name="Jobs created", unit=unit, baseline="0", target="50")

    response = admin_client.post(address, data)

    assert_refused(response, "This field is required.")
    assert response.context["adminform"].form.has_error("unit")
    assert not KPI.objects.filter(name="Jobs created").exists()


def test_kpi_without_a_unit_in_the_partnership_inline(walked, admin_client):
    address = url(Partnership, "change", walked.pk)
    data = changeform_data(admin_client, address)
    add_row(data, "kpis", name="Jobs created", unit=" ", baseline="0", target="50")

    response = admin_client.post(address, data)

    assert response.status_code == 200
    kpis = next(
        i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "kpis"
    )
    assert "This field is required." in kpis.errors[-1]["unit"]
    assert not KPI.objects.filter(name="Jobs created").exists()


def test_same_city_twice_in_the_member_inline(admin_client):
    p = new_partnership(make_city("Polokwane"), "Polokwane – Reggio Emilia")
    reggio = make_city("Reggio Emilia", "IT", NORTH)
    address = url(Partnership, "change", p.pk)
    data = changeform_data(admin_client, address)
    data["title"] = "Should not be saved"
    for _ in range(2):
        add_row(data, "members", partner=reggio.pk, role="counterpart", joined_on="2025-02-01")

    response = admin_client.post(address, data)

    assert_refused(response, "Please correct the duplicate data for partner")
    p.refresh_from_db()
    assert p.title == "Polokwane – Reggio Emilia"
    assert p.members.count() == 1


def test_existing_member_added_again_in_the_member_inline(admin_client):
    home = make_city("Polokwane")
    p = new_partnership(home, "Polokwane – Reggio Emilia")
    address = url(Partnership, "change", p.pk)
    data = changeform_data(admin_client, address)
    add_row(data, "members", partner=home.pk, role="counterpart", joined_on="2025-02-01")

    response = admin_client.post(address, data)

    assert_refused(response, "Please correct the duplicate data for partner")
    assert p.members.count() == 1


def test_existing_member_added_again_on_the_member_page(admin_client):
    home = make_city("Polokwane")
    p = new_partnership(home, "Polokwane – Reggio Emilia")
    address = url(PartnershipMember, "add")
    data = changeform_data(admin_client, address)
    data.update(partnership=p.pk, partner=home.pk, role="counterpart", joined_on="2025-02-01")

    response = admin_client.post(address, data)

    assert_refused(response, "This city is already a member of the partnership.")
    assert p.members.count() == 1


def test_second_home_city_on_the_member_page(admin_client):
    p = new_partnership(make_city("Polokwane"), "Polokwane – Reggio Emilia")
    address = url(PartnershipMember, "add")
    data = changeform_data(admin_client, address)
    other = make_city("Reggio Emilia", "IT", NORTH)
    data.update(partnership=p.pk, partner=other.pk, role="home", joined_on="2025-02-01")

    response = admin_client.post(address, data)

    assert_refused(response, "A partnership has exactly one home city.")
    assert p.members.count() == 1


def test_member_added_on_the_member_page_refreshes_the_orientation(admin_client):
    p = new_partnership(make_city("Polokwane"), "Polokwane – Reggio Emilia")
    address = url(PartnershipMember, "add")
    data = changeform_data(admin_client, address)
    other = make_city("Reggio Emilia", "IT", NORTH)
    data.update(partnership=p.pk, partner=other.pk, role="counterpart", joined_on="2025-02-01")

    response = admin_client.post(address, data)

    assert response.status_code == 302, all_errors(response)
    p.refresh_from_db()
    assert p.orientation == Partnership.Orientation.NORTH_SOUTH


def test_two_home_cities(admin_client):
    p = new_partnership(make_city("Polokwane"), "Polokwane – Reggio Emilia")
    address = url(Partnership, "change", p.pk)
    data = changeform_data(admin_client, address)
    reggio = make_city("Reggio Emilia", "IT")
    add_row(data, "members", partner=reggio.pk, role="home", joined_on="2025-02-01")

    response = admin_client.post(address, data)

    assert_refused(response, "A partnership has exactly one home city.")
    assert p.members.count() == 1


def test_two_home_cities_added_together_on_the_add_page(admin_client):
    address = url(Partnership, "add")
    data = changeform_data(admin_client, address)
    data.update(title="Two homes", category="mic")
    for name in ("Polokwane", "Reggio Emilia"):
        add_row(data, "members", partner=make_city(name).pk, role="home", joined_on="2025-02-01")

    response = admin_client.post(address, data)

    assert_refused(response, "A partnership has exactly one home city.")
    assert not Partnership.objects.filter(title="Two homes").exists()


@pytest.mark.parametrize("strength", ["11", "-1"])
def test_relationship_strength_outside_lendrums_scale(walked, admin_client, strength):
    address = url(Partnership, "change", walked.pk)
    data = changeform_data(admin_client, address)
    data.update(relationship_strength=strength, title="Should not be saved")

    response = admin_client.post(address, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("relationship_strength")
    walked.refresh_from_db()
    assert (walked.relationship_strength, walked.title) == (None, "Buffalo City – Gdańsk A")


def test_review_period_ending_before_it_starts(walked, admin_client):
    address = url(Review, "add")
    data = changeform_data(admin_client, address)
    data.update(partnership=walked.pk, period_start="2026-06-30", period_end="2026-01-01")

    response = admin_client.post(address, data)

    assert_refused(response, "The period must end on or after its start.")
    assert walked.reviews.count() == 1


def test_strategy_in_force_keeps_its_approval_date(walked, admin_client):
    strategy = walked.strategy
    address = url(TwinningStrategy, "change", strategy.pk)
    data = changeform_data(admin_client, address)
    assert "approved_on" not in data  # shown read-only: what the council approved
    data["approved_on"] = ""

    response = admin_client.post(address, data)

    assert response.status_code == 302
    strategy.refresh_from_db()
    assert strategy.approved_on == dt.date(2024, 6, 1)


def test_member_city_proposed_as_a_candidate(walked, admin_client):
    home = walked.members.get(role="home").partner
    address = url(Candidate, "add")
    data = changeform_data(admin_client, address)
    data.update(partnership=walked.pk, partner=home.pk, rationale="Ourselves?", source="officer")
    data.update(status="considered")

    response = admin_client.post(address, data)

    assert_refused(response, f"{home.name} is already a member of this partnership.")
    assert walked.candidates.count() == 1


def test_lesson_drawn_from_another_partnerships_review(walked, admin_client, admin_user):
    other = walk("B", admin_user)
    address = url(Lesson, "add")
    data = changeform_data(admin_client, address)
    data.update(
        partnership=walked.pk,
        review=other.reviews.get().pk,
        step="7",
        theme="Mixed up",
        text="This lesson belongs elsewhere.",
    )

    response = admin_client.post(address, data)

    assert_refused(response, "Choose a review of this partnership.")
    assert not Lesson.objects.filter(theme="Mixed up").exists()


def test_unchanged_walked_partnership_saves_cleanly(walked, admin_client):
    """The rules above must not refuse rows that were valid when saved (e.g. the selected
    candidate, now a member)."""
    for address in (
        url(Partnership, "change", walked.pk),
        url(Candidate, "change", walked.candidates.get().pk),
        url(TwinningStrategy, "change", walked.strategy_id),
        url(MOU, "change", walked.mous.get().pk),
    ):
        response = admin_client.post(address, changeform_data(admin_client, address))
        assert response.status_code == 302, all_errors(response)


# --- Deleting -------------------------------------------------------------------------------


def test_partnership_is_deleted_with_its_records(admin_client):
    p = advance(new_partnership(city_with_strategy("Durban")[0], "Durban – Nantes"))
    assert p.transitions.exists()
    address = url(Partnership, "delete", p.pk)

    page = admin_client.get(address)
    assert page.status_code == 200
    assert not page.context["perms_lacking"]
    response = admin_client.post(address, {"post": "yes"})

    assert response.status_code == 302
    assert not Partnership.objects.filter(pk=p.pk).exists()
    assert not StepTransition.objects.filter(partnership_id=p.pk).exists()


def test_delete_pages_of_a_walked_partnership_render(walked, admin_client):
    """Whatever the models protect, the admin explains it on the page instead of failing."""
    assert admin_client.get(url(Partnership, "delete", walked.pk)).status_code == 200
    home = walked.members.get(role="home").partner
    assert admin_client.get(url(Partner, "delete", home.pk)).status_code == 200


def test_a_strategy_in_force_and_a_signed_mou_are_read_in_the_admin_not_changed(admin_client):
    """Found from outside: the admin rewrote a strategy in force (its approval moved to 2031
    blocked the city's next approval) and a signed MOU's dates and signatories, all of which
    the portal's services refuse."""
    from partnerships.models import MOU
    from tests.factories.partnerships import MOUFactory

    _city, v1 = city_with_strategy("Durban")
    address = url(TwinningStrategy, "change", v1.pk)
    data = {**changeform_data(admin_client, address), "vision": "Rewritten"}
    data["approved_on"] = "2031-05-05"
    assert admin_client.post(address, data).status_code == 302
    v1.refresh_from_db()
    assert v1.vision != "Rewritten" and v1.approved_on == dt.date(2024, 6, 1)

    mou = MOUFactory(status=MOU.Status.SIGNED, expires_on=dt.date(2030, 1, 1))
    address = url(MOU, "change", mou.pk)
    page = admin_client.get(address)
    assert not page.context["adminform"].form.fields  # every field shown read-only
    data = {**changeform_data(admin_client, address), "expires_on": "2099-01-01"}
    data["status"] = "draft"
    assert admin_client.post(address, data).status_code == 302
    mou.refresh_from_db()
    assert (mou.status, mou.expires_on) == (MOU.Status.SIGNED, dt.date(2030, 1, 1))
