"""Step 8, measurement and learning: the review services (draft, update, complete with each
decision and its effects), lessons and their adoption into a strategy, the pages (per role,
success, validation, read-only completed reviews, the knowledge base), the health score on the
dashboard, list and partnership pages, and what every page costs in queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from partnerships import health, services
from partnerships.health import stored
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    Champion,
    KPIResult,
    Lesson,
    Partner,
    Partnership,
    PartnershipMember,
    Review,
    Step,
    SuccessFactorRating,
    TwinningStrategy,
)
from partnerships.services import add_months
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    ActivityFactory,
    ChampionFactory,
    CityMembershipFactory,
    KPIFactory,
    LessonFactory,
    MOUFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    ReviewFactory,
    TwinningStrategyFactory,
    walked_to,
)
from tests.growth import save, save_parents, save_partnerships
from tests.worlds import health_current

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12
PERIOD = {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 6, 30)}
OLD_EXPIRY = dt.date(2029, 8, 31)  # MOUFactory's


# --- Fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_business_provider(replace_hook):
    """Health scores here do not depend on whichever outer app registered a provider."""
    replace_hook("health.business_involvement", [])


def officer_of(city, role="officer"):
    return CityMembershipFactory(partner=city, role=role).user


@pytest.fixture
def home():
    return PartnerFactory(name="Buffalo City")


@pytest.fixture
def partnership(home):
    """At step 8, with one KPI agreed in planning and a signed MOU expiring 31 Aug 2029."""
    return walked_to(Step.MEASUREMENT, home=home)


@pytest.fixture
def officer(home):
    return officer_of(home)


@pytest.fixture
def coordinator(home):
    return officer_of(home, "coordinator")


def counterpart_of(partnership):
    return partnership.members.get(role=PartnershipMember.Role.COUNTERPART).partner


def url(name, partnership, **kwargs):
    return reverse(f"partnerships:{name}", kwargs={"pk": partnership.pk, **kwargs})


def review_url(review, name="review"):
    return reverse(
        f"partnerships:{name}", kwargs={"pk": review.partnership_id, "review_id": review.pk}
    )


def section(partnership):
    return reverse("partnerships:detail", args=[partnership.pk]) + "#step-8"


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def draft(partnership, user=None):
    return services.review_create_draft(partnership=partnership, user=user, **PERIOD)


def actuals(partnership, value="3"):
    return {kpi.pk: {"actual": Decimal(value), "note": ""} for kpi in partnership.kpis.all()}


def filled(partnership, user=None, **fields):
    """A draft review with every KPI's actual value and the given fields."""
    review = draft(partnership, user)
    return services.review_update_draft(
        review=review, user=user, kpi_results=actuals(partnership), **fields
    )


def reload(obj):
    obj.refresh_from_db()
    return obj


def signed_mou(partnership):
    return partnership.mous.get(status=MOU.Status.SIGNED)


