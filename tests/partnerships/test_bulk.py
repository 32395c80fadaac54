"""Bulk actions on the partnership list (partnerships/bulk.py, views/bulk.py): export, follow,
change the review cadence, pause; each row through its service, in its own transaction, with
a report of what was done and what was refused and why."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import hooks
from core.errors import DomainError
from notifications.follows import follower_ids
from notifications.services import follow
from partnerships import bulk, exports, services
from partnerships.forms.bulk import BulkForm
from partnerships.models import Partner, Partnership
from partnerships.views.bulk import REPORT_KEY
from tests.factories.partnerships import CityMembershipFactory, PartnerFactory, PartnershipFactory
from tests.worlds import health_current

pytestmark = pytest.mark.django_db

LIST = reverse("partnerships:list")
BULK = reverse("partnerships:bulk")
REPORT = reverse("partnerships:bulk_report")
Status = Partnership.Status


def officer_of(city):
    return CityMembershipFactory(partner=city).user


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def reload(p: Partnership) -> Partnership:
    return Partnership.objects.get(pk=p.pk)


@pytest.fixture
def city():
    return PartnerFactory(name="Gävle")


@pytest.fixture
def officer(client, city):
    user = officer_of(city)
    client.force_login(user)
    return user


@pytest.fixture
def mine(city):
    """Three partnerships of the officer's city: two active, one ended."""
    return {
        "alpha": PartnershipFactory(home=city, title="Alpha"),
        "bravo": PartnershipFactory(home=city, title="Bravo"),
        "ended": PartnershipFactory(home=city, title="Charlie", status=Status.ENDED),
    }


@pytest.fixture
def elsewhere():
    """Another city's partnership, published: the officer may not open it."""
    return PartnershipFactory(title="Secret of Elsewhere", published=True)


def post(client, action, ps, **extra):
    ids = [str(p.pk) if isinstance(p, Partnership) else str(p) for p in ps]
    return client.post(BULK, {"action": action, "ids": ids, **extra}, follow=True)


def report(response) -> dict:
    assert response.redirect_chain[-1][0] == REPORT
    return response.context["report"]


# --- The list page -------------------------------------------------------------------------


def test_the_list_has_a_box_per_row_an_action_and_a_button(client, officer, mine):
    page = client.get(LIST).content.decode()
    assert f'action="{BULK}"' in page
    for p in mine.values():
        assert f'value="{p.pk}" id="bulk-{p.pk}"' in page
        assert f'for="bulk-{p.pk}">Select {p.title}</label>' in page
    assert '<label class="form-label small mb-1" for="bulk-action">Bulk action</label>' in page
    assert ">Apply to selected</button>" in page
    # "Select all" is there for the script to show; without it, people tick each box.
    assert "<label data-select-all hidden>" in page
    codes = [a.code for a in client.get(LIST).context["bulk_actions"]]
    # "activity" is the agenda app's (tests/agenda/test_bulk.py).
    assert codes == ["export", "follow", "activity", "cadence", "pause"]


def test_the_checkboxes_add_no_query_to_the_list(client, officer, mine):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST, {"sort": "title"}).status_code == 200
        return len(ctx.captured_queries)

    health_current()
    with_boxes = count()
    with hooks.replaced("partnerships.bulk_actions", []):
        without = count()
        assert "bulk-form" not in client.get(LIST, {"sort": "title"}).content.decode()
    assert with_boxes == without


# --- Export --------------------------------------------------------------------------------


