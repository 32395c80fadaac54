"""The joint sign-off needs every member city: an officer's confirmation, or one given
outside the portal and recorded by the home side (endorsed or disputed by the city's officers
once they join); the events the walk and the sign-off emit for the notifications app."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from core.errors import DomainError
from partnerships import selectors, services, workflow
from partnerships.events import Kind
from partnerships.models import OfflineConfirmation, Partnership, Step, StepTransition
from tests.factories.partnerships import (
    CityMembershipFactory,
    PartnerFactory,
    confirm_each_side,
    signed_pdf,
    walked_to,
)

pytestmark = pytest.mark.django_db


def officer_of(city):
    return CityMembershipFactory(partner=city).user


@pytest.fixture
def world():
    """A partnership at selection, its partner chosen: the home city has an officer, the
    partner city none."""
    home = PartnerFactory(name="Guangzhou")
    ours = officer_of(home)
    p = walked_to(Step.SELECTION, home=home, user=ours)
    candidate = p.candidates.get()
    services.selection_decide(partnership=p, candidate=candidate, reasons="Fit.", user=ours)
    return {"p": p, "home": home, "ours": ours, "partner": candidate.partner}


def record(world, **changes):
    fields = {
        "partnership": world["p"],
        "partner": world["partner"],
        "user": world["ours"],
        "confirmed_by_name": "Karen Bass",
        "confirmed_by_role": "Mayor",
        "confirmed_on": dt.date(2025, 3, 3),
        "evidence": OfflineConfirmation.Evidence.LETTER,
        "document": signed_pdf(),
    }
    return services.offline_confirmation_record(**{**fields, **changes})


@pytest.fixture
def events(replace_hook):
    """Every event emitted, once its transaction commits (the test's never does: run the
    on-commit callbacks with django_capture_on_commit_callbacks)."""
    seen = []
    replace_hook("partnership.events", [seen.append])
    return seen


# --- The gate ------------------------------------------------------------------------------


def test_the_gate_needs_the_city_without_officers_too(world):
    p, partner = world["p"], world["partner"]
    services.partnership_confirm_move(partnership=p, user=world["ours"])
    missing = workflow.missing_to_advance(p)
    assert missing == [
        f"Confirmation from {partner.name}: it has no officer in the portal yet; invite one, "
        "or record its confirmation given outside the portal."
    ]
    with pytest.raises(DomainError):
        services.partnership_advance(partnership=p, user=world["ours"])
    p.refresh_from_db()
    assert p.step == Step.SELECTION


def test_a_confirmation_given_outside_the_portal_satisfies_it(world):
    p = world["p"]
    services.partnership_confirm_move(partnership=p, user=world["ours"])
    confirmation = record(world)
    assert confirmation.shown == (
        "confirmed outside the portal by Karen Bass, Mayor, on 3 Mar 2025"
    )
    assert workflow.missing_to_advance(p) == []
    services.partnership_advance(partnership=p, user=world["ours"])
    assert Partnership.objects.get(pk=p.pk).step == Step.PLANNING


def test_an_officer_who_joins_later_confirms_instead(world):
    p = world["p"]
    services.partnership_confirm_move(partnership=p, user=world["ours"])
    theirs = officer_of(world["partner"])
    assert workflow.missing_to_advance(p) == [
        f"Confirmation from an officer of {world['partner'].name}."
    ]
    services.partnership_confirm_move(partnership=p, user=theirs)
    assert workflow.missing_to_advance(p) == []


def test_one_person_never_confirms_for_two_sides(world):
    """Someone who works for both cities (an admin's doing, or data from before the rule that
    keeps it from happening) is refused: each city's word comes from a different person."""
    p, both = world["p"], world["ours"]
    CityMembershipFactory(partner=world["partner"], user=both)
    with pytest.raises(DomainError, match="different person"):
        services.partnership_confirm_move(partnership=p, user=both)
    assert not p.confirmations.exists()
    assert workflow.missing_to_advance(p)


def test_the_home_side_also_needs_a_confirmation(world):
    record(world)
    assert workflow.missing_to_advance(world["p"]) == [
        f"Confirmation from an officer of {world['home'].name}."
    ]


# --- Recording: every refusal saves nothing --------------------------------------------------


def _refused(world, error, match, **changes):
    with pytest.raises(error, match=match):
        record(world, **changes)
    assert not OfflineConfirmation.objects.exists()


def test_only_the_home_sides_officers_record(world):
    stranger = officer_of(PartnerFactory())
    _refused(world, DomainError, "may not change", user=stranger)
    # An officer of the partner city itself is refused too: it confirms for itself.
    p = world["p"]
    second = PartnerFactory()
    services.partnership_add_partner(partnership=p, partner=second)
    _refused(world, DomainError, "Only officers of the home city", user=officer_of(second))


