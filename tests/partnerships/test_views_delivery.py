"""Steps 5-8 pages: who may use them, what they save, what they refuse, and what they cost."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships.models import (
    KPI,
    MOU,
    Activity,
    BusinessPlan,
    CityMembership,
    Lesson,
    LetterOfIntent,
    MOUSignatory,
    Partnership,
    PartnershipMember,
    PlanAction,
    Review,
    Step,
)
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    ActivityFactory,
    BusinessPlanFactory,
    CityMembershipFactory,
    CooperationAreaFactory,
    KPIFactory,
    LetterOfIntentFactory,
    MOUFactory,
    MOUSignatoryFactory,
    PartnerFactory,
    PlanActionFactory,
    walked_to,
)
from tests.pdfs import PDF

pytestmark = pytest.mark.django_db

PAGES = [
    "letter_of_intent",
    "business_plan",
    "action_add",
    "kpi_add",
    "mou",
    "activity_add",
]  # step 8 (review_add, lesson_add): tests/partnerships/test_measurement.py
STORED_NAME = re.compile(r"^private/(letterofintent|mou)/[0-9a-f]{32}\.pdf$")
QUERY_BUDGET = 12


# --- Fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def home():
    return PartnerFactory(name="Buffalo City")


@pytest.fixture
def partnership(home):
    """At step 5 (planning), with a counterpart city chosen in selection."""
    return walked_to(Step.PLANNING, home=home)


def counterpart_of(partnership):
    return partnership.members.get(role=PartnershipMember.Role.COUNTERPART).partner


def officer_of(city, role=CityMembership.Role.OFFICER):
    user = UserFactory()
    CityMembershipFactory(user=user, partner=city, role=role)
    return user


@pytest.fixture
def officer(home):
    return officer_of(home)


@pytest.fixture
def client_of(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def officer_client(client_of, officer):
    return client_of(officer)


def url(name, partnership, **kwargs):
    return reverse(f"partnerships:{name}", kwargs={"pk": partnership.pk, **kwargs})


def section(partnership, step):
    return reverse("partnerships:detail", args=[partnership.pk]) + f"#step-{int(step)}"


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def pdf(name="agreement.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def future(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def mou_data(partnership, signatories=(), **overrides):
    """A valid POST of the MOU page: its fields and the signatories formset."""
    rows = list(signatories)
    data = {
        "effective_on": "2025-09-01",
        "expires_on": "2030-08-31",
        "termination_conditions": "Six months' written notice.",
        "other_terms": "",
        "ceremony_on": "2025-09-01",
        "ceremony_place": "City Hall",
        "signatories-TOTAL_FORMS": str(len(rows)),
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "1000",
    }
    for i, (partner_id, name, title) in enumerate(rows):
        data.update(
            {
                f"signatories-{i}-partner": str(partner_id),
                f"signatories-{i}-name": name,
                f"signatories-{i}-title": title,
            }
        )
    data.update(overrides)
    return data


# --- Who may use the pages -----------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_users_are_sent_to_log_in(client, partnership, name):
    response = client.get(url(name, partnership))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ["home_officer", "counterpart_officer", "coordinator", "admin"])
def test_member_officers_coordinators_and_admins_open_every_page(
    client_of, partnership, home, name, role
):
    user = {
        "home_officer": lambda: officer_of(home),
        "counterpart_officer": lambda: officer_of(counterpart_of(partnership)),
        "coordinator": lambda: officer_of(home, CityMembership.Role.COORDINATOR),
        "admin": lambda: UserFactory(is_superuser=True, is_staff=True),
    }[role]()
    response = client_of(user).get(url(name, partnership))
    assert response.status_code == 200
    assert partnership.title in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("published", [False, True])
def test_officers_of_other_cities_get_404_even_when_it_is_published(
    client_of, partnership, name, published
):
    Partnership.objects.filter(pk=partnership.pk).update(published=published)
    response = client_of(officer_of(PartnerFactory())).get(url(name, partnership))
    assert response.status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_users_without_a_role_are_sent_to_their_status_page(client_of, partnership, name):
    response = client_of(UserFactory()).get(url(name, partnership))
    assert response.status_code == 302 and response["Location"] == reverse("businesses:status")


def test_an_archived_partnership_is_not_edited_by_its_officers(officer_client, partnership):
    Partnership.objects.filter(pk=partnership.pk).update(status=Partnership.Status.ARCHIVED)
    assert officer_client.get(url("business_plan", partnership)).status_code == 404


@pytest.mark.parametrize(
    "name, data",
    [
        ("letter_of_intent", {"signed_on": "2025-01-01", "signed_by": "Both mayors"}),
        ("business_plan", {"vision": "v", "goals": "g", "objectives": "o", "scope": "s"}),
        ("kpi_add", {"name": "Visits", "unit": "visits", "baseline": "0", "target": "4"}),
        ("activity_add", {"kind": "exchange_visit", "title": "Visit", "occurred_on": "2025-01-01"}),
    ],
)
def test_posts_by_an_unrelated_officer_are_404_and_save_nothing(client_of, partnership, name, data):
    client = client_of(officer_of(PartnerFactory()))
    assert client.post(url(name, partnership), data).status_code == 404
    assert not LetterOfIntent.objects.exists()
    assert not BusinessPlan.objects.filter(partnership=partnership).exists()
    assert not partnership.kpis.exists()
    assert not partnership.activities.exists()
    assert not partnership.reviews.exists()
    assert not partnership.lessons.exists()


@pytest.mark.parametrize("role", ["anonymous", "unrelated", "home_officer", "admin"])
def test_signing_by_role(client, partnership, home, role):
    draft = MOUFactory(partnership=partnership, status=MOU.Status.DRAFT, signed_on=None)
    user = {
        "anonymous": None,
        "unrelated": officer_of(PartnerFactory()),
        "home_officer": officer_of(home),
        "admin": UserFactory(is_superuser=True),
    }[role]
    if user:
        client.force_login(user)
    response = client.post(url("mou_sign", partnership))
    draft.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    elif role == "unrelated":
        assert response.status_code == 404
    else:
        assert response.status_code == 302 and response.url == section(partnership, Step.AGREEMENT)
    assert (draft.status == MOU.Status.SIGNED) == (role in ("home_officer", "admin"))


def test_signing_is_post_only(officer_client, partnership):
    assert officer_client.get(url("mou_sign", partnership)).status_code == 405


def test_forms_need_the_csrf_token(officer, partnership):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    data = {"vision": "v", "goals": "g", "objectives": "o", "scope": "s"}
    assert client.post(url("business_plan", partnership), data).status_code == 403
    assert not BusinessPlan.objects.filter(partnership=partnership).exists()


# --- The off-step notice -------------------------------------------------------------------


def test_a_page_of_another_step_says_so_but_still_saves(officer_client, partnership):
    response = officer_client.get(url("activity_add", partnership))
    assert "this page belongs to step 7" in response.content.decode()
    response = officer_client.post(
        url("activity_add", partnership),
        {"kind": "trade_mission", "title": "Early trade mission", "occurred_on": "2025-02-01"},
    )
    assert response.status_code == 302
    assert partnership.activities.count() == 1


def test_the_page_of_the_current_step_has_no_notice(officer_client, partnership):
    response = officer_client.get(url("letter_of_intent", partnership))
    assert "this page belongs to step" not in response.content.decode()


# --- Step 5: the letter of intent ----------------------------------------------------------


def test_a_letter_of_intent_is_recorded_with_its_pdf_under_a_random_name(
    officer_client, partnership
):
    response = officer_client.post(
        url("letter_of_intent", partnership),
        {
            "signed_on": "2025-03-14",
            "signed_by": "Both executive mayors",
            "summary": "Commit to plan a partnership.",
            "document": pdf("Letter of intent (final).pdf"),
        },
    )
    assert response.status_code == 302
    assert response.url == section(partnership, Step.PLANNING)
    assert "Letter of intent saved." in texts(response)
    letter = LetterOfIntent.objects.get(partnership=partnership)
    assert letter.signed_on == dt.date(2025, 3, 14)
    assert STORED_NAME.match(letter.document.name)
    assert "final" not in letter.document.name
    with letter.document.open("rb") as stored:
        assert stored.read() == PDF


def test_an_uploaded_pdf_is_served_back_only_through_the_document_view(
    officer_client, partnership, client_of
):
    officer_client.post(
        url("letter_of_intent", partnership),
        {"signed_on": "2025-03-14", "signed_by": "Mayors", "document": pdf()},
    )
    letter = LetterOfIntent.objects.get()
    link = reverse("partnerships:document", args=[partnership.pk, "loi", letter.pk])
    response = officer_client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert client_of(officer_of(PartnerFactory())).get(link).status_code == 404


def test_the_letter_of_intent_is_updated_not_duplicated(officer_client, partnership):
    LetterOfIntentFactory(partnership=partnership, signed_by="Old")
    response = officer_client.get(url("letter_of_intent", partnership))
    assert 'value="2024-06-01"' in response.content.decode()
    officer_client.post(
        url("letter_of_intent", partnership), {"signed_on": "2024-06-02", "signed_by": "New"}
    )
    letter = LetterOfIntent.objects.get(partnership=partnership)
    assert (letter.signed_by, letter.signed_on) == ("New", dt.date(2024, 6, 2))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"Just text pretending to be a PDF.", "not a PDF"),
        (b"<html>%PD F-1.4</html>", "not a PDF"),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "the limit is 10 MB"),
    ],
)
def test_a_file_that_is_not_an_acceptable_pdf_is_a_field_error(
    officer_client, partnership, content, message
):
    response = officer_client.post(
        url("letter_of_intent", partnership),
        {"signed_on": "2025-03-14", "signed_by": "Mayors", "document": pdf("fake.pdf", content)},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["document"])
    assert not LetterOfIntent.objects.exists()


def test_saving_again_keeps_the_pdf_even_if_its_file_went_missing(officer_client, partnership):
    officer_client.post(
        url("letter_of_intent", partnership),
        {"signed_on": "2025-03-14", "signed_by": "Mayors", "document": pdf()},
    )
    letter = LetterOfIntent.objects.get()
    name = letter.document.name
    letter.document.storage.delete(name)
    response = officer_client.post(
        url("letter_of_intent", partnership), {"signed_on": "2025-03-15", "signed_by": "Mayors"}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert (letter.document.name, letter.signed_on) == (name, dt.date(2025, 3, 15))


def test_the_stored_pdf_can_be_removed(officer_client, partnership):
    officer_client.post(
        url("letter_of_intent", partnership),
        {"signed_on": "2025-03-14", "signed_by": "Mayors", "document": pdf()},
    )
    page = officer_client.get(url("letter_of_intent", partnership)).content.decode()
    letter = LetterOfIntent.objects.get()
    # Linked through the permission-checking view, never by the storage path.
    assert reverse("partnerships:document", args=[partnership.pk, "loi", letter.pk]) in page
    assert letter.document.name not in page
    officer_client.post(
        url("letter_of_intent", partnership),
        {"signed_on": "2025-03-14", "signed_by": "Mayors", "remove_document": "on"},
    )
    letter.refresh_from_db()
    assert not letter.document


# --- Step 5: the business plan and its actions ---------------------------------------------


def test_the_business_plan_is_written_then_revised(officer_client, partnership):
    data = {"vision": "Ports", "goals": "Trade", "objectives": "Two missions", "scope": "Ports"}
    response = officer_client.post(url("business_plan", partnership), data)
    assert response.status_code == 302
    assert response.url == section(partnership, Step.PLANNING)
    officer_client.post(url("business_plan", partnership), {**data, "vision": "Ports and skills"})
    assert BusinessPlan.objects.get(partnership=partnership).vision == "Ports and skills"


def test_an_action_is_added_with_its_side(officer_client, partnership, home):
    BusinessPlanFactory(partnership=partnership)
    response = officer_client.post(
        url("action_add", partnership),
        {
            "description": "First trade mission",
            "owner": "LED directorate",
            "owner_partner": str(home.pk),
            "due_on": "2025-10-31",
        },
    )
    assert response.status_code == 302
    assert response.url == section(partnership, Step.PLANNING)
    action = PlanAction.objects.get()
    assert (action.owner_partner, action.due_on) == (home, dt.date(2025, 10, 31))
    page = officer_client.get(url("business_plan", partnership)).content.decode()
    assert "First trade mission" in page and "LED directorate" in page


def test_an_action_needs_the_plan_first(officer_client, partnership):
    response = officer_client.post(
        url("action_add", partnership),
        {"description": "Mission", "owner": "LED", "due_on": "2025-10-31"},
    )
    assert response.status_code == 200
    assert "Write the business plan before adding actions" in str(
        response.context["action_form"].non_field_errors()
    )
    assert not PlanAction.objects.exists()


def test_an_actions_side_must_be_a_member_city(officer_client, partnership):
    BusinessPlanFactory(partnership=partnership)
    outsider = PartnerFactory()
    response = officer_client.post(
        url("action_add", partnership),
        {"description": "M", "owner": "LED", "owner_partner": outsider.pk, "due_on": "2025-10-31"},
    )
    assert response.status_code == 200
    assert response.context["action_form"].errors["owner_partner"] == [
        "Choose one of the partnership's cities."
    ]
    assert not PlanAction.objects.exists()


def test_an_actions_status_is_updated_inline(officer_client, partnership):
    action = PlanActionFactory(plan=BusinessPlanFactory(partnership=partnership))
    response = officer_client.post(
        url("action_status", partnership, action_id=action.pk), {"status": "done"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == PlanAction.Status.DONE
    assert action.completed_on == timezone.localdate()

    response = officer_client.post(
        url("action_status", partnership, action_id=action.pk),
        {"status": "open"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="action-{action.pk}"' in response.content.decode()
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (PlanAction.Status.OPEN, None)


def test_an_invalid_status_or_another_partnerships_action_changes_nothing(
    officer_client, partnership, home
):
    action = PlanActionFactory(plan=BusinessPlanFactory(partnership=partnership))
    response = officer_client.post(
        url("action_status", partnership, action_id=action.pk), {"status": "finished"}
    )
    assert response.status_code == 302
    assert "Choose open, done or dropped." in texts(response)
    other = PlanActionFactory(plan=BusinessPlanFactory(partnership=walked_to(2, home=home)))
    response = officer_client.post(
        url("action_status", partnership, action_id=other.pk), {"status": "done"}
    )
    assert response.status_code == 404
    assert set(PlanAction.objects.values_list("status", flat=True)) == {"open"}


# --- "Save and add another" ---------------------------------------------------------------

# Each form that adds one of several rows: its page, a valid POST, the form's name in the
# context, the page it comes back to (without its anchor), its message and the rows saved.
ADD_ANOTHER = [
    (
        "kpi_add",
        {
            "name": "Trade missions",
            "unit": "missions",
            "baseline": "0",
            "target": "2",
            "target_date": "2027-06-30",
        },
        "form",
        "kpi_add",
        "KPI agreed.",
        lambda p: KPI.objects.filter(partnership=p),
    ),
    (
        "action_add",
        {"description": "First trade mission", "owner": "LED", "due_on": "2025-10-31"},
        "action_form",
        "business_plan",
        "Action added to the business plan.",
        lambda p: PlanAction.objects.filter(plan__partnership=p),
    ),
]


@pytest.mark.parametrize(
    "page, data, form_name, again, message, rows", ADD_ANOTHER, ids=[a[0] for a in ADD_ANOTHER]
)
def test_save_and_add_another_comes_back_to_the_same_form_empty(
    officer_client, partnership, page, data, form_name, again, message, rows
):
    BusinessPlanFactory(partnership=partnership)
    add_url = url(page, partnership)
    form_page = url(again, partnership)
    shown = officer_client.get(form_page).content.decode()
    assert shown.count('name="another"') == 1
    # The plain button still goes to the partnership's page.
    response = officer_client.post(add_url, data)
    assert response.url == section(partnership, Step.PLANNING)
    officer_client.get(response.url)  # its message read
    # The second button comes back, again and again, to the empty form with the message.
    for n, name in enumerate(["Second", "Third"], start=2):
        first_field = next(iter(data))
        response = officer_client.post(add_url, {**data, first_field: name, "another": "1"})
        assert response.status_code == 302
        assert response.url.split("#")[0] == form_page
        assert texts(response) == [message]
        followed = officer_client.get(response.url)
        form = followed.context[form_name]
        assert not form.is_bound and not form.errors
        assert name not in str(form)
        assert rows(partnership).count() == n
    # A refused form with the second button stays on the form with its errors, as ever.
    response = officer_client.post(add_url, {first_field: "", "another": "1"})
    assert response.status_code == 200 and response.context[form_name].errors
    assert rows(partnership).count() == 3


# --- Step 5: KPIs --------------------------------------------------------------------------


def test_a_kpi_is_agreed_and_listed(officer_client, partnership):
    area = CooperationAreaFactory(name="Trade")
    partnership.areas.add(area)
    response = officer_client.post(
        url("kpi_add", partnership),
        {"name": "Trade missions", "unit": "missions", "baseline": "0", "target": "2.5",
         "target_date": "2027-06-30", "area": area.pk},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.url == section(partnership, Step.PLANNING)
    kpi = KPI.objects.get(partnership=partnership)
    assert (kpi.unit, str(kpi.target), kpi.area) == ("missions", "2.50", area)
    # Measured from the day it is agreed, unless a day is given.
    assert (kpi.start_date, kpi.target_date) == (timezone.localdate(), dt.date(2027, 6, 30))
    page = officer_client.get(url("kpi_add", partnership)).content.decode()
    assert "Trade missions" in page
    assert "2.50 by 30 Jun 2027" in page


def test_a_kpi_needs_a_target_date_not_before_its_start(officer_client, partnership):
    data = {"name": "Visits", "unit": "visits", "baseline": "0", "target": "4"}
    response = officer_client.post(url("kpi_add", partnership), data)
    assert response.status_code == 200
    assert response.context["form"].errors["target_date"] == [
        "Give the date by which the target should be reached."
    ]
    response = officer_client.post(
        url("kpi_add", partnership),
        {**data, "start_date": "2026-03-01", "target_date": "2026-02-28"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["target_date"] == [
        "The target date cannot be before the day the KPI is measured from (1 Mar 2026)."
    ]
    assert not KPI.objects.exists()
    response = officer_client.post(
        url("kpi_add", partnership),
        {**data, "start_date": "2026-03-01", "target_date": "2026-03-01"},
    )
    assert response.status_code == 302
    assert KPI.objects.get().start_date == dt.date(2026, 3, 1)


def test_the_kpi_form_says_what_the_target_date_is_for(officer_client, partnership):
    page = officer_client.get(url("kpi_add", partnership)).content.decode()
    assert 'name="target_date"' in page
    assert "A review before then expects the share" in page


def test_a_kpi_without_a_unit_is_a_field_error(officer_client, partnership):
    response = officer_client.post(
        url("kpi_add", partnership), {"name": "Visits", "unit": "   ", "target": "4", "baseline": 0}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == ["Give the unit the KPI is measured in."]
    assert not KPI.objects.exists()


def test_a_duplicate_kpi_name_is_a_field_error(officer_client, partnership):
    KPIFactory(partnership=partnership, name="Trade missions")
    response = officer_client.post(
        url("kpi_add", partnership),
        {"name": "trade MISSIONS", "unit": "missions", "baseline": "0", "target": "2"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "This partnership already has a KPI with that name."
    ]
    assert KPI.objects.count() == 1


def test_a_kpi_area_outside_the_partnerships_areas_is_refused(officer_client, partnership):
    partnership.areas.add(CooperationAreaFactory())
    elsewhere = CooperationAreaFactory()
    response = officer_client.post(
        url("kpi_add", partnership),
        {"name": "V", "unit": "v", "baseline": "0", "target": "2", "area": elsewhere.pk},
    )
    assert response.status_code == 200
    assert "area" in response.context["form"].errors
    assert not KPI.objects.exists()


# --- Step 6: the MOU -----------------------------------------------------------------------


@pytest.fixture
def agreement(home):
    return walked_to(Step.AGREEMENT, home=home)


def test_a_draft_mou_is_created_with_areas_signatories_and_pdf(officer_client, agreement, home):
    counterpart = counterpart_of(agreement)
    trade, culture = CooperationAreaFactory(name="Trade"), CooperationAreaFactory(name="Culture")
    data = mou_data(
        agreement,
        [(home.pk, "Mayor A", "Executive Mayor"), (counterpart.pk, "Mayor B", "Oberbürgermeister")],
        areas=[trade.pk, culture.pk],
        document=pdf("MOU signed copy.pdf"),
    )
    response = officer_client.post(url("mou", agreement), data)
    assert response.status_code == 302
    assert response.url == section(agreement, Step.AGREEMENT)
    mou = MOU.objects.get(partnership=agreement)
    assert mou.status == MOU.Status.DRAFT
    assert set(mou.areas.all()) == {trade, culture}
    assert sorted(mou.signatories.values_list("name", "partner")) == [
        ("Mayor A", home.pk),
        ("Mayor B", counterpart.pk),
    ]
    assert STORED_NAME.match(mou.document.name)


def test_the_draft_is_edited_and_its_signatories_replaced(officer_client, agreement, home):
    draft = MOUFactory(partnership=agreement, status=MOU.Status.DRAFT, signed_on=None)
    MOUSignatoryFactory(mou=draft, partner=home, name="Old mayor")
    page = officer_client.get(url("mou", agreement)).content.decode()
    assert "Old mayor" in page and "Mark as signed" in page
    data = mou_data(
        agreement,
        [(home.pk, "Old mayor", ""), (home.pk, "New mayor", "Mayor")],
        **{
            "signatories-INITIAL_FORMS": "1",
            "signatories-0-DELETE": "on",
            "expires_on": "2031-01-01",
        },
    )
    assert officer_client.post(url("mou", agreement), data).status_code == 302
    draft.refresh_from_db()
    assert draft.expires_on == dt.date(2031, 1, 1)
    assert list(draft.signatories.values_list("name", flat=True)) == ["New mayor"]
    assert MOU.objects.filter(partnership=agreement).count() == 1


def test_expiry_before_effective_is_a_field_error_on_expires_on(officer_client, agreement):
    data = mou_data(agreement, effective_on="2025-09-01", expires_on="2025-08-31")
    response = officer_client.post(url("mou", agreement), data)
    assert response.status_code == 200
    assert response.context["form"].errors["expires_on"] == [
        "The expiry date must be after the effective date."
    ]
    assert not MOU.objects.filter(partnership=agreement).exists()


def test_a_signatory_side_that_is_not_a_member_city_is_a_field_error(
    officer_client, agreement, home
):
    outsider = PartnerFactory()
    data = mou_data(agreement, [(home.pk, "Mayor A", ""), (outsider.pk, "Stranger", "")])
    response = officer_client.post(url("mou", agreement), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["partner"] == [
        "Choose one of the partnership's cities."
    ]
    assert not MOU.objects.filter(partnership=agreement).exists()
    assert not MOUSignatory.objects.exists()


def test_a_signatory_without_a_side_or_name_is_a_field_error(officer_client, agreement, home):
    data = mou_data(agreement, [("", "Mayor A", ""), (home.pk, "", "Mayor")])
    response = officer_client.post(url("mou", agreement), data)
    assert response.status_code == 200
    rows = response.context["formset"].forms
    assert rows[0].errors["partner"] == ["Choose the side this person signs for."]
    assert rows[1].errors["name"] == ["Give the signatory's name."]
    assert not MOU.objects.filter(partnership=agreement).exists()


def test_a_fake_pdf_on_the_mou_is_a_field_error(officer_client, agreement):
    data = mou_data(agreement, document=pdf("mou.pdf", b"not a pdf at all"))
    response = officer_client.post(url("mou", agreement), data)
    assert response.status_code == 200
    assert response.context["form"].errors["document"] == [
        "Upload a PDF document (this file is not a PDF)."
    ]
    assert not MOU.objects.filter(partnership=agreement).exists()


def test_a_signed_mou_is_read_only_and_says_how_to_amend_it(officer_client, agreement):
    signed = MOUFactory(partnership=agreement, ceremony_place="Ratssaal")
    response = officer_client.get(url("mou", agreement))
    page = response.content.decode()
    assert response.context["form"] is None
    assert "Ratssaal" in page and "renewal" in page
    assert 'name="effective_on"' not in page
    response = officer_client.post(url("mou", agreement), mou_data(agreement, other_terms="X"))
    assert response.status_code == 302
    assert any("cannot be edited" in m for m in texts(response))
    signed.refresh_from_db()
    assert signed.other_terms == ""


def test_signing_the_draft(officer_client, agreement):
    draft = MOUFactory(partnership=agreement, status=MOU.Status.DRAFT, signed_on=None)
    response = officer_client.post(url("mou_sign", agreement), {"signed_on": "2025-09-01"})
    assert response.status_code == 302
    assert response.url == section(agreement, Step.AGREEMENT)
    assert "The MOU is signed." in texts(response)
    draft.refresh_from_db()
    assert (draft.status, draft.signed_on) == (MOU.Status.SIGNED, dt.date(2025, 9, 1))


def test_signing_without_the_dates_is_refused_with_what_is_missing(officer_client, agreement):
    draft = MOUFactory(
        partnership=agreement, status=MOU.Status.DRAFT, signed_on=None, expires_on=None
    )
    response = officer_client.post(url("mou_sign", agreement), follow=True)
    assert response.redirect_chain[-1][0] == url("mou", agreement)
    page = response.content.decode()
    assert "The MOU cannot be signed yet." in page
    assert "expires_on: A signed MOU needs this date." in page
    draft.refresh_from_db()
    assert draft.status == MOU.Status.DRAFT


def test_signing_a_second_mou_is_refused(officer_client, agreement):
    MOUFactory(partnership=agreement)
    draft = MOUFactory(partnership=agreement, status=MOU.Status.DRAFT, signed_on=None)
    response = officer_client.post(url("mou_sign", agreement))
    assert response.status_code == 302
    assert any("already has a signed MOU" in m for m in texts(response))
    draft.refresh_from_db()
    assert draft.status == MOU.Status.DRAFT


def test_signing_names_the_draft_and_never_another_partnerships(officer_client, agreement, home):
    draft = MOUFactory(partnership=agreement, status=MOU.Status.DRAFT, signed_on=None)
    foreign = MOUFactory(
        partnership=walked_to(Step.SEARCH, home=home), status=MOU.Status.DRAFT, signed_on=None
    )
    for wanted in [foreign.pk, "abc", "99999999999999999999999"]:
        response = officer_client.post(url("mou_sign", agreement), {"mou": wanted})
        assert "There is no draft MOU to sign." in texts(response)
    assert not MOU.objects.filter(status=MOU.Status.SIGNED).exists()
    officer_client.post(url("mou_sign", agreement), {"mou": draft.pk})
    draft.refresh_from_db()
    assert draft.status == MOU.Status.SIGNED


def test_signing_with_no_draft_or_a_bad_date_is_refused(officer_client, agreement):
    response = officer_client.post(url("mou_sign", agreement))
    assert "There is no draft MOU to sign." in texts(response)
    MOUFactory(partnership=agreement, status=MOU.Status.DRAFT, signed_on=None)
    for bad in ["2025-02-30", "yesterday", future(30)]:
        response = officer_client.post(url("mou_sign", agreement), {"signed_on": bad})
        assert response.status_code == 200
        assert "signed_on" in response.context["sign_form"].errors
    assert not MOU.objects.filter(status=MOU.Status.SIGNED).exists()


# --- Steps 7-8: activities, reviews, lessons -----------------------------------------------


def test_an_activity_is_logged_and_listed(officer_client, officer, partnership):
    response = officer_client.post(
        url("activity_add", partnership),
        {
            "kind": "cultural_event",
            "title": "Jazz festival exchange",
            "occurred_on": "2025-05-01",
            "description": "Two bands each way.",
            "participants": "40",
        },
    )
    assert response.status_code == 302
    assert response.url == section(partnership, Step.IMPLEMENTATION)
    activity = Activity.objects.get()
    assert (activity.participants, activity.created_by) == (40, officer)
    assert "Jazz festival exchange" in (
        officer_client.get(url("activity_add", partnership)).content.decode()
    )


def test_an_activity_up_to_a_year_ahead_is_accepted_but_not_further(officer_client, partnership):
    data = {"kind": "trade_mission", "title": "Booked mission"}
    ok = officer_client.post(url("activity_add", partnership), {**data, "occurred_on": future(365)})
    assert ok.status_code == 302
    response = officer_client.post(
        url("activity_add", partnership), {**data, "occurred_on": future(366)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["occurred_on"] == [
        "An activity may be logged at most a year ahead."
    ]
    assert Activity.objects.count() == 1


# --- Bad input: always a 200 with a message on the field, nothing saved ---------------------

HUGE = "x" * 200_000
BAD_INPUTS = [
    ("letter_of_intent", {}, "signed_on"),
    ("letter_of_intent", {"signed_on": "2025-02-30", "signed_by": "M"}, "signed_on"),
    ("letter_of_intent", {"signed_on": "0001-01-01", "signed_by": "M"}, "signed_on"),
    ("letter_of_intent", {"signed_on": future(30), "signed_by": "M"}, "signed_on"),
    ("letter_of_intent", {"signed_on": "2025-01-01", "signed_by": HUGE}, "signed_by"),
    ("letter_of_intent", {"signed_on": "2025-01-01", "signed_by": "M\x00"}, "signed_by"),
    ("business_plan", {}, "vision"),
    ("business_plan", {"vision": HUGE, "goals": "g", "objectives": "o", "scope": "s"}, "vision"),
    ("action_add", {}, "description"),
    ("action_add", {"description": HUGE, "owner": "o", "due_on": "2025-01-01"}, "description"),
    ("action_add", {"description": "d", "owner": "o", "due_on": "2025-13-01"}, "due_on"),
    ("action_add", {"description": "d", "owner": "o", "due_on": "2025-01-01",
                    "owner_partner": "abc"}, "owner_partner"),
    ("action_add", {"description": "d", "owner": "o", "due_on": "2025-01-01",
                    "owner_partner": "99999999999999999999999"}, "owner_partner"),
    ("kpi_add", {}, "name"),
    ("kpi_add", {"name": "N", "unit": "u", "baseline": "0", "target": "lots"}, "target"),
    ("kpi_add", {"name": "N", "unit": "u", "baseline": "NaN", "target": "1"}, "baseline"),
    ("kpi_add", {"name": "N", "unit": "u", "baseline": "0", "target": "1e30"}, "target"),
    ("kpi_add", {"name": "N", "unit": "u", "baseline": "0", "target": "1",
                 "area": "99999999999999999999999"}, "area"),
    ("kpi_add", {"name": HUGE, "unit": "u", "baseline": "0", "target": "1"}, "name"),
    ("kpi_add", {"name": "N", "unit": "u", "baseline": "0", "target": "1",
                 "target_date": "2027-02-30"}, "target_date"),
    ("kpi_add", {"name": "N", "unit": "u", "baseline": "0", "target": "1",
                 "target_date": "12027-01-01"}, "target_date"),
    ("kpi_add", {"name": "N", "unit": "u", "baseline": "0", "target": "1",
                 "target_date": "2027-01-01", "start_date": "yesterday"}, "start_date"),
    ("activity_add", {}, "kind"),
    ("activity_add", {"kind": "party", "title": "t", "occurred_on": "2025-01-01"}, "kind"),
    ("activity_add", {"kind": "marketing", "title": "t", "occurred_on": "2025-02-30"},
     "occurred_on"),
    ("activity_add", {"kind": "marketing", "title": "t", "occurred_on": "2025-01-01",
                      "participants": "-3"}, "participants"),
    ("activity_add", {"kind": "marketing", "title": "t", "occurred_on": "2025-01-01",
                      "participants": "many"}, "participants"),
    ("activity_add", {"kind": "marketing", "title": "t", "occurred_on": "2025-01-01",
                      "participants": "99999999999999999999"}, "participants"),
    ("activity_add", {"kind": "marketing", "title": HUGE, "occurred_on": "2025-01-01"}, "title"),
]  # fmt: skip


@pytest.mark.parametrize("name, data, field", BAD_INPUTS)
def test_bad_input_is_a_field_error_and_saves_nothing(
    officer_client, partnership, name, data, field
):
    BusinessPlanFactory(partnership=partnership)
    response = officer_client.post(url(name, partnership), data)
    assert response.status_code == 200
    form = response.context[
        {"action_add": "action_form", "business_plan": "plan_form"}.get(name, "form")
    ]
    assert field in form.errors, form.errors
    assert not LetterOfIntent.objects.exists()
    assert not PlanAction.objects.exists()
    assert not KPI.objects.exists()
    assert not Activity.objects.exists()
    assert not Review.objects.exists()
    assert not Lesson.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"effective_on": "2025-02-30"}, "effective_on"),
        ({"expires_on": "not a date"}, "expires_on"),
        ({"ceremony_place": HUGE}, "ceremony_place"),
        ({"termination_conditions": HUGE}, "termination_conditions"),
        ({"areas": ["abc"]}, "areas"),
        ({"areas": ["99999999999999999999999"]}, "areas"),
    ],
)
def test_bad_mou_input_is_a_field_error(officer_client, agreement, overrides, field):
    response = officer_client.post(url("mou", agreement), mou_data(agreement, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not MOU.objects.filter(partnership=agreement).exists()


def test_an_empty_mou_post_is_a_form_error_not_a_crash(officer_client, agreement):
    response = officer_client.post(url("mou", agreement), {})
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()
    assert not MOU.objects.filter(partnership=agreement).exists()


def test_a_huge_signatory_name_or_garbage_side_is_a_field_error(officer_client, agreement):
    data = mou_data(agreement, [("abc", "Mayor", ""), ("1", HUGE, "")])
    response = officer_client.post(url("mou", agreement), data)
    assert response.status_code == 200
    rows = response.context["formset"].forms
    assert "partner" in rows[0].errors and "name" in rows[1].errors
    assert not MOU.objects.filter(partnership=agreement).exists()


# --- Query budget: constant in the number of rows, at most 12 per page --------------------


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def _fill(name, partnership, n):
    home = partnership.members.get(role=PartnershipMember.Role.HOME).partner
    if name == "business_plan":
        plan = BusinessPlanFactory(partnership=partnership)
        PlanActionFactory.create_batch(n, plan=plan, owner_partner=home)
    elif name == "action_add":
        PlanActionFactory.create_batch(n, plan=BusinessPlanFactory(partnership=partnership))
    elif name == "kpi_add":
        area = CooperationAreaFactory()
        partnership.areas.add(area)
        KPIFactory.create_batch(n, partnership=partnership, area=area)
    elif name == "mou":
        MOUFactory(partnership=partnership)  # an earlier, signed one
        MOU.objects.filter(partnership=partnership).update(status=MOU.Status.EXPIRED)
        draft = MOUFactory(partnership=partnership, status=MOU.Status.DRAFT, signed_on=None)
        draft.areas.set(CooperationAreaFactory.create_batch(3))
        MOUSignatoryFactory.create_batch(n, mou=draft, partner=home)
    elif name == "activity_add":
        ActivityFactory.create_batch(n, partnership=partnership, created_by=UserFactory())
    elif name == "letter_of_intent":
        LetterOfIntentFactory(partnership=partnership, document=pdf())


@pytest.mark.parametrize("name", PAGES)
def test_queries_do_not_grow_with_rows(officer_client, home, name):
    few, many = walked_to(Step.PLANNING, home=home), walked_to(Step.PLANNING, home=home)
    _fill(name, few, 5)
    _fill(name, many, 50)
    _count(officer_client, url(name, few))  # warm caches (content types, sessions)
    counted_few = _count(officer_client, url(name, few))
    counted_many = _count(officer_client, url(name, many))
    assert counted_few == counted_many
    assert counted_many <= QUERY_BUDGET


def test_the_signed_mou_page_reads_a_fixed_number_of_queries(officer_client, home):
    few, many = walked_to(Step.AGREEMENT, home=home), walked_to(Step.AGREEMENT, home=home)
    for partnership, n in ((few, 5), (many, 50)):
        signed = MOUFactory(partnership=partnership)
        signed.areas.set(CooperationAreaFactory.create_batch(2))
        MOUSignatoryFactory.create_batch(n, mou=signed, partner=counterpart_of(partnership))
    _count(officer_client, url("mou", few))
    assert _count(officer_client, url("mou", few)) == _count(officer_client, url("mou", many))
    assert _count(officer_client, url("mou", many)) <= QUERY_BUDGET


def test_the_activities_page_shows_activities_with_no_recorded_author(client):
    """An activity from an import or a deleted user has no author; the page must still render."""
    from tests.factories.accounts import UserFactory
    from tests.factories.partnerships import CityMembershipFactory, PartnerFactory, walked_to

    home = PartnerFactory()
    officer = UserFactory()
    CityMembershipFactory(user=officer, partner=home)
    partnership = walked_to(8, home=home)
    assert partnership.activities.filter(created_by__isnull=True).exists()
    client.force_login(officer)
    response = client.get(f"/partnerships/{partnership.pk}/activities/add/")
    assert response.status_code == 200