def test_export_is_one_csv_of_the_visible_selection_with_the_export_columns(
    client, officer, mine, elsewhere
):
    response = client.post(
        BULK, {"action": "export", "ids": [mine["bravo"].pk, elsewhere.pk, mine["alpha"].pk]}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    headers = [str(h) for h in exports.dataset("partnerships").headers]
    assert rows[0] == headers
    assert [r[1] for r in rows[1:]] == ["Alpha", "Bravo"]
    assert "Secret" not in text
    # What was left out is said (on the next page the person opens).
    messages = said(client.get(LIST))
    assert messages == [
        "1 selected partnership was not found or is not visible to you: it is not in the file."
    ]


def test_export_of_nothing_visible_is_a_report(client, officer, elsewhere):
    response = post(client, "export", [elsewhere])
    got = report(response)
    assert got["done"] == []
    assert [r["message"] for r in got["refused"]] == ["Not found, or not visible to you."]
    assert "Secret" not in response.content.decode()


# --- Follow --------------------------------------------------------------------------------


def test_follow_each_visible_one_and_say_which_were_followed_already(
    client, officer, mine, elsewhere
):
    follow(officer, mine["alpha"])
    response = post(client, "follow", [mine["alpha"], mine["ended"], elsewhere])
    got = report(response)
    assert [(r["title"], r["text"]) for r in got["done"]] == [
        ("Alpha", "You follow it already."),
        ("Charlie", "You follow it now: you hear of its moves."),
    ]
    assert [(r["id"], r["title"]) for r in got["refused"]] == [(elsewhere.pk, "")]
    for p in (mine["alpha"], mine["ended"]):
        assert officer.pk in follower_ids(Partnership, p.pk)
    assert officer.pk not in follower_ids(Partnership, elsewhere.pk)
    assert said(response) == ["Follow: done for 2, refused for 1."]


# --- Change the review cadence -------------------------------------------------------------


def test_cadence_asks_first_then_changes_each_and_keeps_the_next_review(client, officer, mine):
    next_review = dt.date(2027, 3, 1)
    Partnership.objects.filter(pk=mine["alpha"].pk).update(next_review_on=next_review)
    Partnership.objects.filter(pk=mine["bravo"].pk).update(review_cadence_months=3)
    ids = [mine["alpha"].pk, mine["bravo"].pk]

    first = client.post(BULK, {"action": "cadence", "ids": ids})
    assert first.status_code == 200
    page = first.content.decode()
    assert "Alpha" in page and "Bravo" in page
    assert said(first) == ["Nothing is changed until you confirm."]
    assert reload(mine["alpha"]).review_cadence_months == 12  # nothing yet

    response = client.post(
        BULK, {"action": "cadence", "ids": ids, "confirm": "1", "params-cadence": "3"}, follow=True
    )
    got = report(response)
    assert [r["text"] for r in got["done"]] == [
        "Review cadence: “Yearly” → “Quarterly”.",
        "Already reviewed “Quarterly”: unchanged.",
    ]
    alpha = reload(mine["alpha"])
    assert (alpha.review_cadence_months, alpha.next_review_on) == (3, next_review)
    assert alpha.history.first().history_user == officer


def test_cadence_refuses_an_archived_partnership_and_changes_the_others(client, officer, mine):
    archived = PartnershipFactory(home=mine["alpha"].members.get().partner, title="Old")
    Partnership.objects.filter(pk=archived.pk).update(status=Status.ARCHIVED)
    data = {"action": "cadence", "confirm": "1", "params-cadence": "24"}
    response = client.post(BULK, {**data, "ids": [archived.pk, mine["alpha"].pk]}, follow=True)
    got = report(response)
    assert [r["title"] for r in got["done"]] == ["Alpha"]
    assert got["refused"] == [
        {
            "id": archived.pk,
            "title": "Old",
            "message": "You may not change this partnership.",
            "reasons": [],
        }
    ]
    assert reload(archived).review_cadence_months == 12
    assert reload(mine["alpha"]).review_cadence_months == 24


def test_an_invalid_parameter_shows_the_form_again_and_changes_nothing(client, officer, mine):
    response = client.post(
        BULK,
        {"action": "cadence", "ids": [mine["alpha"].pk], "confirm": "1", "params-cadence": "5"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["cadence"]
    assert reload(mine["alpha"]).review_cadence_months == 12


# --- Pause: a run with one refused row -----------------------------------------------------


def test_pause_with_one_refused_row_does_the_others_and_says_why(client, officer, mine):
    ids = [mine["alpha"].pk, mine["ended"].pk, mine["bravo"].pk]
    response = client.post(
        BULK,
        {"action": "pause", "ids": ids, "confirm": "1", "params-reason": "Council elections"},
        follow=True,
    )
    got = report(response)
    assert [(r["title"], r["text"]) for r in got["done"]] == [
        ("Alpha", "Paused."),
        ("Bravo", "Paused."),
    ]
    assert got["refused"] == [
        {
            "id": mine["ended"].pk,
            "title": "Charlie",
            "message": "Only an active partnership can be paused: this one is “Ended”.",
            "reasons": [],
        }
    ]
    page = response.content.decode()
    assert "Done (2)" in page and "Refused (1)" in page
    assert "Only an active partnership can be paused" in page
    assert said(response) == ["Pause: done for 2, refused for 1."]
    for key in ("alpha", "bravo"):
        paused = reload(mine[key])
        assert paused.status == Status.PAUSED
        entry = paused.history.first()
        assert (entry.history_change_reason, entry.history_user) == ("Council elections", officer)
    assert reload(mine["ended"]).status == Status.ENDED
    # The report stays in the session: a reload shows it again and applies nothing.
    again = client.get(REPORT)
    assert again.context["report"]["refused"][0]["title"] == "Charlie"


def test_a_row_refused_by_the_service_is_rolled_back_alone(client, officer, mine):
    """A refusal raised after the row was written undoes that row only."""

    def half_then_refuse(partnership, user, data):
        services.partnership_pause(partnership=partnership, user=user, reason="x")
        if partnership.title == "Alpha":
            raise DomainError("Refused after writing.", ["a reason"])
        return "Paused."

    action = bulk.BulkAction(code="odd", label="Odd", apply=half_then_refuse)
    with hooks.replaced("partnerships.bulk_actions", [action]):
        response = post(client, "odd", [mine["alpha"], mine["bravo"]])
    got = report(response)
    assert [r["title"] for r in got["done"]] == ["Bravo"]
    assert got["refused"][0]["reasons"] == ["a reason"]
    assert "a reason" in response.content.decode()
    assert reload(mine["alpha"]).status == Status.ACTIVE
    assert reload(mine["bravo"]).status == Status.PAUSED


def test_an_action_form_is_given_the_person_and_the_selection(client, officer, city, mine):
    """An outer app's action (the agenda's "assign an activity") may offer choices that depend
    on who asks and on what was selected: its form is given both."""

    class WhoForm(BulkForm):
        who = forms.ModelChoiceField(queryset=Partner.objects.none())

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen.append((self.user, [p.title for p in self.partnerships]))
            self.fields["who"].queryset = Partner.objects.filter(staff__user=self.user)

    def apply(partnership, user, data):
        return f"{data['who'].name} for {partnership.title}"

    seen = []
    action = bulk.BulkAction(code="who", label="Who", apply=apply, form=WhoForm)
    ids = [mine["bravo"].pk, mine["alpha"].pk]
    with hooks.replaced("partnerships.bulk_actions", [action]):
        first = client.post(BULK, {"action": "who", "ids": ids})
        assert [c for c, _label in first.context["form"].fields["who"].choices if c] == [city.pk]
        other = PartnerFactory()
        refused = client.post(
            BULK, {"action": "who", "ids": ids, "confirm": "1", "params-who": other.pk}
        )
        assert refused.context["form"].errors["who"]
        response = client.post(
            BULK, {"action": "who", "ids": ids, "confirm": "1", "params-who": city.pk}, follow=True
        )
    assert seen[0] == (officer, ["Bravo", "Alpha"])
    assert [r["text"] for r in report(response)["done"]] == ["Gävle for Bravo", "Gävle for Alpha"]


def test_pause_service_rules(city, mine):
    user = officer_of(city)
    stranger = officer_of(PartnerFactory())
    with pytest.raises(DomainError, match="may not change"):
        services.partnership_pause(partnership=mine["alpha"], user=stranger, reason="Why")
    with pytest.raises(DomainError, match="Say why"):
        services.partnership_pause(partnership=mine["alpha"], user=user, reason="  ")
    with pytest.raises(DomainError, match="at most 100"):
        services.partnership_pause(partnership=mine["alpha"], user=user, reason="x" * 101)
    services.partnership_pause(partnership=mine["alpha"], user=user, reason="Why")
    with pytest.raises(DomainError, match="“Paused”"):
        services.partnership_pause(partnership=mine["alpha"], user=user, reason="Again")
    assert reload(mine["alpha"]).status == Status.PAUSED


# --- What may not be seen, and bad input ---------------------------------------------------


def test_ids_not_visible_are_reported_without_their_title(client, officer, mine, elsewhere):
    response = client.post(
        BULK,
        {
            "action": "pause",
            "ids": [elsewhere.pk, 10**9, mine["alpha"].pk],
            "confirm": "1",
            "params-reason": "Budget",
        },
        follow=True,
    )
    got = report(response)
    assert [r["title"] for r in got["done"]] == ["Alpha"]
    assert [(r["id"], r["title"], r["message"]) for r in got["refused"]] == [
        (elsewhere.pk, "", "Not found, or not visible to you."),
        (10**9, "", "Not found, or not visible to you."),
    ]
    assert "Secret" not in response.content.decode()
    assert reload(elsewhere).status == Status.ACTIVE


def test_the_confirmation_lists_only_what_may_be_seen(client, officer, mine, elsewhere):
    response = client.post(BULK, {"action": "pause", "ids": [elsewhere.pk, mine["alpha"].pk]})
    page = response.content.decode()
    assert response.context["partnerships"] == [mine["alpha"]]
    assert "Secret" not in page
    assert "1 more selected partnership is not found or not visible to you" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "pause"}, "Tick at least one partnership."),
        ({"ids": ["1"]}, "Choose an action from the list."),
        ({"action": "delete", "ids": ["1"]}, "Choose an action from the list."),
        ({"action": "pause", "ids": ["1", "x"]}, "The selection is not understood"),
        ({"action": "pause", "ids": ["-1"]}, "The selection is not understood"),
        ({"action": "pause", "ids": [str(2**63)]}, "The selection is not understood"),
        ({"action": "pause", "ids": ["١"]}, "The selection is not understood"),
        ({"action": "pause", "ids": ["7", "7"]}, "A partnership is ticked twice"),
        (
            {"action": "follow", "ids": [str(n) for n in range(1, 202)]},
            "At most 200 partnerships at a time: 201 are ticked.",
        ),
    ],
)
def test_bad_input_is_said_and_nothing_is_done(client, officer, mine, data, message):
    response = client.post(BULK, {**data, "query": "sort=title&page=2"})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?sort=title&page=2"
    page = client.get(response["Location"])
    assert any(m.startswith(message) for m in said(page)), said(page)
    assert not Partnership.objects.filter(status=Status.PAUSED).exists()