def test_a_city_with_officers_or_not_a_member_is_refused(world):
    officer_of(world["partner"])
    _refused(world, DomainError, "has officers in the portal")
    _refused(world, DomainError, "is not a member", partner=PartnerFactory())


def test_only_at_a_joint_step_and_only_once(world):
    record(world)
    with pytest.raises(DomainError, match="already"):
        record(world)
    assert OfflineConfirmation.objects.count() == 1
    planning = walked_to(Step.PLANNING, home=world["home"])
    counterpart = planning.members.get(role="counterpart").partner
    with pytest.raises(DomainError, match="needs no joint confirmation"):
        record(world, partnership=planning, partner=counterpart)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"confirmed_on": "tomorrow"}, "confirmed_on", "cannot be in the future"),
        ({"confirmed_by_name": ""}, "confirmed_by_name", "cannot be blank"),
        ({"confirmed_by_role": "  "}, "confirmed_by_role", "cannot be blank"),
        ({"evidence": "photo"}, "evidence", "not a valid choice"),
        ({"document": None}, "document", "cannot be blank"),
        (
            {"document": ContentFile(b"just text, named pdf", name="letter.pdf")},
            "document",
            "not a PDF",
        ),
        (
            # Forged: the PDF signature in front of something no reader opens.
            {"document": ContentFile(b"%PDF-1.7\n<html><script>x</script></html>", name="a.pdf")},
            "document",
            "not a readable PDF",
        ),
    ],
    ids=["future", "no-name", "no-role", "bad-evidence", "no-file", "not-pdf", "forged-pdf"],
)
def test_bad_input_is_refused_per_field(world, changes, field, message):
    if changes.get("confirmed_on") == "tomorrow":
        changes["confirmed_on"] = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        record(world, **changes)
    assert any(message in m for m in refused.value.message_dict[field]), refused.value
    assert not OfflineConfirmation.objects.exists()


# --- Endorse and dispute -------------------------------------------------------------------


def test_the_citys_officers_endorse_it_once(world):
    confirmation = record(world)
    with pytest.raises(DomainError, match="Only officers of"):
        services.offline_confirmation_endorse(confirmation=confirmation, user=world["ours"])
    theirs = officer_of(world["partner"])
    endorsed = services.offline_confirmation_endorse(confirmation=confirmation, user=theirs)
    assert endorsed.status == OfflineConfirmation.Status.ENDORSED
    assert endorsed.reviewed_by == theirs
    assert world["partner"].pk in workflow.confirmed_partner_ids(world["p"])
    with pytest.raises(DomainError, match="endorsed already"):
        services.offline_confirmation_dispute(confirmation=confirmation, user=theirs, reason="x")


def test_a_dispute_reopens_the_gate_with_its_reason_on_the_timeline(world):
    p = world["p"]
    services.partnership_confirm_move(partnership=p, user=world["ours"])
    confirmation = record(world)
    theirs = officer_of(world["partner"])
    with pytest.raises(DomainError, match="Only officers of"):
        services.offline_confirmation_dispute(
            confirmation=confirmation, user=world["ours"], reason="No."
        )
    with pytest.raises(DomainError, match="Say why"):
        services.offline_confirmation_dispute(confirmation=confirmation, user=theirs, reason=" ")
    services.offline_confirmation_dispute(
        confirmation=confirmation, user=theirs, reason="Our mayor never signed this letter."
    )
    confirmation.refresh_from_db()
    assert confirmation.status == OfflineConfirmation.Status.DISPUTED
    assert workflow.missing_to_advance(p) == [
        f"Confirmation from an officer of {world['partner'].name}."
    ]
    entry = selectors.timeline(p)[0]
    assert entry.kind == "offline_review"
    assert "disputed" in entry.title and entry.detail == "Our mayor never signed this letter."
    with pytest.raises(DomainError, match="disputed already"):
        services.offline_confirmation_dispute(confirmation=confirmation, user=theirs, reason="x")


def test_a_dispute_after_the_move_returns_the_partnership_to_that_step(world):
    p = world["p"]
    services.partnership_confirm_move(partnership=p, user=world["ours"])
    confirmation = record(world)
    services.partnership_advance(partnership=p, user=world["ours"])
    theirs = officer_of(world["partner"])
    services.offline_confirmation_dispute(
        confirmation=confirmation, user=theirs, reason="We never agreed to be chosen."
    )
    p.refresh_from_db()
    assert p.step == Step.SELECTION
    move = p.transitions.first()
    assert move.kind == StepTransition.Kind.RETURN and move.by == theirs
    assert "We never agreed to be chosen." in move.reason
    # Both cities are asked again: the home side's earlier confirmation was of the old passage.
    assert len(workflow.missing_to_advance(p)) == 2