# --- add_months ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2025, 11, 30), 3, dt.date(2026, 2, 28)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2023, 8, 31), 6, dt.date(2024, 2, 29)),
        (dt.date(2025, 12, 15), 3, dt.date(2026, 3, 15)),
        (dt.date(2025, 10, 31), 24, dt.date(2027, 10, 31)),
        (dt.date(2025, 3, 31), 6, dt.date(2025, 9, 30)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


# --- Services: drafting --------------------------------------------------------------------


def test_a_draft_pre_creates_nothing(partnership, officer):
    review = draft(partnership, officer)
    assert (review.status, review.created_by, review.decision) == ("draft", officer, "")
    assert not KPIResult.objects.exists() and not SuccessFactorRating.objects.exists()


def test_a_second_draft_of_the_same_period_is_refused(partnership, officer):
    """Found from outside: a double click made two drafts of one period; completing both
    applied the decision twice."""
    first = draft(partnership, officer)
    with pytest.raises(DomainError, match="open already"):
        draft(partnership, officer)
    assert list(Review.objects.values_list("pk", flat=True)) == [first.pk]


def test_only_editors_draft_and_an_ended_partnership_is_not_reviewed(partnership):
    with pytest.raises(DomainError, match="You may not change this partnership"):
        draft(partnership, officer_of(PartnerFactory()))
    Partnership.objects.filter(pk=partnership.pk).update(status=Partnership.Status.ENDED)
    with pytest.raises(DomainError, match="has ended"):
        draft(partnership)
    assert not Review.objects.exists()


def test_a_draft_is_updated_in_full(partnership, officer):
    review = draft(partnership, officer)
    kpi = partnership.kpis.get()
    services.review_update_draft(
        review=review,
        user=officer,
        narrative="Two missions; the youth exchange slipped.",
        effectiveness=4,
        effectiveness_note="Most objectives met.",
        efficiency=2,
        cause_marketing=True,
        cause_planning=True,
        decision=Review.Decision.ADJUST,
        kpi_results={kpi.pk: {"actual": Decimal("1.5"), "note": "One mission was cancelled."}},
        factor_ratings={"communication": {"rating": 4, "note": "Monthly calls"}, "marketing": 2},
    )
    review = reload(review)
    assert (review.effectiveness, review.efficiency, review.decision) == (4, 2, "adjust")
    assert review.cause_marketing and review.cause_planning
    assert not review.cause_business_involvement
    result = review.kpi_results.get()
    assert (result.actual, result.note, result.on_target) == (
        Decimal("1.5"),
        "One mission was cancelled.",
        False,
    )
    assert dict(review.factor_ratings.values_list("factor", "rating")) == {
        "communication": 4,
        "marketing": 2,
    }
    # None removes a value; other factors are left as they are unless given.
    services.review_update_draft(
        review=review, kpi_results={kpi.pk: None}, factor_ratings={"marketing": None}
    )
    assert not review.kpi_results.exists()
    assert list(review.factor_ratings.values_list("factor", flat=True)) == ["communication"]


def test_only_the_partnerships_own_kpis_take_values(partnership):
    review = draft(partnership)
    foreign = KPIFactory(partnership=PartnershipFactory())
    with pytest.raises(ValidationError) as caught:
        services.review_update_draft(
            review=review, narrative="changed", kpi_results={foreign.pk: Decimal("1")}
        )
    assert "kpi_results" in caught.value.message_dict
    assert reload(review).narrative == "" and not KPIResult.objects.exists()


def test_bad_ratings_and_unknown_fields_are_refused(partnership):
    review = draft(partnership)
    with pytest.raises(ValidationError) as caught:
        services.review_update_draft(review=review, factor_ratings={"communication": 7})
    assert "factor_communication" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.review_update_draft(review=review, factor_ratings={"charisma": 3})
    with pytest.raises(TypeError):
        services.review_update_draft(review=review, status="completed")
    assert not SuccessFactorRating.objects.exists()


# --- Services: completing, with each decision -------------------------------------------


def test_continue_completes_and_plans_the_next_review_from_the_cadence(partnership, officer):
    review = filled(partnership, officer, decision=Review.Decision.CONTINUE)
    done = services.review_complete(review=review, user=officer, on=dt.date(2025, 7, 15))
    assert (done.status, done.completed_on, done.completed_by) == (
        "completed",
        dt.date(2025, 7, 15),
        officer,
    )
    p = reload(partnership)
    assert p.next_review_on == dt.date(2026, 7, 15)  # yearly by default
    assert p.status == Partnership.Status.ACTIVE
    assert signed_mou(p).expires_on == OLD_EXPIRY


@pytest.mark.parametrize(
    "cadence, completed_on, next_on",
    [
        (Partnership.Cadence.QUARTERLY, dt.date(2025, 11, 30), dt.date(2026, 2, 28)),
        (Partnership.Cadence.YEARLY, dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
        (Partnership.Cadence.HALF_YEARLY, dt.date(2023, 8, 31), dt.date(2024, 2, 29)),
        (Partnership.Cadence.TWO_YEARLY, dt.date(2025, 1, 31), dt.date(2027, 1, 31)),
    ],
)
def test_next_review_at_month_ends(partnership, cadence, completed_on, next_on):
    Partnership.objects.filter(pk=partnership.pk).update(review_cadence_months=cadence)
    review = filled(partnership, decision=Review.Decision.ADJUST)
    services.review_complete(review=review, on=completed_on)
    assert reload(partnership).next_review_on == next_on


def test_pause_pauses_the_partnership(partnership, officer):
    review = filled(partnership, officer, decision=Review.Decision.PAUSE)
    services.review_complete(review=review, user=officer)
    p = reload(partnership)
    assert p.status == Partnership.Status.PAUSED
    assert p.history.first().history_change_reason.endswith(": Pause")
    assert signed_mou(p).status == MOU.Status.SIGNED


def test_end_ends_the_partnership_and_terminates_its_mou(partnership, officer):
    mou = signed_mou(partnership)
    review = filled(
        partnership,
        officer,
        decision=Review.Decision.END,
        decision_reason="The council withdrew funding.",
        end_on=dt.date(2025, 8, 31),
    )
    services.review_complete(review=review, user=officer)
    p = reload(partnership)
    assert (p.status, p.ended_on, p.end_reason, p.next_review_on) == (
        Partnership.Status.ENDED,
        dt.date(2025, 8, 31),
        "The council withdrew funding.",
        None,  # no further review: its reminders stop
    )
    mou = reload(mou)
    assert (mou.status, mou.terminated_on, mou.termination_reason) == (
        MOU.Status.TERMINATED,
        dt.date(2025, 8, 31),
        "The council withdrew funding.",
    )
    statuses = [h.status for h in mou.history.order_by("history_date", "history_id")]
    assert statuses[-2:] == [MOU.Status.SIGNED, MOU.Status.TERMINATED]
    assert mou.history.first().history_user == officer


def test_renew_extends_the_mou_and_its_history_keeps_the_old_terms(partnership, officer):
    mou = signed_mou(partnership)
    review = filled(
        partnership,
        officer,
        decision=Review.Decision.RENEW,
        new_expiry_on=dt.date(2034, 8, 31),
        end_on=dt.date(2025, 9, 1),  # not an end: dropped on completion
    )
    done = services.review_complete(review=review, user=officer)
    assert reload(mou).expires_on == dt.date(2034, 8, 31)
    expiries = [h.expires_on for h in mou.history.order_by("history_date", "history_id")]
    assert expiries[-2:] == [OLD_EXPIRY, dt.date(2034, 8, 31)]
    assert (done.new_expiry_on, done.end_on) == (dt.date(2034, 8, 31), None)
    assert reload(partnership).status == Partnership.Status.ACTIVE


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def assert_unchanged(partnership, review):
    review, p = reload(review), reload(partnership)
    assert review.status == Review.Status.DRAFT and review.completed_on is None
    assert p.status == Partnership.Status.ACTIVE and p.next_review_on is None
    assert signed_mou(p).expires_on == OLD_EXPIRY


def test_every_kpi_needs_its_actual_value_and_a_decision(partnership):
    first = partnership.kpis.get()
    second = KPIFactory(partnership=partnership, name="Youth exchanges")
    review = draft(partnership)
    services.review_update_draft(review=review, kpi_results={first.pk: Decimal("2")})
    errors = errors_of(lambda: services.review_complete(review=review))
    assert errors == {
        f"kpi_{second.pk}": ["Give the actual value of “Youth exchanges” for this period."],
        "decision": ["Choose a decision: continue, adjust the plan, renew, pause or end."],
    }
    assert_unchanged(partnership, review)


def test_an_end_needs_a_reason_and_a_date(partnership):
    review = filled(partnership, decision=Review.Decision.END, decision_reason="  ")
    errors = errors_of(lambda: services.review_complete(review=review))
    assert errors == {
        "decision_reason": ["Give the reason for ending the partnership."],
        "end_on": ["Give the date the partnership ends."],
    }
    services.review_update_draft(
        review=review, decision_reason="No partner left.", end_on=dt.date(2024, 12, 31)
    )
    errors = errors_of(lambda: services.review_complete(review=review))
    assert errors == {"end_on": ["The partnership cannot end before the period reviewed starts."]}
    assert_unchanged(partnership, review)


def test_a_renewal_needs_a_later_expiry_and_a_signed_mou(partnership):
    review = filled(partnership, decision=Review.Decision.RENEW)
    assert errors_of(lambda: services.review_complete(review=review)) == {
        "new_expiry_on": ["Give the MOU's new expiry date."]
    }
    services.review_update_draft(review=review, new_expiry_on=OLD_EXPIRY)
    assert errors_of(lambda: services.review_complete(review=review)) == {
        "new_expiry_on": ["The new expiry must be after the current one (31 Aug 2029)."]
    }
    assert_unchanged(partnership, review)
    partnership.mous.update(status=MOU.Status.EXPIRED)
    assert errors_of(lambda: services.review_complete(review=review)) == {
        "decision": ["There is no signed MOU to renew: draft and sign a new one."]
    }


def test_a_completed_review_is_read_only(partnership, officer):
    review = filled(partnership, officer, narrative="Final.", decision=Review.Decision.CONTINUE)
    services.review_complete(review=review, user=officer, on=dt.date(2025, 7, 1))
    kpi = partnership.kpis.get()
    with pytest.raises(DomainError, match="completed on 1 Jul 2025 and is read-only"):
        services.review_update_draft(
            review=review, narrative="Changed", kpi_results={kpi.pk: Decimal("9")}
        )
    with pytest.raises(DomainError, match="read-only"):
        services.review_complete(review=review)
    review = reload(review)
    assert review.narrative == "Final." and review.kpi_results.get().actual == Decimal("3")
    assert reload(partnership).next_review_on == dt.date(2026, 7, 1)


def test_a_review_of_an_ended_partnership_cannot_be_completed(partnership):
    review = filled(partnership, decision=Review.Decision.CONTINUE)
    Partnership.objects.filter(pk=partnership.pk).update(status=Partnership.Status.ENDED)
    with pytest.raises(DomainError, match="has ended already"):
        services.review_complete(review=review)


# --- Services: lessons adopted into the strategy -------------------------------------------


def in_force(city):
    return TwinningStrategy.objects.get(partner=city, status=TwinningStrategy.Status.IN_FORCE)


def test_a_lesson_is_adopted_into_a_new_draft_strategy_version(partnership, home, coordinator):
    lesson = services.lesson_add(
        partnership=partnership, step=7, theme="Continuity", text="Name a deputy champion."
    )
    current = in_force(home)
    strategy = services.lesson_adopt_into_strategy(lessons=lesson, user=coordinator)
    assert (strategy.status, strategy.version, strategy.partner) == (
        TwinningStrategy.Status.DRAFT,
        current.version + 1,
        home,
    )
    assert strategy.vision == current.vision  # prefilled from the version in force
    lesson = reload(lesson)
    assert lesson.adopted_in == strategy and lesson.adopted_at is not None
    with pytest.raises(DomainError, match=f"adopted into strategy version {strategy.version}"):
        services.lesson_adopt_into_strategy(lessons=lesson, user=coordinator)
    # A second lesson joins the open draft rather than starting yet another version.
    other = LessonFactory(partnership=partnership, theme="Funding")
    again = services.lesson_adopt_into_strategy(lessons=[other], user=coordinator)
    assert again == strategy
    assert TwinningStrategy.objects.filter(partner=home).count() == 2


def test_only_coordinators_of_the_home_city_adopt(partnership, home, officer):
    lesson = LessonFactory(partnership=partnership)
    counterpart_coordinator = officer_of(counterpart_of(partnership), "coordinator")
    for user in (officer, counterpart_coordinator, None):
        with pytest.raises(DomainError, match="coordinators"):
            services.lesson_adopt_into_strategy(lessons=lesson, user=user)
    admin = UserFactory(is_superuser=True)
    assert services.lesson_adopt_into_strategy(lessons=lesson, user=admin).partner == home
    assert reload(lesson).adopted_in is not None


def test_adoption_refusals(partnership, home, coordinator):
    here = LessonFactory(partnership=partnership)
    elsewhere = LessonFactory(partnership=PartnershipFactory())
    with pytest.raises(DomainError, match="different home cities"):
        services.lesson_adopt_into_strategy(lessons=[here, elsewhere], user=coordinator)
    with pytest.raises(DomainError, match="at least one"):
        services.lesson_adopt_into_strategy(lessons=[], user=coordinator)
    TwinningStrategy.objects.filter(partner=home).update(status=TwinningStrategy.Status.SUPERSEDED)
    with pytest.raises(DomainError, match="no strategy in force"):
        services.lesson_adopt_into_strategy(lessons=here, user=coordinator)
    assert not Lesson.objects.filter(adopted_in__isnull=False).exists()


# --- Pages: who may open them --------------------------------------------------------------

PAGES = ["review_add", "lesson_add", "review"]


def page_url(name, partnership):
    if name == "review":
        return review_url(ReviewFactory(partnership=partnership))
    return url(name, partnership)


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_users_are_sent_to_log_in(client, partnership, name):
    response = client.get(page_url(name, partnership))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ["home_officer", "counterpart_officer", "coordinator", "admin"])
def test_member_officers_coordinators_and_admins_open_every_page(
    client, partnership, home, name, role
):
    user = {
        "home_officer": lambda: officer_of(home),
        "counterpart_officer": lambda: officer_of(counterpart_of(partnership)),
        "coordinator": lambda: officer_of(home, "coordinator"),
        "admin": lambda: UserFactory(is_superuser=True, is_staff=True),
    }[role]()
    client.force_login(user)
    response = client.get(page_url(name, partnership))
    assert response.status_code == 200
    assert partnership.title in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("published", [False, True])
def test_others_get_404_even_when_it_is_published(client, partnership, name, published):
    Partnership.objects.filter(pk=partnership.pk).update(published=published)
    for user, refused in ((officer_of(PartnerFactory()), 404), (UserFactory(), 302)):
        client.force_login(user)
        assert client.get(page_url(name, partnership)).status_code == refused


@pytest.mark.parametrize(
    "name, data",
    [
        ("review_add", {"period_start": "2025-01-01", "period_end": "2025-06-30"}),
        ("lesson_add", {"step": "7", "theme": "Continuity", "text": "Name a deputy."}),
    ],
)
def test_posts_by_an_unrelated_officer_are_404_and_save_nothing(client, partnership, name, data):
    client.force_login(officer_of(PartnerFactory()))
    assert client.post(url(name, partnership), data).status_code == 404
    assert not Review.objects.exists() and not Lesson.objects.exists()


def test_a_review_of_another_partnership_is_404(client, partnership, officer, home):
    other = ReviewFactory(partnership=walked_to(Step.SEARCH, home=home))
    client.force_login(officer)
    kwargs = {"pk": partnership.pk, "review_id": other.pk}
    assert client.get(reverse("partnerships:review", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("partnerships:review", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("partnerships:review_complete", kwargs=kwargs)).status_code == 404


def test_completion_is_post_only(client, partnership, officer):
    client.force_login(officer)
    review = draft(partnership)
    assert client.get(review_url(review, "review_complete")).status_code == 405


# --- Pages: reviews ------------------------------------------------------------------------


def review_data(partnership, **overrides):
    """A valid POST of a draft review's form."""
    data = {
        "period_start": "2025-01-01",
        "period_end": "2025-06-30",
        "narrative": "Two trade missions; the exchange slipped.",
        "effectiveness": "4",
        "effectiveness_note": "",
        "efficiency": "3",
        "efficiency_note": "",
        "cause_marketing": "on",
        "decision": "continue",
        "decision_reason": "",
        "new_expiry_on": "",
        "end_on": "",
        "factor_communication": "4",
        "factor_communication_note": "Monthly calls.",
    }
    for kpi in partnership.kpis.all():
        data[f"kpi_{kpi.pk}"] = "3"
        data[f"kpi_{kpi.pk}_note"] = ""
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_review_add_starts_a_draft_and_opens_it(client, partnership, officer):
    client.force_login(officer)
    response = client.post(
        url("review_add", partnership), {"period_start": "2025-01-01", "period_end": "2025-06-30"}
    )
    review = Review.objects.get()
    assert response.status_code == 302 and response.url == review_url(review)
    assert (review.status, review.created_by, review.period_end) == (
        "draft",
        officer,
        dt.date(2025, 6, 30),
    )
    listing = client.get(url("review_add", partnership)).content.decode()
    assert review_url(review) in listing


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "period_start"),
        ({"period_start": "2025-02-30", "period_end": "2025-03-01"}, "period_start"),
        ({"period_start": "0001-01-01", "period_end": "2025-03-01"}, "period_start"),
        ({"period_start": "2024-12-31", "period_end": "2024-01-01"}, "period_end"),
    ],
)
def test_review_add_bad_periods_are_field_errors(client, partnership, officer, data, field):
    client.force_login(officer)
    response = client.post(url("review_add", partnership), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Review.objects.exists()


def test_the_draft_page_shows_kpis_against_targets_and_saves(client, partnership, officer):
    kpi = partnership.kpis.get()
    review = draft(partnership)
    client.force_login(officer)
    page = client.get(review_url(review)).content.decode()
    assert kpi.name in page and "Complete the review" in page
    assert review_url(review, "review_complete") in page  # the Complete button's formaction
    response = client.post(review_url(review), review_data(partnership))
    assert response.status_code == 302 and response.url == review_url(review)
    review = reload(review)
    assert (review.status, review.decision, review.effectiveness) == ("draft", "continue", 4)
    assert review.cause_marketing and not review.cause_planning
    assert review.kpi_results.get().actual == Decimal("3")
    assert review.factor_ratings.get().note == "Monthly calls."
    # The target (2 missions from 0) is reached with 3: the page says so.
    assert "On target" in client.get(review_url(review)).content.decode()
    services.review_update_draft(review=review, kpi_results={kpi.pk: Decimal("1")})
    assert "Off target" in client.get(review_url(review)).content.decode()


def test_a_review_reads_a_kpi_against_what_is_due_by_its_period_end(client, partnership, officer):
    # 40 visits from 0, measured from 1 Jan 2025 and due in full on 1 Jan 2027 (730 days):
    # by the period's end, 30 Jun 2025 (180 days), 40 × 180/730 = 9.86…, so 9.87 is due.
    kpi = partnership.kpis.get()
    KPI.objects.filter(pk=kpi.pk).update(
        baseline=0, target=40, start_date=dt.date(2025, 1, 1), target_date=dt.date(2027, 1, 1)
    )
    review = draft(partnership)
    services.review_update_draft(review=review, kpi_results={kpi.pk: Decimal("14")})
    client.force_login(officer)
    page = client.get(review_url(review)).content.decode()
    assert "Due by period end" in page and "40 by 1 Jan 2027" in page
    assert "<td>9.87</td>" in page and "On target" in page
    services.review_update_draft(review=review, kpi_results={kpi.pk: Decimal("9.86")})
    assert "Off target" in client.get(review_url(review)).content.decode()

    services.review_update_draft(
        review=review, kpi_results={kpi.pk: Decimal("12")}, decision=Review.Decision.CONTINUE
    )
    services.review_complete(review=review, on=dt.date(2025, 7, 1))
    page = client.get(review_url(review)).content.decode()
    assert "form" not in client.get(review_url(review)).context
    assert "<td>9.87</td><td>12</td>" in page and "On target" in page
    # The first review of a KPI on pace costs the partnership no health.
    assert not [
        d
        for d in health.health_for([partnership.pk])[partnership.pk].deductions
        if "off target" in d.reason
    ]


def test_the_partnership_page_lists_each_kpi_with_its_target_date(client, partnership, officer):
    KPIFactory(
        partnership=partnership, name="Exchange visits", unit="visits", target=40,
        target_date=dt.date(2027, 6, 30),
    )  # fmt: skip
    client.force_login(officer)
    page = client.get(reverse("partnerships:detail", args=[partnership.pk]) + "?step=5")
    body = page.content.decode()
    assert "Exchange visits" in body and "40 by 30 Jun 2027" in body


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"effectiveness": "9"}, "effectiveness"),
        ({"factor_communication": "0"}, "factor_communication"),
        ({"decision": "celebrate"}, "decision"),
        ({"end_on": "2025-02-30"}, "end_on"),
        ({"narrative": "x" * 20_000}, "narrative"),
        ({"period_end": "2024-01-01"}, "period_end"),
    ],
)
def test_draft_validation_is_a_field_error_and_saves_nothing(
    client, partnership, officer, overrides, field
):
    review = draft(partnership)
    client.force_login(officer)
    response = client.post(review_url(review), review_data(partnership, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    review = reload(review)
    assert review.narrative == "" and not review.kpi_results.exists()


def test_a_bad_kpi_value_is_an_error_on_its_field(client, partnership, officer):
    kpi = partnership.kpis.get()
    review = draft(partnership)
    client.force_login(officer)
    for value in ("lots", "NaN", "1e30"):
        response = client.post(
            review_url(review), review_data(partnership, **{f"kpi_{kpi.pk}": value})
        )
        assert response.status_code == 200
        assert f"kpi_{kpi.pk}" in response.context["form"].errors
    assert not KPIResult.objects.exists()


def test_complete_applies_the_decision(client, partnership, officer):
    review = draft(partnership)
    client.force_login(officer)
    response = client.post(review_url(review, "review_complete"), review_data(partnership))
    assert response.status_code == 302 and response.url == review_url(review)
    review = reload(review)
    assert (review.status, review.completed_by, review.completed_on) == (
        "completed",
        officer,
        timezone.localdate(),
    )
    assert reload(partnership).next_review_on == add_months(timezone.localdate(), 12)
    assert texts(response)[-1] == "Review completed. The partnership continues as planned."


def test_complete_with_a_missing_kpi_value_saves_nothing(client, partnership, officer):
    kpi = partnership.kpis.get()
    review = draft(partnership)
    client.force_login(officer)
    data = review_data(partnership, **{f"kpi_{kpi.pk}": ""})
    response = client.post(review_url(review, "review_complete"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[f"kpi_{kpi.pk}"] == [
        f"Give the actual value of “{kpi.name}” for this period."
    ]
    review = reload(review)
    # Not even the draft's other fields: completing is all or nothing.
    assert (review.status, review.narrative, review.decision) == ("draft", "", "")
    assert reload(partnership).next_review_on is None


def test_ending_from_the_page(client, partnership, officer):
    review = draft(partnership)
    client.force_login(officer)
    response = client.post(
        review_url(review, "review_complete"), review_data(partnership, decision="end")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["decision_reason"] == ["Give the reason for ending the partnership."]
    assert errors["end_on"] == ["Give the date the partnership ends."]
    assert reload(partnership).status == Partnership.Status.ACTIVE

    data = review_data(
        partnership, decision="end", decision_reason="Funding ended.", end_on="2025-09-30"
    )
    response = client.post(review_url(review, "review_complete"), data)
    assert response.status_code == 302
    p = reload(partnership)
    assert (p.status, p.ended_on) == (Partnership.Status.ENDED, dt.date(2025, 9, 30))
    assert p.mous.get().status == MOU.Status.TERMINATED


def test_a_completed_review_renders_read_only_and_refuses_posts(client, partnership, officer):
    review = filled(partnership, narrative="Final words.", decision=Review.Decision.CONTINUE)
    services.review_complete(review=review, on=dt.date(2025, 7, 1))
    client.force_login(officer)
    response = client.get(review_url(review))
    assert response.status_code == 200
    assert response.context["completed"] and "form" not in response.context
    body = response.content.decode()
    assert "Final words." in body and "cannot be changed" in body
    assert "Complete the review" not in body

    for name in ("review", "review_complete"):
        data = review_data(partnership, narrative="Rewritten", decision="end")
        response = client.post(review_url(review, name), data)
        assert response.status_code == 302 and response.url == review_url(review)
        assert "read-only" in texts(response)[-1]
    review = reload(review)
    assert (review.narrative, review.decision) == ("Final words.", "continue")
    assert reload(partnership).status == Partnership.Status.ACTIVE


# --- Pages: lessons ------------------------------------------------------------------------


def test_a_lesson_is_recorded_from_one_of_the_partnerships_reviews(client, partnership, officer):
    review = ReviewFactory(partnership=partnership)
    client.force_login(officer)
    form = client.get(url("lesson_add", partnership), {"review": review.pk}).context["form"]
    assert form["review"].value() == review.pk  # preselected from the review's page
    response = client.post(
        url("lesson_add", partnership),
        {"step": "7", "theme": "  Continuity  ", "text": "Name a deputy.", "review": review.pk},
    )
    assert response.status_code == 302 and response.url == section(partnership)
    lesson = Lesson.objects.get()
    assert (lesson.review, lesson.recorded_by, lesson.step, lesson.theme) == (
        review,
        officer,
        7,
        "Continuity",
    )


def test_a_lesson_cannot_cite_another_partnerships_review(client, partnership, officer, home):
    foreign = ReviewFactory(partnership=walked_to(Step.SEARCH, home=home))
    client.force_login(officer)
    response = client.post(
        url("lesson_add", partnership),
        {"step": "7", "theme": "T", "text": "X", "review": foreign.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["review"] == ["Choose a review of this partnership."]
    assert not Lesson.objects.exists()


HUGE = "x" * 200_000


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "step"),
        ({"step": "9", "theme": "t", "text": "x"}, "step"),
        ({"step": "abc", "theme": "t", "text": "x"}, "step"),
        ({"step": "7", "theme": "t", "text": "x", "review": "abc"}, "review"),
        ({"step": "7", "theme": "t", "text": "x", "review": "99999999999999999999999"}, "review"),
        ({"step": "7", "theme": HUGE, "text": "x"}, "theme"),
        ({"step": "7", "theme": "t", "text": HUGE}, "text"),
    ],
)
def test_bad_lessons_are_field_errors(client, partnership, officer, data, field):
    client.force_login(officer)
    response = client.post(url("lesson_add", partnership), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Lesson.objects.exists()


@pytest.fixture
def knowledge(home, partnership):
    """Lessons of: the home city's partnership, a lesson another city shared in the library,
    and one another city kept to itself (never listed to the home officer)."""
    elsewhere = PartnerFactory(name="Aachen")
    TwinningStrategyFactory(partner=elsewhere)
    published = PartnershipFactory(home=elsewhere, title="Aachen and Cape Town", published=True)
    private = PartnershipFactory(home=PartnerFactory(name="Secretville"), title="Secret")
    return {
        "mine": LessonFactory(
            partnership=partnership, step=7, theme="Continuity", text="Name a deputy champion."
        ),
        "funding": LessonFactory(
            partnership=partnership, step=5, theme="Funding", text="Budget the exchanges early."
        ),
        "published": LessonFactory(
            partnership=published, step=7, theme="continuity", text="Brief the new council."
        ),
        "private": LessonFactory(
            partnership=private,
            step=7,
            theme="Continuity",
            text="Top secret lesson.",
            shared=False,
        ),
        "elsewhere": elsewhere,
    }


def listed(client, **params) -> set[str]:
    response = client.get(reverse("partnerships:lessons"), params)
    assert response.status_code == 200
    return {lesson.text for lesson in response.context["lessons"]}


def test_the_knowledge_base_lists_what_the_user_may_see(client, officer, knowledge):
    client.force_login(officer)
    assert listed(client) == {
        "Name a deputy champion.",
        "Budget the exchanges early.",
        "Brief the new council.",
    }
    assert listed(client, scope="mine") == {
        "Name a deputy champion.",
        "Budget the exchanges early.",
    }
    client.force_login(UserFactory())  # no role: sent to its status page
    assert client.get(reverse("partnerships:lessons"))["Location"] == reverse("businesses:status")
    client.force_login(UserFactory(is_superuser=True))
    assert "Top secret lesson." in listed(client)


def test_the_knowledge_base_searches_and_filters(client, officer, coordinator, knowledge):
    client.force_login(officer)
    assert listed(client, q="deputy") == {"Name a deputy champion."}
    assert listed(client, q="aachen") == {"Brief the new council."}  # the partnership's title
    assert listed(client, step=5) == {"Budget the exchanges early."}
    assert listed(client, theme="Continuity") == {
        "Name a deputy champion.",
        "Brief the new council.",
    }  # themes match whatever their case
    assert listed(client, city=knowledge["elsewhere"].pk) == {"Brief the new council."}
    services.lesson_adopt_into_strategy(lessons=knowledge["mine"], user=coordinator)
    assert listed(client, adopted="yes") == {"Name a deputy champion."}
    assert "Name a deputy champion." not in listed(client, adopted="no")
    # Invalid filters are ignored (and said), never a 500.
    response = client.get(reverse("partnerships:lessons"), {"step": "abc", "city": "x" * 30})
    assert response.status_code == 200 and len(response.context["lessons"]) == 3
    assert "step" in response.context["form"].errors


def test_the_knowledge_base_is_paginated(client, officer, partnership):
    LessonFactory.create_batch(30, partnership=partnership)
    client.force_login(officer)
    first = client.get(reverse("partnerships:lessons"))
    assert len(first.context["lessons"]) == 25 and first.context["page"].paginator.count == 30
    second = client.get(reverse("partnerships:lessons"), {"page": 2})
    assert len(second.context["lessons"]) == 5


def test_the_adopt_button_shows_only_to_coordinators_of_the_home_city(
    client, officer, coordinator, knowledge
):
    client.force_login(coordinator)
    response = client.get(reverse("partnerships:lessons"))
    adoptable = {lesson.text for lesson in response.context["lessons"] if lesson.can_adopt}
    assert adoptable == {"Name a deputy champion.", "Budget the exchanges early."}
    client.force_login(officer)
    response = client.get(reverse("partnerships:lessons"))
    assert not any(lesson.can_adopt for lesson in response.context["lessons"])


def adopt_url(lesson):
    return reverse("partnerships:lesson_adopt", args=[lesson.pk])


def test_adopting_from_the_page(client, home, coordinator, knowledge):
    lesson = knowledge["mine"]
    client.force_login(coordinator)
    back = reverse("partnerships:lessons") + "?q=deputy"
    response = client.post(adopt_url(lesson), {"next": back})
    assert response.status_code == 302 and response.url == back
    strategy = reload(lesson).adopted_in
    assert strategy.status == TwinningStrategy.Status.DRAFT
    assert strategy.version == in_force(home).version + 1
    assert f"strategy version {strategy.version}" in texts(response)[-1]
    # Twice: refused with a message, nothing changes.
    response = client.post(adopt_url(lesson), {"next": "https://evil.example/"})
    assert response.url == reverse("partnerships:lessons")  # never off-site
    assert "already" in texts(response)[-1]
    assert reload(lesson).adopted_in == strategy


@pytest.mark.parametrize("who", ["officer", "counterpart_coordinator", "other_coordinator"])
def test_others_may_not_adopt(client, partnership, officer, knowledge, who):
    user = {
        "officer": lambda: officer,
        "counterpart_coordinator": lambda: officer_of(counterpart_of(partnership), "coordinator"),
        "other_coordinator": lambda: officer_of(knowledge["elsewhere"], "coordinator"),
    }[who]()
    client.force_login(user)
    assert client.post(adopt_url(knowledge["mine"])).status_code == 404
    assert client.post(adopt_url(knowledge["private"])).status_code == 404
    assert reload(knowledge["mine"]).adopted_in is None


def test_admins_adopt_and_get_is_not_allowed(client, knowledge):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(adopt_url(knowledge["mine"])).status_code == 405
    assert client.post(adopt_url(knowledge["published"])).status_code == 302
    assert reload(knowledge["published"]).adopted_in.partner == knowledge["elsewhere"]


# --- Health on the dashboard, the list and the partnership page ----------------------------


def running(city, title, **fields):
    p = PartnershipFactory(home=city, title=title, **fields)
    Partnership.objects.filter(pk=p.pk).update(step=Step.IMPLEMENTATION)
    ChampionFactory(partnership=p)
    ActivityFactory(partnership=p, occurred_on=timezone.localdate() - dt.timedelta(days=5))
    return p


def test_the_partnership_page_shows_the_score_and_each_reason(client, partnership, officer):
    partnership.champions.all().delete()
    client.force_login(officer)
    response = client.get(reverse("partnerships:detail", args=[partnership.pk]))
    result = response.context["health"]
    assert "No active champion." in [d.reason for d in result.deductions]
    body = response.content.decode()
    assert 'id="health-deductions"' in body and "No active champion." in body
    assert f"−{health.NO_CHAMPION_POINTS}" in body
    assert health.BUSINESS_NOT_ASSESSED in body


def test_the_list_shows_a_health_badge_per_row(client, home, officer):
    running(home, "Healthy")
    running(home, "Overdue", next_review_on=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(officer)
    response = client.get(reverse("partnerships:list"))
    scores = {p.title: p.health.score for p in response.context["partnerships"]}
    assert scores == {"Healthy": 100, "Overdue": 80}
    assert "of 100 health" in response.content.decode()


def test_the_dashboard_lists_the_weakest_first_and_badges_the_cards(client, home, officer):
    today = timezone.localdate()
    running(home, "Healthy")
    running(home, "Overdue", next_review_on=today - dt.timedelta(days=1))
    orphan = running(home, "Orphan and overdue", next_review_on=today - dt.timedelta(days=1))
    orphan.champions.update(is_active=False)
    PartnershipFactory(home=home, title="Ended", status=Partnership.Status.ENDED)
    client.force_login(officer)
    response = client.get(reverse("partnerships:dashboard"))
    weakest = [(r.title, r.health.score) for r in response.context["weakest"]]
    assert weakest == [("Orphan and overdue", 65), ("Overdue", 80)]
    cards = {p.title: p.health for column in response.context["columns"] for p in column.cards}
    assert cards["Healthy"].score == 100 and cards["Ended"] is None
    assert [p.title for p in response.context["reviews_overdue"]] == [
        "Orphan and overdue",
        "Overdue",
    ]
    assert 'id="weakest-list"' in response.content.decode()


def test_the_dashboard_reads_the_live_health_stored(home, officer, monkeypatch):
    """The dashboard recomputes its portfolio's stored health (in chunks: 2 rows here) and
    reads it: the same scores as computed live, each list in its order."""
    from partnerships.health import health_for
    from partnerships.selectors.dashboard import dashboard_context

    monkeypatch.setattr(stored, "CHUNK", 2)
    today = timezone.localdate()
    for i in range(7):
        p = running(home, f"P{i}", next_review_on=today + dt.timedelta(days=i * 5 - 10))
        if i % 3 == 0:
            p.champions.update(is_active=False)

    context = dashboard_context(officer)
    live = health_for(Partnership.objects.all(), today)
    title = dict(Partnership.objects.values_list("pk", "title"))
    assert [(p.pk, p.health) for p in context["weakest"]] == sorted(
        ((pk, h) for pk, h in live.items() if h.deductions),
        key=lambda item: (item[1].score, title[item[0]]),
    )
    cards = {card.pk: card.health for c in context["columns"] for card in c.cards}
    assert cards == live and len(cards) == 7
    due = context["reviews_overdue"] + context["reviews_due"]
    assert [p.next_review_on for p in due] == sorted(p.next_review_on for p in due)
    assert len(due) == 7


def test_a_registered_provider_counts_on_the_pages(client, home, officer, replace_hook):
    involved = running(home, "With business")
    running(home, "Without business")
    replace_hook("health.business_involvement", [lambda ids: {involved.pk}])
    client.force_login(officer)
    response = client.get(reverse("partnerships:list"))
    scores = {p.title: p.health.score for p in response.context["partnerships"]}
    assert scores == {"With business": 100, "Without business": 90}


# --- Query budget: constant in the number of rows, at most 12 per page --------------------


def count(client, address, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def grow(p, n, coordinator):
    """n more of every row the step 8 pages list, for partnership p, in bulk (what the
    factories would write one by one: tests/growth.py)."""
    review = p.reviews.order_by("pk").first()
    kpis = save(KPI, KPIFactory.build_batch(n, partnership=p))
    save(KPIResult, [KPIResult(review=review, kpi=kpi, actual=i) for i, kpi in enumerate(kpis)])
    save(Review, ReviewFactory.build_batch(n, partnership=p))
    save(Lesson, LessonFactory.build_batch(n, partnership=p, review=review))
    homes = save(Partner, PartnerFactory.build_batch(n))
    others = save_partnerships(PartnershipFactory.build_batch(n, published=True), homes)
    save(
        Lesson,
        [LessonFactory.build(partnership=o, theme=f"Theme {i}") for i, o in enumerate(others)],
    )
    lesson = p.lessons.order_by("pk").first()
    if lesson.adopted_in_id is None:
        services.lesson_adopt_into_strategy(lessons=lesson, user=coordinator)


@pytest.mark.parametrize("completed", [False, True])
def test_queries_do_not_grow_with_rows(client, partnership, coordinator, completed):
    review = filled(partnership, decision=Review.Decision.CONTINUE)
    SuccessFactorRating.objects.create(review=review, factor="communication", rating=3)
    pages = [
        url("review_add", partnership),
        url("lesson_add", partnership),
        review_url(review),
        reverse("partnerships:lessons"),
        reverse("partnerships:lessons") + "?q=e&step=7&theme=Continuity&adopted=no",
    ]
    client.force_login(coordinator)
    grow(partnership, 5, coordinator)
    if completed:
        services.review_complete(review=review)
    for address in pages:
        count(client, address)  # warm per-process caches
    small = [count(client, address) for address in pages]
    grow(partnership, 45, coordinator)
    large = [count(client, address) for address in pages]
    assert small == large
    assert max(large) <= QUERY_BUDGET, large


def test_health_on_the_pages_does_not_grow_with_rows(client, home, officer, replace_hook):
    calls = []

    def provider(ids):
        calls.append(len(list(ids)))
        return set(Partnership.objects.filter(title__startswith="B").values_list("pk", flat=True))

    replace_hook("health.business_involvement", [provider])
    client.force_login(officer)

    def add(n):
        """n running partnerships of home (as `running` makes them), each with a counterpart
        and an MOU, in bulk (what the factories would write one by one: tests/growth.py)."""
        titles = [f"B{i}" if i % 2 else f"P{i}" for i in range(n)]
        added = save_partnerships(
            [PartnershipFactory.build(title=title) for title in titles], [home] * n
        )
        Partnership.objects.filter(pk__in=[p.pk for p in added]).update(step=Step.IMPLEMENTATION)
        save(Champion, [ChampionFactory.build(partnership=p) for p in added])
        recently = timezone.localdate() - dt.timedelta(days=5)
        save(Activity, [ActivityFactory.build(partnership=p, occurred_on=recently) for p in added])
        counterparts = [PartnershipMemberFactory.build(partnership=p) for p in added]
        save_parents(counterparts, "partner", Partner)
        save(PartnershipMember, counterparts)
        save(MOU, [MOUFactory.build(partnership=p) for p in added])

    add(5)
    detail = reverse("partnerships:detail", args=[home.memberships.first().partnership_id])
    pages = [reverse("partnerships:dashboard"), reverse("partnerships:list"), detail]
    for address in pages:
        count(client, address)
    small = [count(client, address) for address in pages]
    add(45)
    health_current()
    large = [count(client, address) for address in pages]
    assert small == large
    # With a provider asking one query (the businesses app's asks two: see the report); the
    # dashboard's panel of what awaits a confirmation asks one more, for the officer's own work.
    dashboard, *others = large
    assert dashboard <= QUERY_BUDGET + 1 and max(others) <= QUERY_BUDGET, large
    assert calls  # the provider was asked