def test_the_report_page_without_a_report(client, officer):
    response = client.get(REPORT)
    assert response.status_code == 200
    assert "No bulk action has been run in this session" in response.content.decode()


def test_an_account_without_a_role_has_no_bulk_form(client, mine):
    """Someone without a role never sees the list (its status page); admins do."""
    User = get_user_model()
    admin = User.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    assert "bulk-form" in client.get(LIST).content.decode()
    client.force_login(User.objects.create_user("nobody", "n@example.com", "x"))
    assert client.get(LIST).status_code == 302


# --- Query budget --------------------------------------------------------------------------

# Queries per row, counted in the test's transaction (so each row's own transaction is a
# savepoint; in production its BEGIN and COMMIT are not counted: two fewer):
# pause = savepoint, the service's savepoint, the row locked, its members (edit check), the
# model's two check constraints validated by full_clean (a savepoint, a query and a release
# each), the update, the history row, two releases: 14; cadence = the same through
# partnership_update, which also reads the member cities' regions (the orientation): 15;
# follow = savepoint, already following?, the service's savepoint, may see?, insert, read
# back, two releases: 8. Besides: session, user, bell, roles, the selection and its members,
# the session saved (savepoint, update, release): at most 10.
# Pausing and the review cadence save the partnership, which marks its stored health stale
# (one query; its recomputation runs when the row's transaction commits, two more).
PER_ROW = {"pause": 15, "cadence": 16, "follow": 8}
FIXED = 10