def test_a_long_reason_is_kept_whole_on_the_move(world):
    """The record's history keeps 100 characters of why; the move keeps the whole reason (a
    dispute's return reason names the city and quotes the officer)."""
    p = world["p"]
    reason = "Both mayors want another look at the candidates. " * 20
    services.partnership_return(partnership=p, to_step=Step.SEARCH, reason=reason)
    assert p.transitions.first().reason == reason.strip()
    change = p.history.order_by("-history_id").first().history_change_reason
    assert len(change) == 100 and change.endswith("…")


def test_a_dispute_of_an_earlier_passage_moves_nothing(world):
    p = world["p"]
    services.partnership_confirm_move(partnership=p, user=world["ours"])
    old = record(world)
    services.partnership_advance(partnership=p, user=world["ours"])
    services.partnership_return(
        partnership=Partnership.objects.get(pk=p.pk), to_step=Step.SELECTION, reason="Redo"
    )
    p.refresh_from_db()
    confirm_each_side(p)  # the new passage: both confirm again
    services.partnership_advance(partnership=p, user=world["ours"])
    theirs = CityMembershipFactory(partner=world["partner"]).user
    services.offline_confirmation_dispute(confirmation=old, user=theirs, reason="Old news.")
    assert Partnership.objects.get(pk=p.pk).step == Step.PLANNING


# --- Events --------------------------------------------------------------------------------


def test_entering_a_joint_step_and_choosing_the_partner_await_confirmations(
    events, django_capture_on_commit_callbacks
):
    home = PartnerFactory()
    ours = officer_of(home)
    with django_capture_on_commit_callbacks(execute=True):
        p = walked_to(Step.SELECTION, home=home, user=ours)
    assert [e.kind for e in events].count(Kind.ADVANCED) == 3
    advanced = [e for e in events if e.kind == Kind.ADVANCED][-1]
    assert advanced.data == {
        "step": "Selection",  # what the notification's headline names
        "from_step": "Approach and evaluation",
        "to_step": "Selection",
    }
    # Only the home city is a member on entering selection: nothing is awaited yet.
    assert not [e for e in events if e.kind == Kind.CONFIRMATION_AWAITED]
    candidate = p.candidates.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.selection_decide(partnership=p, candidate=candidate, reasons="Fit.", user=ours)
    awaited = [e for e in events if e.kind == Kind.CONFIRMATION_AWAITED]
    assert len(awaited) == 1
    assert set(awaited[0].partner_ids) == {home.pk, candidate.partner_id}
    assert awaited[0].data["step"] == "Selection"
    assert candidate.partner.name in awaited[0].data["cities"]


def test_confirming_recording_disputing_and_returning_emit_events(
    world, events, django_capture_on_commit_callbacks
):
    p, partner = world["p"], world["partner"]
    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_confirm_move(partnership=p, user=world["ours"])
        confirmation = record(world)
        services.partnership_advance(partnership=p, user=world["ours"])
    kinds = [e.kind for e in events]
    assert kinds == [Kind.CONFIRMED, Kind.CONFIRMED, Kind.ADVANCED]
    assert events[0].partner_ids == (world["home"].pk,)
    assert events[1].partner_ids == (partner.pk,) and events[1].data["offline"] is True
    assert events[1].data["city"] == partner.name
    events.clear()
    theirs = officer_of(partner)
    with django_capture_on_commit_callbacks(execute=True):
        services.offline_confirmation_dispute(
            confirmation=confirmation, user=theirs, reason="Not signed by us."
        )
    kinds = [e.kind for e in events]
    assert kinds == [
        Kind.OFFLINE_CONFIRMATION_DISPUTED,
        Kind.RETURNED,
        Kind.CONFIRMATION_AWAITED,
    ]
    disputed, returned, awaited = events
    assert disputed.partner_ids == (partner.pk,) and disputed.data["reason"] == "Not signed by us."
    assert returned.data["from_step"] == "Planning" and returned.data["to_step"] == "Selection"
    assert "Not signed by us." in returned.data["reason"]
    assert set(awaited.partner_ids) == {world["home"].pk, partner.pk}
    assert all(e.actor_id == theirs.pk for e in events)


def test_a_dispute_at_the_step_awaits_that_city_again(
    world, events, django_capture_on_commit_callbacks
):
    confirmation = record(world)
    theirs = officer_of(world["partner"])
    with django_capture_on_commit_callbacks(execute=True):
        services.offline_confirmation_dispute(
            confirmation=confirmation, user=theirs, reason="Wrong person signed."
        )
    assert [e.kind for e in events] == [
        Kind.OFFLINE_CONFIRMATION_DISPUTED,
        Kind.CONFIRMATION_AWAITED,
    ]
    assert events[1].partner_ids == (world["partner"].pk,)
    assert events[1].data["reason"] == "Wrong person signed."


def test_nothing_is_emitted_when_a_write_is_refused(
    world, events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        services.partnership_advance(partnership=world["p"], user=world["ours"])
    assert events == []
