"""The writes, through the same services as the pages: advance or return (a refused move is a
409 listing what is missing, and changes nothing), log an activity, record KPI actuals in a
draft review, comment, record an outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from businesses.models import Outcome
from discussion.models import Comment
from partnerships.models import KPI, Activity, Partnership, Review, Step, StepTransition
from tests.factories.partnerships import (
    CandidateFactory,
    CityMembershipFactory,
    KPIFactory,
    walked_to,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(matrix_world):
    return matrix_world


def _writer(user) -> Client:
    _token, key = account_services.api_token_create(user=user, name="w", access="write")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_a_refused_advance_is_a_409_with_what_is_missing_and_changes_nothing(world):
    pk = world["kwargs"]["pk"]
    before = Partnership.objects.get(pk=pk)
    moves = StepTransition.objects.count()
    response = _post(
        _writer(world["users"]["officer_a"]),
        reverse("api:partnership_advance", args=[pk]),
        {"from_step": before.step},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "refused" and body["missing"]
    after = Partnership.objects.get(pk=pk)
    assert (after.step, after.step_entered_at, after.updated_at) == (
        before.step,
        before.step_entered_at,
        before.updated_at,
    )
    assert StepTransition.objects.count() == moves


def test_a_stale_move_is_refused(world):
    pk = world["kwargs"]["pk"]
    step = Partnership.objects.get(pk=pk).step
    response = _post(
        _writer(world["users"]["officer_a"]),
        reverse("api:partnership_advance", args=[pk]),
        {"from_step": step - 1},
    )
    assert response.status_code == 409
    assert Partnership.objects.get(pk=pk).step == step


def test_advance_and_return_through_the_service():
    officer = CityMembershipFactory().user
    partnership = walked_to(Step.SEARCH, home=officer.city_memberships.get().partner)
    CandidateFactory(partnership=partnership)
    client = _writer(officer)
    response = _post(
        client, reverse("api:partnership_advance", args=[partnership.pk]), {"from_step": 2}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["transition"]["to_step"] == 3 and body["partnership"]["step"] == 3
    move = StepTransition.objects.get(pk=body["transition"]["id"])
    assert move.by == officer
    no_reason = _post(
        client,
        reverse("api:partnership_return", args=[partnership.pk]),
        {"from_step": 3, "to_step": 2, "reason": ""},
    )
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["errors"]
    back = _post(
        client,
        reverse("api:partnership_return", args=[partnership.pk]),
        {"from_step": 3, "to_step": 2, "reason": "The candidate withdrew."},
    )
    assert back.status_code == 200
    partnership.refresh_from_db()
    assert partnership.step == 2
    assert partnership.transitions.order_by("-at").first().reason == "The candidate withdrew."


def test_log_an_activity(world):
    pk = world["kwargs"]["pk"]
    officer = world["users"]["officer_b"]
    url = reverse("api:partnership_activities", args=[pk])
    response = _post(
        _writer(officer),
        url,
        {"kind": "exchange_visit", "title": "Port visit", "occurred_on": "2026-01-15"},
    )
    assert response.status_code == 201
    activity = Activity.objects.get(pk=response.json()["id"])
    assert (activity.created_by, activity.partnership_id) == (officer, pk)
    # The service's own rule, as a field error.
    far = (dt.date.today() + dt.timedelta(days=800)).isoformat()
    refused = _post(
        _writer(officer), url, {"kind": "exchange_visit", "title": "x", "occurred_on": far}
    )
    assert refused.status_code == 400
    assert "occurred_on" in refused.json()["errors"]
    # Another city's officer cannot tell it exists.
    other = _post(_writer(world["users"]["officer_c"]), url, {"kind": "marketing", "title": "x"})
    assert other.status_code == 404


def test_an_archived_partnership_is_read_not_changed(world):
    pk = world["kwargs"]["pk"]
    Partnership.objects.filter(pk=pk).update(status=Partnership.Status.ARCHIVED)
    client = _writer(world["users"]["officer_a"])
    assert client.get(reverse("api:partnership_detail", args=[pk])).status_code == 200
    response = _post(
        client,
        reverse("api:partnership_activities", args=[pk]),
        {"kind": "marketing", "title": "x"},
    )
    assert response.status_code == 403


def test_record_kpi_actuals_in_a_draft_review(world):
    pk = world["kwargs"]["pk"]
    kpi = KPIFactory(partnership_id=pk, baseline=0, target=10)
    review_id = world["kwargs"]["review_id"]
    url = reverse("api:review_kpi_actuals", args=[pk, review_id])
    client = _writer(world["users"]["officer_a"])
    response = _post(client, url, {"results": [{"kpi": kpi.pk, "actual": "12.50", "note": "Q1"}]})
    assert response.status_code == 200, response.content
    assert response.json()["kpi_results"][0]["actual"] == "12.50"
    detail = client.get(reverse("api:partnership_detail", args=[pk])).json()
    latest = next(k for k in detail["kpis"] if k["id"] == kpi.pk)["latest"]
    assert latest["actual"] == "12.50" and latest["on_target"] is True
    # Another partnership's KPI is refused, as on the review's page.
    other = KPIFactory(partnership=walked_to(Step.STRATEGY))
    refused = _post(client, url, {"results": [{"kpi": other.pk, "actual": "1"}]})
    assert refused.status_code == 400
    Review.objects.filter(pk=review_id).update(status=Review.Status.COMPLETED)
    done = _post(client, url, {"results": [{"kpi": kpi.pk, "actual": "1"}]})
    assert done.status_code == 409
    assert KPI.objects.get(pk=kpi.pk).results.get().actual == 12.5


def test_a_kpi_with_a_target_date_is_read_against_what_is_due(world):
    """Issue 19: a result says what was due by the end of its review's period, and the KPI
    its dates; the verdict is against the value due, not the whole target."""
    pk, review_id = world["kwargs"]["pk"], world["kwargs"]["review_id"]
    review = Review.objects.get(pk=review_id)
    start, end = review.period_start, review.period_end
    # Due in full twice the period's length after its start: half of 40 is due by its end.
    kpi = KPIFactory(
        partnership_id=pk, baseline=0, target=40, start_date=start, target_date=end + (end - start)
    )
    client = _writer(world["users"]["officer_a"])
    url = reverse("api:review_kpi_actuals", args=[pk, review_id])
    response = _post(client, url, {"results": [{"kpi": kpi.pk, "actual": "21"}]})
    assert response.status_code == 200, response.content
    result = next(r for r in response.json()["kpi_results"] if r["kpi_id"] == kpi.pk)
    assert (result["due"], result["on_target"]) == ("20.00", True)
    detail = client.get(reverse("api:partnership_detail", args=[pk])).json()
    row = next(k for k in detail["kpis"] if k["id"] == kpi.pk)
    assert (row["start_date"], row["target_date"]) == (
        start.isoformat(),
        kpi.target_date.isoformat(),
    )
    assert (row["latest"]["due"], row["latest"]["on_target"]) == ("20.00", True)


def test_comment(world):
    pk = world["kwargs"]["pk"]
    url = reverse("api:partnership_comments", args=[pk])
    response = _post(_writer(world["users"]["officer_b"]), url, {"body": "Agreed, March it is."})
    assert response.status_code == 201
    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.author == world["users"]["officer_b"] and comment.partnership_id == pk
    assert _post(_writer(world["users"]["chamber"]), url, {"body": "x"}).status_code == 404


def test_record_an_outcome_as_a_chamber_taking_part(world):
    sub = world["kwargs"]["sub_alliance_id"]
    url = reverse("api:sub_alliance_outcomes", args=[sub])
    data = {"kind": "export_value", "amount": "25000.00", "currency": "ZAR"}
    response = _post(_writer(world["users"]["chamber"]), url, data)
    assert response.status_code == 201, response.content
    outcome = Outcome.objects.get(pk=response.json()["id"])
    assert outcome.recorded_by == world["users"]["chamber"]
    no_currency = _post(
        _writer(world["users"]["officer_a"]), url, {"kind": "export_value", "amount": "1"}
    )
    assert no_currency.status_code == 400
    assert _post(_writer(world["users"]["chamber_other"]), url, data).status_code == 404
    assert _post(_writer(world["users"]["officer_c"]), url, data).status_code == 404


def test_text_the_web_forms_refuse_is_refused_through_the_api(world):
    """Found from outside: an activity titled with a bell, an escape sequence and a line break,
    and a return's reason with control characters, were stored through the API, which the web
    forms refuse (core.forms.check_text; api.serializers.TextChecked)."""
    pk = world["kwargs"]["pk"]
    writer = _writer(world["users"]["officer_b"])
    url = reverse("api:partnership_activities", args=[pk])
    for title in ("Bell\x07title", "Two\nlines", "Esc\x1b[31m"):
        response = _post(writer, url, {"kind": "marketing", "title": title})
        assert response.status_code == 400, title
        assert "title" in response.json()["errors"]
    # A description keeps its line breaks and tabs, as the web's text area does.
    kept = _post(writer, url, {"kind": "marketing", "title": "Fair", "description": "One\n\tTwo"})
    assert kept.status_code == 201
    assert not Activity.objects.filter(title__in=["Bell\x07title", "Two\nlines"]).exists()
    back = reverse("api:partnership_return", args=[pk])
    step = Partnership.objects.get(pk=pk).step
    refused = _post(writer, back, {"from_step": step, "to_step": 1, "reason": "\x07\x1b"})
    assert refused.status_code == 400
    assert Partnership.objects.get(pk=pk).step == step