@pytest.mark.parametrize("code", sorted(PER_ROW))
def test_queries_per_row_are_constant(client, officer, city, code):
    ContentType.objects.get_for_model(Partnership)  # cached per process, as in production
    params = {"pause": {"params-reason": "Why"}, "cadence": {"params-cadence": "3"}}
    counts = []
    for n in (2, 6):
        ps = [PartnershipFactory(home=city, title=f"P{n}-{i}") for i in range(n)]
        data = {"action": code, "ids": [p.pk for p in ps], "confirm": "1", **params.get(code, {})}
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(BULK, data)
        assert response.status_code == 302
        assert client.session[REPORT_KEY]["refused"] == []
        counts.append(len(ctx.captured_queries))
    assert counts[1] - counts[0] == 4 * PER_ROW[code], counts
    assert counts[0] <= FIXED + 2 * PER_ROW[code], counts


def test_the_confirmation_and_the_report_ask_a_constant_number_of_queries(client, officer, city):
    def confirmation(n: int) -> int:
        ps = [PartnershipFactory(home=city) for _ in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(BULK, {"action": "pause", "ids": [p.pk for p in ps]})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    assert confirmation(2) == confirmation(8)
    # The report is read from the session: the same queries for 1 row as for 200.
    counts = []
    for n in (1, 200):
        session = client.session
        row = {"id": 1, "title": "T", "message": "No.", "reasons": ["Why"]}
        session[REPORT_KEY] = {"action": "Pause", "done": [], "refused": [row] * n, "back": LIST}
        session.save()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(REPORT).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 6, counts
