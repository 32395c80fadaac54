"""The partnership pages: dashboard, list, create/edit, the partnership's page, moves between
steps, joint sign-off, champions and documents."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships import services
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    Candidate,
    Champion,
    CityMembership,
    Lesson,
    MOUSignatory,
    Partner,
    Partnership,
    PartnershipMember,
    PlanAction,
    Review,
    Step,
    StepTransition,
)
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    ActivityFactory,
    CandidateFactory,
    ChampionFactory,
    CityMembershipFactory,
    CooperationAreaFactory,
    KPIFactory,
    LessonFactory,
    LetterOfIntentFactory,
    MOUFactory,
    MOUSignatoryFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    PlanActionFactory,
    ReviewFactory,
    TwinningStrategyFactory,
    walked_to,
)
from tests.growth import save, save_parents, save_partnerships
from tests.pdfs import PDF
from tests.worlds import health_current

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12


def officer_of(city, role=CityMembership.Role.OFFICER):
    return CityMembershipFactory(partner=city, role=role).user


def url(name, *args):
    return reverse(f"partnerships:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def twinned():
    """A private partnership of Home (South Africa) and Away (Germany), with an officer each,
    a coordinator of Home, and an officer of an unrelated city."""
    home, away, other = (
        PartnerFactory(name="Home"),
        NorthPartnerFactory(name="Away"),
        PartnerFactory(),
    )
    p = PartnershipFactory(home=home, title="Home and Away")
    PartnershipMemberFactory(partnership=p, partner=away)
    return {
        "p": p,
        "home": home,
        "away": away,
        "home_officer": officer_of(home),
        "away_officer": officer_of(away),
        "coordinator": officer_of(home, CityMembership.Role.COORDINATOR),
        "stranger": officer_of(other),
        "admin": UserFactory(is_superuser=True, is_staff=True),
        "chamber": UserFactory(),  # no role (e.g. a chamber sign-up not yet approved)
    }


def page_urls(p, mou=None):
    urls = {
        "detail": url("detail", p.pk),
        "edit": url("edit", p.pk),
        "champion_add": url("champion_add", p.pk),
        "return": url("return", p.pk),
    }
    if mou is not None:
        urls["document"] = url("document", p.pk, "mou", mou.pk)
    return urls


def status_of(client, address) -> int:
    response = client.get(address)
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end, so the file is closed
    return response.status_code


def with_document(p, **fields):
    mou = MOUFactory(partnership=p, status=MOU.Status.DRAFT, **fields)
    mou.document.save("agreement.pdf", ContentFile(PDF))
    return mou


# --- Who may open what ---------------------------------------------------------------------


def test_anonymous_is_sent_to_login_everywhere(client, twinned):
    p = twinned["p"]
    gets = [url("dashboard"), url("list"), url("create"), *page_urls(p).values()]
    gets.append(url("document", p.pk, "mou", 1))
    for address in gets:
        response = client.get(address)
        assert response.status_code == 302, address
        assert response.url.startswith(reverse("login")), address
    for name in ("advance", "return", "confirm"):
        response = client.post(url(name, p.pk), {"from_step": 1})
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["home_officer", "away_officer", "coordinator", "admin"])
def test_members_of_either_side_and_admins_open_every_page(client, twinned, who):
    p = twinned["p"]
    # At step 2, so that the return form has an earlier step to offer.
    Partnership.objects.filter(pk=p.pk).update(step=Step.SEARCH)
    mou = with_document(p)
    client.force_login(twinned[who])
    for name in ("dashboard", "list", "create"):
        assert client.get(url(name)).status_code == 200, name
    for name, address in page_urls(p, mou).items():
        assert status_of(client, address) == 200, name


@pytest.mark.parametrize("who, refused", [("stranger", 404), ("chamber", 302)])
@pytest.mark.parametrize("published", [False, True])
def test_others_never_reach_the_inside_even_when_published(
    client, twinned, who, refused, published
):
    """An officer of another city gets 404 on every inside page, and an account without a role
    is sent to its status page; publishing changes neither (it feeds the public registry)."""
    p = twinned["p"]
    Partnership.objects.filter(pk=p.pk).update(step=Step.SEARCH, published=published)
    mou = with_document(p)
    client.force_login(twinned[who])
    for name, address in page_urls(p, mou).items():
        assert client.get(address).status_code == refused, name
    for name in ("advance", "return", "confirm", "edit", "champion_add"):
        response = client.post(url(name, p.pk), {"from_step": 2, "to_step": 1, "reason": "x"})
        assert response.status_code == refused, name
    p.refresh_from_db()
    assert p.step == Step.SEARCH
    own_pages = 200 if who == "stranger" else 302
    assert client.get(url("dashboard")).status_code == own_pages
    assert client.get(url("list")).status_code == own_pages
    if published:
        client.logout()
        registry = client.get(reverse("businesses:registry_detail", args=[p.pk]))
        assert registry.status_code == 200


def test_only_officers_and_admins_may_create(client, twinned):
    client.force_login(twinned["chamber"])  # no role: sent to its status page
    assert client.get(url("create")).status_code == 302
    assert client.post(url("create"), {"title": "x"}).status_code == 302
    assert not Partnership.objects.filter(title="x").exists()


# --- Create, edit, champions ---------------------------------------------------------------


def test_create_then_detail(client, twinned):
    area = CooperationAreaFactory(name="Tourism")
    client.force_login(twinned["home_officer"])
    response = client.post(
        url("create"),
        {
            "home": twinned["home"].pk,
            "title": "Port cities",
            "category": Partnership.Category.MIC,
            "phase": Partnership.Phase.COMMERCIAL,
            "areas": [area.pk],
            "summary": "Two ports learning together.",
        },
    )
    p = Partnership.objects.get(title="Port cities")
    assert response.status_code == 302
    assert response.url == url("detail", p.pk)
    assert p.step == Step.STRATEGY
    assert p.created_by == twinned["home_officer"]
    assert list(p.areas.all()) == [area]
    assert p.members.get().partner == twinned["home"]
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Port cities" in page.content.decode()


def test_create_refuses_a_home_city_the_officer_does_not_work_for(client, twinned):
    client.force_login(twinned["home_officer"])
    before = Partnership.objects.count()
    response = client.post(
        url("create"),
        {
            "home": twinned["away"].pk,
            "title": "Not mine",
            "category": "mic",
            "phase": "associative",
        },
    )
    assert response.status_code == 200
    assert "home" in response.context["form"].errors
    response = client.post(url("create"), {"home": twinned["home"].pk, "title": ""})
    assert response.status_code == 200
    assert {"title", "category"} <= set(response.context["form"].errors)
    assert Partnership.objects.count() == before


def test_admin_may_create_for_any_city(client, twinned):
    client.force_login(twinned["admin"])
    response = client.post(
        url("create"),
        {
            "home": twinned["away"].pk,
            "title": "By admin",
            "category": "mic",
            "phase": "associative",
        },
    )
    assert response.status_code == 302
    assert Partnership.objects.get(title="By admin").members.get().partner == twinned["away"]


def edit_data(p, **changes):
    data = {
        "title": p.title,
        "summary": p.summary,
        "category": p.category,
        "phase": p.phase,
        "status": p.status,
        "relationship_strength": p.relationship_strength,
        "review_cadence_months": p.review_cadence_months,
        "next_review_on": "",
        "established_on": "",
        "orientation": p.orientation,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_saves_and_shows_in_the_history(client, twinned):
    p = twinned["p"]
    client.force_login(twinned["away_officer"])
    old_title = p.title
    response = client.post(
        url("edit", p.pk),
        edit_data(p, title="Renamed", relationship_strength=8, published="on"),
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.title, p.relationship_strength, p.published) == ("Renamed", 8, True)
    page = client.get(url("detail", p.pk))
    changes = page.context["history"][0].changes
    assert ("Title", old_title, "Renamed") in changes
    assert "8 – Partner: partnering" in page.content.decode()


def test_edit_validation_keeps_the_record(client, twinned):
    p = twinned["p"]
    client.force_login(twinned["home_officer"])
    response = client.post(
        url("edit", p.pk),
        edit_data(p, title="", relationship_strength=11, next_review_on="20255-01-01"),
    )
    assert response.status_code == 200
    assert {"title", "relationship_strength", "next_review_on"} <= set(
        response.context["form"].errors
    )
    response = client.post(url("edit", p.pk), edit_data(p, orientation="east_west"))
    assert "orientation_overridden" in response.context["form"].errors
    p.refresh_from_db()
    assert p.title == "Home and Away"
    assert p.orientation != "east_west"


def test_edit_never_undoes_a_move_made_while_the_form_was_open(client, twinned):
    p = twinned["p"]
    client.force_login(twinned["home_officer"])
    stale = edit_data(p, title="Edited")
    Partnership.objects.filter(pk=p.pk).update(step=Step.SEARCH)
    assert client.post(url("edit", p.pk), stale).status_code == 302
    p.refresh_from_db()
    assert (p.title, p.step) == ("Edited", Step.SEARCH)


def _seen(page) -> str:
    """The hidden digest of the record as the form was drawn (core.forms.SeenRecord)."""
    found = re.search(r'name="seen" value="([^"]*)"', page.content.decode())
    assert found, "an edit form carries what it was drawn from"
    return found.group(1)


def test_a_form_opened_before_someone_elses_save_does_not_undo_it(client, twinned):
    """Found from outside: an edit form opened before a colleague paused the partnership (or
    a review ended it) set it back to active on saving, and their summary back to the old."""
    p = twinned["p"]
    services.partnership_update(partnership=p, user=None)  # its orientation derived once
    p.refresh_from_db()
    client.force_login(twinned["home_officer"])
    stale = {**edit_data(p, title="Mine"), "seen": _seen(client.get(url("edit", p.pk)))}
    colleague = Client()
    colleague.force_login(twinned["away_officer"])
    theirs = edit_data(p, status="paused", summary="Theirs")
    theirs["seen"] = _seen(colleague.get(url("edit", p.pk)))
    assert colleague.post(url("edit", p.pk), theirs).status_code == 302

    response = client.post(url("edit", p.pk), stale)
    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert "Summary" in error and "Status" in error and "Title" not in error
    p.refresh_from_db()
    assert (p.title, p.status, p.summary) == ("Home and Away", "paused", "Theirs")
    # Having looked, they save again from the form as it came back: it goes through.
    again = client.post(url("edit", p.pk), {**stale, "seen": _seen(response)})
    assert again.status_code == 302, again.context["form"].errors
    p.refresh_from_db()
    assert p.title == "Mine"


def test_an_officer_may_archive_and_then_only_read(client, twinned):
    p = twinned["p"]
    client.force_login(twinned["home_officer"])
    assert client.post(url("edit", p.pk), edit_data(p, status="archived")).status_code == 302
    p.refresh_from_db()
    assert p.status == Partnership.Status.ARCHIVED
    assert client.get(url("edit", p.pk)).status_code == 404
    assert client.get(url("detail", p.pk)).context["can_edit"] is False


def test_champion_add(client, twinned):
    p = twinned["p"]
    client.force_login(twinned["home_officer"])
    response = client.post(
        url("champion_add", p.pk),
        {
            "name": "Cllr Ndlovu",
            "title": "Mayor",
            "email": "n@example.org",
            "partner": twinned["away"].pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    champion = Champion.objects.get(partnership=p)
    assert (champion.partner, champion.is_active) == (twinned["away"], True)

    outsider = PartnerFactory()
    response = client.post(
        url("champion_add", p.pk), {"name": "X", "partner": outsider.pk, "email": "bad"}
    )
    assert response.status_code == 200
    assert {"partner", "email"} <= set(response.context["form"].errors)
    assert Champion.objects.filter(partnership=p).count() == 1


# --- Moves ---------------------------------------------------------------------------------


def test_advance_moves_on_and_says_where(client, twinned):
    p = twinned["p"]
    TwinningStrategyFactory(partner=twinned["home"])
    client.force_login(twinned["home_officer"])
    response = client.post(url("advance", p.pk), {"from_step": 1}, follow=True)
    p.refresh_from_db()
    assert p.step == Step.SEARCH
    assert "The partnership moved on to step 2: Search." in messages_of(response)
    assert StepTransition.objects.get(partnership=p).by == twinned["home_officer"]


def test_advance_refused_lists_what_is_missing(client, twinned):
    p = twinned["p"]
    client.force_login(twinned["home_officer"])
    page = client.get(url("detail", p.pk))
    assert "Put a twinning strategy in force for the home city." in page.context["blockers"]
    assert 'disabled aria-describedby="advance-blockers"' in page.content.decode()

    response = client.post(url("advance", p.pk), {"from_step": 1}, follow=True)
    assert response.redirect_chain[-1][0] == url("detail", p.pk)
    shown = messages_of(response)
    assert "The partnership cannot leave “Strategy” yet." in shown
    assert "Put a twinning strategy in force for the home city." in shown
    p.refresh_from_db()
    assert p.step == Step.STRATEGY


@pytest.mark.parametrize("from_step", ["", "abc", "0", "9", "1.5"])
def test_advance_with_bad_input_is_refused_not_a_500(client, twinned, from_step):
    p = twinned["p"]
    TwinningStrategyFactory(partner=twinned["home"])
    client.force_login(twinned["home_officer"])
    response = client.post(url("advance", p.pk), {"from_step": from_step})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.step == Step.STRATEGY


def test_a_stale_step_is_refused(client, twinned):
    p = twinned["p"]
    TwinningStrategyFactory(partner=twinned["home"])
    CandidateFactory(partnership=p)
    client.force_login(twinned["home_officer"])
    assert client.post(url("advance", p.pk), {"from_step": 1}).status_code == 302
    # A second officer, whose page still showed step 1, presses Advance too.
    response = client.post(url("advance", p.pk), {"from_step": 1}, follow=True)
    assert any("meanwhile" in m for m in messages_of(response))
    p.refresh_from_db()
    assert p.step == Step.SEARCH
    response = client.post(
        url("return", p.pk), {"from_step": 3, "to_step": 1, "reason": "Redo"}, follow=True
    )
    assert any("meanwhile" in m for m in messages_of(response))
    p.refresh_from_db()
    assert p.step == Step.SEARCH


def test_return_needs_a_reason(client, twinned):
    p = twinned["p"]
    Partnership.objects.filter(pk=p.pk).update(step=Step.APPROACH)
    client.force_login(twinned["home_officer"])
    assert client.get(url("return", p.pk)).status_code == 200

    response = client.post(url("return", p.pk), {"from_step": 3, "to_step": 2, "reason": "  "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    for bad in (
        {"from_step": 3, "to_step": "x", "reason": "r"},
        {"from_step": 3, "to_step": 3, "reason": "r"},
    ):
        response = client.post(url("return", p.pk), bad)
        assert response.status_code == 200
        assert "to_step" in response.context["form"].errors
    p.refresh_from_db()
    assert p.step == Step.APPROACH

    response = client.post(
        url("return", p.pk),
        {"from_step": 3, "to_step": 2, "reason": "The only candidate withdrew."},
        follow=True,
    )
    assert "The partnership returned to step 2: Search." in messages_of(response)
    p.refresh_from_db()
    assert p.step == Step.SEARCH
    move = StepTransition.objects.get(partnership=p)
    assert (move.kind, move.reason) == (StepTransition.Kind.RETURN, "The only candidate withdrew.")
    timeline = response.context["timeline"]
    assert timeline[0].detail == "The only candidate withdrew."
    # The history names the move in words, not its stored code (found from outside: "return:
    # …", "advance" in every language).
    history = client.get(url("detail", p.pk)).context["history"]
    assert history[0].reason == "Returned: The only candidate withdrew."


def test_return_at_the_first_step_is_refused(client, twinned):
    client.force_login(twinned["home_officer"])
    response = client.get(url("return", twinned["p"].pk))
    assert response.status_code == 302


@pytest.fixture
def at_selection():
    """A partnership at Selection with its decision made: Home and the selected Away city,
    each with an officer, so leaving Selection needs both to confirm."""
    home = PartnerFactory(name="Home")
    home_officer = officer_of(home)
    p = walked_to(Step.SELECTION, home=home, user=home_officer)
    candidate = p.candidates.get()
    services.selection_decide(partnership=p, candidate=candidate, reasons="Best fit.")
    away_officer = officer_of(candidate.partner)
    return p, home_officer, away_officer, candidate.partner


def test_joint_sign_off_needs_both_sides(client, at_selection):
    p, home_officer, away_officer, away = at_selection
    client.force_login(home_officer)
    response = client.post(url("advance", p.pk), {"from_step": 4}, follow=True)
    assert f"Confirmation from an officer of {away.name}." in messages_of(response)
    assert response.context["sign_off"]["can_confirm"] is True

    response = client.post(url("confirm", p.pk), {"from_step": 4}, follow=True)
    assert any(m.startswith("You confirmed") for m in messages_of(response)), messages_of(response)
    sides = {s["city"].name: s for s in response.context["sign_off"]["sides"]}
    assert sides["Home"]["confirmed_at"] is not None
    assert sides["Home"]["confirmed_by"] == (home_officer.get_full_name() or home_officer.username)
    assert sides[away.name]["confirmed_at"] is None
    assert response.context["sign_off"]["can_confirm"] is False
    # Confirming twice is harmless.
    response = client.post(url("confirm", p.pk), {"from_step": 4}, follow=True)
    assert "Your city has confirmed this move already." in messages_of(response)
    assert p.confirmations.count() == 1

    response = client.post(url("advance", p.pk), {"from_step": 4}, follow=True)
    p.refresh_from_db()
    assert p.step == Step.SELECTION

    client.force_login(away_officer)
    client.post(url("confirm", p.pk), {"from_step": 4})
    response = client.post(url("advance", p.pk), {"from_step": 4}, follow=True)
    p.refresh_from_db()
    assert p.step == Step.PLANNING
    assert "The partnership moved on to step 5: Planning." in messages_of(response)


def test_confirm_refuses_a_step_the_officer_did_not_see(client, at_selection):
    p, home_officer, _, _ = at_selection
    client.force_login(home_officer)
    for from_step in ("3", "", "x"):
        client.post(url("confirm", p.pk), {"from_step": from_step})
    assert p.confirmations.count() == 0


def test_confirm_outside_a_joint_step_is_refused(client, twinned):
    client.force_login(twinned["home_officer"])
    response = client.post(url("confirm", twinned["p"].pk), {"from_step": 1}, follow=True)
    assert "“Strategy” needs no joint confirmation." in messages_of(response)


# --- The partnership page -------------------------------------------------------------------


def test_detail_shows_every_step_checklist_and_the_step_asked_for(client, twinned):
    p = twinned["p"]
    client.force_login(twinned["home_officer"])
    response = client.get(url("detail", p.pk))
    steps = response.context["steps"]
    assert [s["step"] for s in steps] == list(Step)
    assert [s["state"] for s in steps] == ["current"] + ["todo"] * 7
    assert steps[4]["checklist"][0].text == "Record the letter of intent."
    assert response.context["shown"] == Step.STRATEGY
    for value, shown in (("5", Step.PLANNING), ("abc", Step.STRATEGY), ("42", Step.STRATEGY)):
        assert client.get(url("detail", p.pk), {"step": value}).context["shown"] == shown


def test_detail_shows_each_steps_records(client):
    home = PartnerFactory()
    user = officer_of(home)
    p = walked_to(Step.MEASUREMENT, home=home, user=user)
    ChampionFactory(partnership=p, name="Thandi Champion")
    PlanActionFactory(plan=p.business_plan, description="Run a trade mission")
    LessonFactory(partnership=p, theme="Continuity")
    ReviewFactory(partnership=p)
    mou = p.mous.get()
    MOUSignatoryFactory(mou=mou, partner=home, name="Mayor Signer")
    client.force_login(user)
    expected = {
        1: "Thandi Champion",
        2: p.candidates.get().partner.name,
        3: "6 existing, 1 failed",
        4: "Best fit.",
        5: "Run a trade mission",
        6: "Mayor Signer",
        7: "Engineers&#x27; exchange visit",
        8: "Continuity",
    }
    for step, text in expected.items():
        body = client.get(url("detail", p.pk), {"step": step}).content.decode()
        assert text in body, step
    assert [s["state"] for s in client.get(url("detail", p.pk)).context["steps"]] == [
        "done"
    ] * 7 + ["current"]


def test_a_closed_steps_body_is_loaded_when_opened_and_only_for_those_who_may_see_it(
    client, twinned
):
    """The page draws the open steps' bodies (the shown one and the current one); a closed
    step has its summary line and a link showing it in full (no JavaScript), and its body comes
    with `?panel=N` when the browser opens it (htmx), as the page would draw it open."""
    home = PartnerFactory()
    user = officer_of(home)
    p = walked_to(Step.MEASUREMENT, home=home, user=user)
    ChampionFactory(partnership=p, name="Thandi Champion")
    client.force_login(user)
    page = client.get(url("detail", p.pk)).content.decode()
    assert page.count('id="step-8-body"') == 1 and 'id="step-1-body"' not in page
    assert 'hx-get="?panel=1"' in page and 'href="?step=1#step-1"' in page
    assert "Thandi Champion" not in page  # step 1's records: not drawn closed
    body = client.get(url("detail", p.pk), {"panel": 1}, HTTP_HX_REQUEST="true")
    assert body.status_code == 200 and body.templates[0].name == "partnerships/_step_panel.html"
    text = body.content.decode()
    assert 'id="step-1-body"' in text and "Before leaving this step" in text
    assert text.count("<details") == 1 and " open>" in text
    # Even for the current step, a loaded body is the summary with its link to the records.
    current = client.get(url("detail", p.pk), {"panel": 8}, HTTP_HX_REQUEST="true")
    assert 'href="?step=8#step-8"' in current.content.decode()
    # Without htmx, or with a step that is not one, the whole page.
    for params, headers in (({"panel": 1}, {}), ({"panel": "x"}, {"HTTP_HX_REQUEST": "true"})):
        whole = client.get(url("detail", p.pk), params, **headers)
        assert whole.templates[0].name == "partnerships/partnership_detail.html"
    # The body is the page's: the same check of who may see the partnership (an account
    # without a role is sent to its status page).
    for who, refused in (("stranger", 404), ("chamber", 302)):
        client.force_login(twinned[who])
        response = client.get(url("detail", p.pk), {"panel": 1}, HTTP_HX_REQUEST="true")
        assert response.status_code == refused, who


# --- The list ------------------------------------------------------------------------------


def titles(response) -> set[str]:
    return {p.title for p in response.context["partnerships"]}


def test_list_filters_narrow_and_search_finds_by_title_or_city(client):
    za, de = PartnerFactory(name="Buffalo City"), NorthPartnerFactory(name="Aachen")
    user = officer_of(za)
    tourism = CooperationAreaFactory(name="Tourism")
    a = PartnershipFactory(home=za, title="Alpha", category="mic")
    b = PartnershipFactory(home=za, title="Bravo", category="sister_city", status="paused")
    PartnershipMemberFactory(partnership=b, partner=de)
    b.areas.add(tourism)
    c = PartnershipFactory(title="Charlie", published=True)  # another city's, published
    PartnershipFactory(title="Hidden")  # another city's, private
    Partnership.objects.filter(pk=b.pk).update(step=Step.SEARCH, next_review_on=dt.date(2030, 1, 1))
    client.force_login(user)

    def listed(**params):
        response = client.get(url("list"), params)
        assert response.status_code == 200
        return titles(response)

    # Another city's partnership, published or not, is read in the registry, not listed here.
    assert listed() == {"Alpha", "Bravo"}
    assert listed(scope="mine") == {"Alpha", "Bravo"}
    assert listed(step=2) == {"Bravo"}
    assert listed(category="mic") == {"Alpha"}
    assert listed(status="paused") == {"Bravo"}
    assert listed(country="DE") == {"Bravo"}
    assert listed(area=tourism.pk) == {"Bravo"}
    assert listed(q="brav") == {"Bravo"}
    assert listed(q="aachen") == {"Bravo"}
    assert listed(q="buffalo") == {"Alpha", "Bravo"}
    assert listed(q="buffalo", category="mic") == {"Alpha"}
    # Nonsense filters are ignored, never a 500.
    assert listed(step="x", area="999999", sort="nope", page="zz") >= {"Alpha"}
    order = [
        p.title for p in client.get(url("list"), {"sort": "next_review"}).context["partnerships"]
    ]
    assert order[0] == "Bravo"
    assert [
        p.title for p in client.get(url("list"), {"sort": "title"}).context["partnerships"]
    ] == ["Alpha", "Bravo"]
    assert a.pk and c.pk


def test_list_search_never_lists_a_partnership_twice(client):
    city = PartnerFactory(name="Twin A")
    user = officer_of(city)
    p = PartnershipFactory(home=city, title="Twins")
    PartnershipMemberFactory(partnership=p, partner=NorthPartnerFactory(name="Twin B"))
    client.force_login(user)
    response = client.get(url("list"), {"q": "twin"})
    assert [x.title for x in response.context["partnerships"]] == ["Twins"]


def test_list_pages_keep_the_filters(client):
    city = PartnerFactory()
    user = officer_of(city)
    for i in range(30):
        PartnershipFactory(home=city, title=f"P{i:02}", category="mic")
    client.force_login(user)
    response = client.get(url("list"), {"category": "mic"})
    assert len(response.context["partnerships"]) == 25
    assert "?category=mic&amp;page=2" in response.content.decode()
    response = client.get(url("list"), {"category": "mic", "page": 2})
    assert len(response.context["partnerships"]) == 5


# --- The dashboard -------------------------------------------------------------------------


def day(value) -> str:
    return f"{value.day} {value:%b %Y}"


def test_dashboard_warning_signs(client):
    today = timezone.localdate()
    city = PartnerFactory()
    user = officer_of(city)

    def running(step, title):
        p = walked_to(step, home=city, user=user, title=title)
        ChampionFactory(partnership=p)
        if step >= Step.IMPLEMENTATION:
            ActivityFactory(partnership=p, occurred_on=today - dt.timedelta(days=10))
        return p

    running(Step.IMPLEMENTATION, "Healthy")
    quiet = running(Step.IMPLEMENTATION, "Quiet")
    quiet.activities.update(occurred_on=today - dt.timedelta(days=120))
    Partnership.objects.filter(pk=quiet.pk).update(
        step_entered_at=timezone.now() - dt.timedelta(days=60)
    )
    # Just entered implementation, its last activity long before: in its grace period.
    just_in = running(Step.IMPLEMENTATION, "Just in implementation")
    just_in.activities.update(occurred_on=today - dt.timedelta(days=120))
    no_kpis = running(Step.AGREEMENT, "No KPIs")
    no_kpis.kpis.all().delete()
    lapsed = running(Step.IMPLEMENTATION, "Lapsed MOU")
    lapsed.mous.update(expires_on=today - dt.timedelta(days=3))
    expired = running(Step.MEASUREMENT, "Only expired MOUs")
    expired.mous.update(status=MOU.Status.EXPIRED, expires_on=today - dt.timedelta(days=30))
    orphan = running(Step.SEARCH, "No champion")
    orphan.champions.update(is_active=False)
    # Ended partnerships raise no warning.
    ended = PartnershipFactory(home=city, title="Ended", status=Partnership.Status.ENDED)
    assert ended

    client.force_login(user)
    response = client.get(url("dashboard"))
    assert response.status_code == 200
    warnings = {p.title: p.warnings for p in response.context["warnings"]}
    assert warnings == {
        "Quiet": [
            f"No activity in the last 90 days (the last on {day(today - dt.timedelta(days=120))})."
        ],
        "No KPIs": ["No KPIs agreed: there is nothing to review it against."],
        "Lapsed MOU": [f"The signed MOU expired on {day(today - dt.timedelta(days=3))}."],
        "Only expired MOUs": [
            f"The MOU expired on {day(today - dt.timedelta(days=30))} and no new one is signed."
        ],
        "No champion": ["No active champion."],
    }
    body = response.content.decode()
    assert "No active champion." in body
    assert "No new registrations" in body


def test_dashboard_board_reviews_and_mous(client):
    today = timezone.localdate()
    city = PartnerFactory()
    user = officer_of(city)
    for i in range(10):
        PartnershipFactory(home=city, title=f"Early {i}")
    overdue = PartnershipFactory(
        home=city, title="Overdue", next_review_on=today - dt.timedelta(days=1)
    )
    due = PartnershipFactory(
        home=city, title="Due soon", next_review_on=today + dt.timedelta(days=20)
    )
    PartnershipFactory(home=city, title="Later", next_review_on=today + dt.timedelta(days=60))
    renew = PartnershipFactory(home=city, title="Renew")
    MOUFactory(
        partnership=renew,
        effective_on=today - dt.timedelta(days=700),
        signed_on=today - dt.timedelta(days=700),
        expires_on=today + dt.timedelta(days=45),
    )
    far = PartnershipFactory(home=city, title="Far")
    MOUFactory(
        partnership=far,
        expires_on=today + dt.timedelta(days=400),
        effective_on=today - dt.timedelta(days=10),
        signed_on=today - dt.timedelta(days=10),
    )
    PartnershipFactory(title="Not mine", next_review_on=today)
    client.force_login(user)
    response = client.get(url("dashboard"))
    first = response.context["columns"][0]
    assert first.total == 15
    assert len(first.cards) == 8
    assert first.more == 7
    assert f"{url('list')}?scope=mine&amp;step=1" in response.content.decode()
    assert [p.title for p in response.context["reviews_overdue"]] == [overdue.title]
    assert [p.title for p in response.context["reviews_due"]] == [due.title]
    assert [m.partnership.title for m in response.context["mous_expiring"]] == ["Renew"]


# --- Documents ------------------------------------------------------------------------------


def test_document_is_served_to_member_officers_only(client, twinned):
    p = twinned["p"]
    mou = with_document(p)
    client.force_login(twinned["away_officer"])
    response = client.get(url("document", p.pk, "mou", mou.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # A download, sandboxed should a browser display it anyway (issue 19).
    assert response["Content-Disposition"] == 'attachment; filename="home-and-away-mou.pdf"'
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    # Consuming the stream closes the file (the test client's wrapper closes the response).
    assert b"".join(response.streaming_content) == PDF

    letter = LetterOfIntentFactory(partnership=p)
    letter.document.save("loi.pdf", ContentFile(PDF))
    response = client.get(url("document", p.pk, "loi", letter.pk))
    assert response["Content-Disposition"] == 'attachment; filename="home-and-away-loi.pdf"'
    assert b"".join(response.streaming_content) == PDF

    other = PartnershipFactory(home=twinned["home"])
    other_mou = with_document(other)
    no_file = MOUFactory(partnership=p, status=MOU.Status.DRAFT)
    for address in (
        url("document", p.pk, "mou", other_mou.pk),  # not this partnership's
        url("document", p.pk, "loi", letter.pk + 1000),  # no such letter
        url("document", p.pk, "exe", mou.pk),  # not a kind
        url("document", p.pk, "mou", no_file.pk),  # no file
    ):
        assert client.get(address).status_code == 404, address

    client.force_login(twinned["stranger"])
    assert client.get(url("document", p.pk, "mou", mou.pk)).status_code == 404


# --- Query budget -------------------------------------------------------------------------


def count_queries(client, address, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_and_list_queries_do_not_grow(client):
    city = PartnerFactory()
    user = officer_of(city)
    today = timezone.localdate()

    def add(n):
        """n partnerships of the city, each with a counterpart and an MOU, in bulk (what the
        factories would write one by one: tests/growth.py)."""
        added = save_partnerships(
            PartnershipFactory.build_batch(n, next_review_on=today), [city] * n
        )
        counterparts = [PartnershipMemberFactory.build(partnership=p) for p in added]
        save_parents(counterparts, "partner", Partner)
        save(PartnershipMember, counterparts)
        dates = {
            "effective_on": today - dt.timedelta(days=400),
            "signed_on": today - dt.timedelta(days=400),
            "expires_on": today + dt.timedelta(days=5),
        }
        save(MOU, [MOUFactory.build(partnership=p, **dates) for p in added])
        health_current()

    add(5)
    client.force_login(user)
    small = {
        "dashboard": count_queries(client, url("dashboard")),
        "list": count_queries(client, url("list")),
        "list filtered": count_queries(
            client, url("list"), {"area": CooperationAreaFactory().pk, "q": "P", "country": "ZA"}
        ),
    }
    add(45)
    large = {
        "dashboard": count_queries(client, url("dashboard")),
        "list": count_queries(client, url("list")),
        "list filtered": count_queries(
            client, url("list"), {"area": CooperationAreaFactory().pk, "q": "P", "country": "ZA"}
        ),
    }
    assert small == large
    assert max(large.values()) <= QUERY_BUDGET, large


def fill(p, n, home):
    """n more rows in every list the detail page shows, in bulk (tests/growth.py): what the
    factories would write one by one (each candidate a new city, history rows of reviews)."""
    candidates = CandidateFactory.build_batch(n, partnership=p)
    save_parents(candidates, "partner", Partner)
    save(Candidate, candidates)
    save(KPI, KPIFactory.build_batch(n, partnership=p))
    save(Activity, ActivityFactory.build_batch(n, partnership=p))
    save(Champion, ChampionFactory.build_batch(n, partnership=p))
    save(PlanAction, PlanActionFactory.build_batch(n, plan=p.business_plan))
    save(Review, ReviewFactory.build_batch(n, partnership=p))
    save(Lesson, LessonFactory.build_batch(n, partnership=p))
    save(MOUSignatory, MOUSignatoryFactory.build_batch(n, mou=p.mous.first(), partner=home))
    save(
        StepTransition,
        [StepTransition(partnership=p, from_step=1, to_step=2, kind="advance") for _ in range(n)],
    )


@pytest.mark.parametrize("at_step", [Step.SELECTION, Step.AGREEMENT, Step.MEASUREMENT])
def test_detail_queries_do_not_grow(client, at_step):
    home = PartnerFactory()
    user = officer_of(home)
    p = walked_to(Step.MEASUREMENT, home=home, user=user)
    # Officers on both sides: the joint sign-off steps ask the most.
    officer_of(p.members.exclude(partner=home).get().partner)
    Partnership.objects.filter(pk=p.pk).update(step=at_step)
    client.force_login(user)
    fill(p, 4, home)
    health_current()
    small = {s: count_queries(client, url("detail", p.pk), {"step": s}) for s in Step}
    fill(p, 45, home)
    for _ in range(3):
        services.partnership_update(partnership=p, user=user, summary=f"v{_}")
    health_current()
    large = {s: count_queries(client, url("detail", p.pk), {"step": s}) for s in Step}
    assert small == large
    assert max(large.values()) <= QUERY_BUDGET, large


@pytest.mark.parametrize("who", ["home_officer", "away_officer", "coordinator", "admin"])
def test_the_partnership_page_links_every_document_its_viewer_may_fetch(client, twinned, who):
    """Issue 19: the dossier existed but nothing linked to it. Whoever may open the
    partnership (either side, editor or not) finds the dossier on its page, and the link works."""
    p = twinned["p"]
    client.force_login(twinned[who])
    html = client.get(url("detail", p.pk)).content.decode()
    dossier = url("dossier", p.pk)
    assert f'href="{dossier}"' in html
    response = client.get(dossier)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
