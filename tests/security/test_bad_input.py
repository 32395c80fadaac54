"""Bad input, posted to every form and every POST endpoint, as a role allowed to use it.

The POST endpoints come from the URL configuration (the permission matrix's walk of every
named URL): a URL that answers a POST with anything but 405 needs an entry in ENDPOINTS,
so a new POST endpoint fails `test_every_post_endpoint_has_an_entry` until it is listed
here. Each entry names the role that posts and the form classes the view parses; every
field gets a strategy from its form field's type (text with control characters and NUL,
huge/negative/garbage numbers, impossible dates, unknown/huge/garbage ids, non-PDF files),
completed by the fields of the page's own HTML (dynamic fields, select options, formset
management forms), plus pure-noise dictionaries and htmx requests.

For every example: no 500 (the test client re-raises the exception); a rejected post
changes no row count of any of our models and shows an error a person understands (a field
error or a message); an accepted post leaves records that pass their models' full_clean().
Each example runs in a savepoint that is rolled back, so they do not see each other's
writes. More examples: HYPOTHESIS_PROFILE=thorough (tests/security/conftest.py).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.tokens import default_token_generator
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.forms.formsets import BaseFormSet
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import given
from hypothesis import strategies as st

from accounts import forms as account_forms
from agenda import forms as agenda_forms
from alliances import forms as alliance_forms
from businesses import forms as business_forms
from discussion import forms as discussion_forms
from invitations import forms as invitation_forms
from notifications import forms as notification_forms
from partnerships.forms import bulk as bulk_forms
from partnerships.forms import cities as city_forms
from partnerships.forms import delivery as delivery_forms
from partnerships.forms import measurement as measurement_forms
from partnerships.forms import partnerships as partnership_forms
from partnerships.forms import places as place_forms
from partnerships.forms import reports as report_forms
from partnerships.forms import saved_views as saved_view_forms
from partnerships.forms import search as search_forms
from partnerships.forms import signoff as signoff_forms
from tests.worlds import named_urls, sign_in
from tests.worlds import url_for as _url

pytestmark = pytest.mark.django_db

OUR_APPS = (
    "accounts",
    "partnerships",
    "alliances",
    "agenda",
    "discussion",
    "businesses",
    "invitations",
)


@dataclass(frozen=True)
class Post:
    """Who posts to an endpoint and which forms (class, prefix) its view parses."""

    role: str
    forms: tuple = ()
    # Names the view reads from request.POST itself, with the values it knows.
    extra: dict = field(default_factory=dict)
    # The view does not read the body (a health check): nothing to explain, nothing written.
    ignores_body: bool = False
    # The API (api/): the data is sent as JSON, an accepted post answers 200 or 201, a refused
    # one a JSON error that says why (api/errors.py).
    json: bool = False


def _f(*pairs):
    return tuple(p if isinstance(p, tuple) else (p, "") for p in pairs)


NEXT = {"next": ["/", "//evil.example/", "javascript:alert(1)"]}
ENDPOINTS: dict[str, Post] = {
    "healthz": Post("anonymous", ignores_body=True),
    # Accounts (Django's auth views, the portal's templates).
    "login": Post("anonymous", _f(auth_forms.AuthenticationForm), NEXT),
    "logout": Post("officer_a", extra=NEXT),
    "password_change": Post("officer_a", _f(auth_forms.PasswordChangeForm)),
    "password_reset": Post("anonymous", _f(auth_forms.PasswordResetForm)),
    "password_reset_confirm": Post("anonymous", _f(auth_forms.SetPasswordForm)),
    # One's own account, and the language switcher (a code of settings.LANGUAGES).
    "accounts:account": Post("officer_a", _f(account_forms.AccountForm)),
    "accounts:language": Post(
        "officer_a", extra={**NEXT, "language": ["fr", "zh-hans", "xx", "en-us"]}
    ),
    # Partnerships: creation, the step moves, champions.
    "partnerships:create": Post("officer_a", _f(partnership_forms.PartnershipCreateForm)),
    "partnerships:edit": Post("officer_a", _f(partnership_forms.PartnershipEditForm)),
    "partnerships:publish_contacts": Post("officer_a", _f(partnership_forms.PublishContactsForm)),
    # The board's buttons come back to a local `next` (core.views.local_next).
    "partnerships:advance": Post("officer_a", _f(partnership_forms.AdvanceForm), NEXT),
    # The list's saved views (the world's is officer_a's, shared with A).
    "partnerships:saved_view_save": Post(
        "officer_a",
        _f(saved_view_forms.SavedViewForm),
        {"query": ["step=6&sort=title", "step=99", "q=%00", "page=2&view=1"]},
    ),
    "partnerships:saved_view_default": Post(
        "officer_a", extra={"view": ["", "1", "x", "99999999999999999999", "-1"]}
    ),
    "partnerships:saved_view_delete": Post("officer_a"),
    # Bulk actions on the list (the export, which answers a file, is tested in
    # tests/partnerships/test_bulk.py): the ids, the action, the confirmation's parameters.
    "partnerships:bulk": Post(
        "officer_a",
        _f(
            (bulk_forms.CadenceForm, "params"),
            (bulk_forms.PauseForm, "params"),
            (agenda_forms.BulkScheduleForm, "params"),
        ),
        {
            "action": ["pause", "cadence", "follow", "activity", "delete", ""],
            "ids": ["1", "2", "3", "x", "-1", "99999999999999999999", "1.0", " 2"],
            "confirm": ["1", ""],
            "query": ["sort=title", "page=x", "%00", "//evil.example/"],
        },
    ),
    "partnerships:return": Post("officer_a", _f(partnership_forms.ReturnForm), NEXT),
    "partnerships:confirm": Post("officer_b", _f(partnership_forms.MoveForm)),
    "partnerships:champion_add": Post("officer_a", _f(partnership_forms.ChampionForm)),
    # The joint sign-off given outside the portal: recorded by A's side, endorsed or disputed
    # by B's officers (the world holds one recorded for B).
    "partnerships:offline_record": Post("officer_a", _f(signoff_forms.OfflineConfirmationForm)),
    "partnerships:offline_endorse": Post("officer_b"),
    "partnerships:offline_dispute": Post("officer_b", _f(signoff_forms.DisputeForm)),
    # Search and selection.
    "partnerships:candidate_add": Post("officer_a", _f(search_forms.CandidateAddForm), NEXT),
    "partnerships:candidate": Post("officer_a", _f((search_forms.CandidateStatusForm, "status"))),
    "partnerships:contact_add": Post("officer_a", _f((search_forms.ContactForm, "contact"))),
    "partnerships:due_diligence": Post("officer_a", _f((search_forms.DueDiligenceForm, "dd"))),
    "partnerships:feasibility": Post(
        "officer_a", _f((search_forms.FeasibilityForm, "feasibility"))
    ),
    "partnerships:selection": Post(
        "officer_a",
        _f(search_forms.ScoreGridForm, (search_forms.SelectionDecisionForm, "decision")),
        {"form": ["scores", "decide"]},
    ),
    # Planning, the MOU, delivery.
    "partnerships:letter_of_intent": Post("officer_a", _f(delivery_forms.LetterOfIntentForm)),
    "partnerships:business_plan": Post("officer_a", _f(delivery_forms.BusinessPlanForm)),
    "partnerships:action_add": Post("officer_a", _f(delivery_forms.PlanActionForm)),
    "partnerships:action_status": Post("officer_a", _f(delivery_forms.ActionStatusForm)),
    "partnerships:kpi_add": Post("officer_a", _f(delivery_forms.KPIForm)),
    "partnerships:mou": Post(
        "officer_a", _f(delivery_forms.MOUForm, (delivery_forms.SignatoryForm, "signatories"))
    ),
    "partnerships:mou_sign": Post("officer_a", _f(delivery_forms.MOUSignForm), {"mou": []}),
    "partnerships:activity_add": Post("officer_a", _f(delivery_forms.ActivityForm)),
    # Measurement: reviews and lessons.
    "partnerships:review_add": Post("officer_a", _f(measurement_forms.ReviewStartForm)),
    "partnerships:review": Post("officer_a", _f(measurement_forms.ReviewForm)),
    "partnerships:review_complete": Post("officer_a", _f(measurement_forms.ReviewForm)),
    "partnerships:lesson_add": Post("officer_a", _f(measurement_forms.LessonForm)),
    "partnerships:lesson_adopt": Post("coordinator_a", extra=NEXT),
    # Cities: one added from the gazetteer, strategy and officers.
    "partnerships:city_add": Post("officer_a", _f(place_forms.PlaceChoiceForm)),
    "partnerships:strategy": Post(
        "coordinator_a",
        _f((city_forms.StrategyForm, "draft"), (city_forms.CriterionForm, "criteria")),
        {"action": ["create", "edit", "save", "approve"], "draft": []},
    ),
    "partnerships:strategy_approve": Post(
        "coordinator_a", _f((city_forms.ApproveStrategyForm, "approve"))
    ),
    "partnerships:officers": Post(
        "coordinator_a",
        _f(city_forms.OfficerAddForm, city_forms.OfficerRoleForm),
        {"action": ["add", "role", "remove"], "membership": []},
    ),
    # Reports: the CSV import of cities.
    "partnerships:cities_import": Post("coordinator_a", _f(report_forms.CitiesImportForm)),
    # Notifications and the calendar feed.
    "notifications:read_all": Post("officer_a", extra=NEXT),
    "notifications:read": Post("officer_a", extra=NEXT),
    "notifications:snooze": Post("officer_a", _f(notification_forms.SnoozeForm), NEXT),
    "notifications:preferences": Post("officer_a", _f(notification_forms.PreferenceForm)),
    "notifications:follow": Post("officer_a", _f(notification_forms.FollowForm)),
    "notifications:calendar_renew": Post("officer_a"),
    "notifications:calendar_revoke": Post("officer_a"),
    # Chambers, businesses, interest, leads, matchmaking, outcomes.
    "businesses:signup": Post("anonymous", _f(business_forms.SignupForm)),
    "businesses:staff_request_decide": Post("officer_a", _f(business_forms.DecisionForm)),
    "businesses:business_create": Post("chamber", _f(business_forms.BusinessForm)),
    "businesses:business_edit": Post("chamber", _f(business_forms.BusinessForm)),
    "businesses:business_import": Post("chamber", _f(business_forms.ImportForm)),
    "businesses:interest_register": Post("chamber", _f(business_forms.InterestForm)),
    "businesses:interest_withdraw": Post("chamber"),
    "businesses:interest_decide": Post("officer_a", _f(business_forms.DecisionForm)),
    "businesses:lead_propose": Post("chamber", _f(business_forms.LeadForm)),
    "businesses:lead_decide": Post("officer_a", _f(business_forms.LeadDecisionForm)),
    "businesses:matchmaking_form": Post("officer_a", _f(business_forms.PairForm)),
    "businesses:outcome_record": Post("officer_a", _f(business_forms.OutcomeForm)),
    # The chamber's matches (issue 15).
    "businesses:match_propose": Post("chamber", _f(business_forms.MatchProposalForm)),
    "businesses:match_withdraw": Post("chamber"),
    "businesses:match_decide": Post("officer_a", _f(business_forms.MatchDecisionForm)),
    # Invitations and requests to join a city.
    "invitations:city_invite": Post("coordinator_a", _f(invitation_forms.InviteForm)),
    "invitations:partnership_invite": Post("officer_a", _f(invitation_forms.InviteForm)),
    "invitations:resend": Post("coordinator_a"),
    "invitations:revoke": Post("coordinator_a"),
    "invitations:accept": Post("anonymous", _f(invitation_forms.AcceptForm)),
    "invitations:join": Post("anonymous", _f(invitation_forms.JoinSignupForm)),
    "invitations:join_decide": Post("coordinator_a", _f(invitation_forms.DecisionForm)),
    # Sub-alliances.
    "alliances:sub_alliance_create": Post("officer_a", _f(alliance_forms.SubAllianceForm)),
    "alliances:organisation_add": Post("officer_a", _f(alliance_forms.OrganisationForm)),
    "alliances:strength": Post("officer_a", _f(alliance_forms.StrengthForm)),
    "alliances:startup_task": Post("officer_a", _f(alliance_forms.TaskForm)),
    "alliances:measure_add": Post("officer_a", _f(alliance_forms.MeasureForm)),
    "alliances:measure_edit": Post("officer_a", _f(alliance_forms.MeasureUpdateForm)),
    # The discussion (the world's comment is officer_a's).
    "discussion:partnership_thread": Post("officer_a", _f(discussion_forms.CommentForm)),
    "discussion:sub_alliance_thread": Post("officer_a", _f(discussion_forms.CommentForm)),
    "discussion:comment_edit": Post("officer_a", _f(discussion_forms.CommentForm)),
    "discussion:comment_remove": Post("officer_a"),
    # Scheduled activities (the world's is officer_a's call for officer_b).
    "agenda:partnership": Post("officer_a", _f(agenda_forms.ScheduleForm)),
    "agenda:sub_alliance": Post("officer_a", _f(agenda_forms.ScheduleForm)),
    "agenda:complete": Post("officer_b", _f(agenda_forms.CompleteForm), NEXT),
    "agenda:cancel": Post("officer_a", extra=NEXT),
    # Personal API tokens on the account page (revoking the world's token, officer_a's).
    "accounts:token_create": Post("officer_a", _f((account_forms.ApiTokenForm, "token"))),
    "accounts:token_revoke": Post("officer_a"),
    # The API's writes (JSON; the matrix world's P is at the selection step).
    "api:partnership_advance": Post("officer_a", extra={"from_step": [4, "4", 3, "x"]}, json=True),
    "api:partnership_return": Post(
        "officer_a",
        extra={"from_step": [4, "4", "x"], "to_step": [1, 3, 9, "x"], "reason": ["Why", ""]},
        json=True,
    ),
    "api:partnership_activities": Post(
        "officer_a",
        extra={
            "kind": ["exchange_visit", "marketing", "x"],
            "title": ["Visit", ""],
            "occurred_on": ["2026-01-15", "9999-12-31", "2026-02-30", "x"],
            "participants": [3, -1, 10**12, "x"],
        },
        json=True,
    ),
    "api:partnership_comments": Post(
        "officer_a", extra={"body": ["Agreed.", ""], "sub_alliance": [1, 10**9, "x"]}, json=True
    ),
    "api:review_kpi_actuals": Post(
        "officer_a",
        extra={"results": [[{"kpi": 1, "actual": "1.5"}], [{"kpi": "x"}], [], "x"]},
        json=True,
    ),
    "api:sub_alliance_outcomes": Post(
        "chamber",
        extra={
            "kind": ["deals", "export_value", "x"],
            "amount": ["1", "-1", "1e20", "x"],
            "currency": ["ZAR", "", "zar"],
            "occurred_on": ["2025-01-01", "2999-01-01", "x"],
            "city": [1, 10**9, "x"],
        },
        json=True,
    ),
}


# --- Values -------------------------------------------------------------------------------

# Every code point class, control characters (NUL included) and surrogates excluded by the
# codec (a request body is UTF-8).
CHARS = st.characters(codec="utf-8")
CONTROL = st.sampled_from([chr(c) for c in [*range(0, 32), 127, 0x85, 0x2028, 0x202E, 0xFEFF]])
NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\r\n\t",
        "x" * 20_000,
        "é" * 5_000,
        "😀" * 1_000,
        "\u202eevil",
        "<script>alert(1)</script>",
        "'; DROP TABLE x; --",
        "%s%n{0}",
        "null",
        "None",
    ]
)
TEXT = st.one_of(
    NASTY_TEXT,
    st.text(CHARS, max_size=40),
    st.lists(st.one_of(CONTROL, CHARS), max_size=20).map("".join),
)
NUMBERS = st.one_of(
    st.sampled_from(
        [
            "-1",
            "0",
            str(10**30),
            str(-(10**30)),
            str(2**63),
            str(2**31),
            "1e400",
            "-1e400",
            "NaN",
            "inf",
            "1.5",
            "0.0000001",
            "1,5",
            "٣",
            "0x10",
            "1_000",
            "abc",
            "",
            "\x00",
        ]
    ),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
DATES = st.one_of(
    st.sampled_from(
        [
            "2025-02-30",
            "2025-02-29",
            "2025-13-01",
            "0000-00-00",
            "0001-01-01",
            "9999-12-31",
            "10000-01-01",
            "-0001-01-01",
            "99999999999999999999-01-01",
            "31/02/2025",
            "2025-1-1",
            "today",
            "",
            "\x00",
        ]
    ),
    st.dates().map(str),
)
IDS = st.one_of(
    st.sampled_from(
        ["0", "-1", str(10**30), str(-(10**30)), str(2**63), "1.5", "abc", "", "\x00", "1 OR 1=1"]
    ),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
)
BOOLS = st.sampled_from(["on", "true", "false", "1", "0", "", "2", "\x00", "yes"])
EMAILS = st.one_of(
    st.sampled_from(["a@b.co", "a@b", "@", "a" * 300 + "@example.com", "a\x00@b.co", "é@ü.de"]),
    TEXT,
)


@st.composite
def upload(draw):
    """A file that is not what the form wants: random bytes, an empty file, a fake PDF,
    broken CSV (wrong headers, NUL, a huge cell, undecodable bytes, a BOM)."""
    content = draw(
        st.one_of(
            st.binary(max_size=200),
            st.sampled_from(
                [
                    b"",
                    b"%PDF-",
                    b"%PDF-1.4\n\x00\xff garbage",
                    b"\x89PNG\r\n\x1a\n",
                    b"MZ\x90\x00",
                    b"name,country\n",
                    b"\xef\xbb\xbfname;country\r\nA;B\r\n",
                    b"a,b,c\n1,2\n\x00,\xff\xfe\n",
                    b'"unterminated,\n',
                    b"name,country,population\n" + b"x" * 60_000 + b",ZZ,-1e400\n",
                    "name,country,population\nÅ\x00,🇿🇦,10000000000000000000000000000\n".encode(),
                    b"\xff\xfe\x00n\x00a\x00m\x00e\x00",
                ]
            ),
            st.text(CHARS, max_size=100).map(str.encode),
        )
    )
    name = draw(st.sampled_from(["x.pdf", "x.csv", "x.exe", "", "../../etc/passwd", "é\x00.pdf"]))
    return ("__file__", name, content)


def _with_options(base, options):
    return st.one_of(base, st.sampled_from(options)) if options else base


def _single(form_field, html) -> st.SearchStrategy:
    options = html.options if html else []
    kind = html.type if html else ""
    if isinstance(form_field, forms.FileField) or kind == "file":
        return upload()
    if isinstance(form_field, forms.ModelChoiceField) or (form_field is None and kind == "select"):
        return _with_options(IDS, options)
    if isinstance(form_field, forms.ChoiceField):
        choices = [str(k) for k, _ in getattr(form_field, "choices", []) if k != ""]
        return _with_options(TEXT, options or choices)
    if isinstance(form_field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return NUMBERS
    if isinstance(form_field, forms.DateField | forms.DateTimeField) or kind == "date":
        return DATES
    if isinstance(form_field, forms.BooleanField) or kind == "checkbox":
        return BOOLS
    if isinstance(form_field, forms.EmailField) or kind == "email":
        return EMAILS
    if kind == "number":
        return NUMBERS
    return _with_options(TEXT, options)


MISSING = object()


def _value(form_field, html) -> st.SearchStrategy:
    """Missing, one value, or several values for a single field."""
    one = _single(form_field, html)
    return st.one_of(st.just(MISSING), one, st.lists(one, min_size=2, max_size=3))


NOISE_KEYS = st.text(string.ascii_letters + string.digits + "-_[].é😀 ", min_size=1, max_size=20)
NOISE = st.dictionaries(
    NOISE_KEYS, st.one_of(TEXT, NUMBERS, st.lists(TEXT, max_size=3)), max_size=6
)


# --- The pages' own fields ----------------------------------------------------------------


@dataclass
class HtmlField:
    type: str
    options: list = field(default_factory=list)


class _Fields(HTMLParser):
    """Every named input, select and textarea of a page, with the values a select offers."""

    def __init__(self):
        super().__init__()
        self.found: dict[str, HtmlField] = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag in ("input", "textarea", "select") and name and name != "csrfmiddlewaretoken":
            kind = "select" if tag == "select" else attrs.get("type", "text")
            entry = self.found.setdefault(name, HtmlField(kind))
            if kind in ("radio", "checkbox", "hidden", "submit") and attrs.get("value"):
                entry.options.append(attrs["value"])
            self._select = entry if tag == "select" else None
        elif tag == "option" and self._select is not None and attrs.get("value"):
            self._select.options.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _page_fields(client, url) -> dict[str, HtmlField]:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return {}
    parser = _Fields()
    parser.feed(response.content.decode())
    return parser.found


def _fields(spec: Post, html: dict[str, HtmlField]) -> dict[str, st.SearchStrategy]:
    by_name = {}
    for form_class, prefix in spec.forms:
        for name, form_field in form_class.base_fields.items():
            by_name[f"{prefix}-{name}" if prefix else name] = form_field
    strategies = {name: _value(f, html.get(name)) for name, f in by_name.items()}
    for name, entry in html.items():
        strategies.setdefault(name, _value(None, entry))
    for name, known in spec.extra.items():
        strategies[name] = _value(None, HtmlField("text", list(known)))
    return strategies


@st.composite
def payload(draw, strategies: dict[str, st.SearchStrategy]):
    """The form's fields with bad values (some missing, some repeated), or pure noise."""
    if draw(st.integers(0, 4)) == 0:
        return draw(NOISE)
    data = {}
    for name, strategy in strategies.items():
        value = draw(strategy)
        if value is not MISSING:
            data[name] = value
    data.update(draw(st.dictionaries(NOISE_KEYS, TEXT, max_size=2)))
    return data


def _encode(value):
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple) and value[0] == "__file__":
        return SimpleUploadedFile(value[1] or "blank", value[2])
    return value


# --- What must hold -----------------------------------------------------------------------


def _our_models():
    return [
        m
        for label in OUR_APPS
        for m in apps.get_app_config(label).get_models(include_auto_created=True)
        if not m._meta.proxy
    ]


def _snapshot(models) -> list[tuple[int, object]]:
    """(row count, highest pk) of every model, in one query."""
    quote = connection.ops.quote_name
    parts = [
        f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)}), "
        f"(SELECT MAX({quote(m._meta.pk.column)}) FROM {quote(m._meta.db_table)})"
        for m in models
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return list(zip(row[::2], row[1::2], strict=True))


def _forms_in(response):
    contexts = response.context
    if contexts is None:
        return []
    if not isinstance(contexts, list):
        contexts = [contexts]
    found = []
    for context in contexts:
        for value in context.flatten().values():
            values = value if isinstance(value, list | tuple) else [value]
            found += [v for v in values if isinstance(v, forms.BaseForm | BaseFormSet)]
    return found


def _has_errors(form) -> bool:
    if isinstance(form, BaseFormSet):
        return form.is_bound and form.total_error_count() > 0
    return form.is_bound and bool(form.errors)


def _explained(response) -> bool:
    """A field or form error on the page, a message, or a page of its own (400/403/404)."""
    if any(_has_errors(f) for f in _forms_in(response)):
        return True
    if any(m.level >= message_levels.INFO for m in get_messages(response.wsgi_request)):
        return True
    text = response.content.decode(errors="replace").strip()
    return response.status_code in (400, 403, 404, 409) and bool(text)


def _check_new_rows(models, before, after):
    """Every row an accepted post created passes its model's validation."""
    problems = []
    for model, (count0, max0), (count1, _) in zip(models, before, after, strict=True):
        # Through tables and django-simple-history's copies are checked with their rows.
        if count1 <= count0 or model._meta.auto_created or hasattr(model, "instance_type"):
            continue
        new = model._default_manager.all()
        if max0 is not None:
            new = new.filter(pk__gt=max0)
        for obj in new:
            try:
                obj.full_clean(validate_unique=False)
            except Exception as exc:
                problems.append(f"{model.__name__} {obj.pk}: {exc}")
    return problems


def _target(client, name, world):
    """The URL to post to; the password reset's confirmation with a real token first goes
    through Django's redirect to the token-less URL (so the token never sits in a page)."""
    if name != "password_reset_confirm":
        return _url(name, world)
    user = world["users"]["officer_a"]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return client.get(url)["Location"]


def _post_as(spec, name, world, client, data, htmx):
    client.cookies.pop("messages", None)  # only this request's messages count
    if spec.role != "anonymous":
        sign_in(client, world, spec.role)
    else:
        client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    url = _target(client, name, world)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    if spec.json:
        return client.post(url, data, content_type="application/json", **headers)
    return client.post(url, {k: _encode(v) for k, v in data.items()}, **headers)


# --- The tests ----------------------------------------------------------------------------


def _post_endpoints(client, world) -> set[str]:
    """Named URLs that answer a POST with anything but "method not allowed", asked as an
    admin (the role that reaches every page), a pending chamber account's status page aside."""
    found = set()
    for name in named_urls():
        with transaction.atomic():  # logout ends the admin's session: undone for the next
            sign_in(client, world, "admin")
            if client.post(_url(name, world), {}).status_code != 405:
                found.add(name)
            transaction.set_rollback(True)
    return found


def test_every_post_endpoint_has_an_entry(client, world):
    found = _post_endpoints(client, world)
    missing = sorted(found - set(ENDPOINTS))
    assert not missing, f"Give these POST endpoints an entry in ENDPOINTS: {missing}"
    gone = sorted(set(ENDPOINTS) - found)
    assert not gone, f"ENDPOINTS names URLs that take no POST: {gone}"


MODELS = None
_FIELDS: dict = {}


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
@given(data=st.data())
def test_bad_input(name, client, world, data):
    global MODELS
    MODELS = MODELS or _our_models()
    spec = ENDPOINTS[name]
    # The page's own fields, read once per endpoint (the world lives as long as the test).
    key = (name, id(world))
    if key not in _FIELDS:
        if spec.role != "anonymous":
            sign_in(client, world, spec.role)
        page = _url(name, world) if name != "password_reset_confirm" else None
        _FIELDS[key] = _fields(spec, _page_fields(client, page) if page else {})
    posted = data.draw(payload(_FIELDS[key]), label="data")
    htmx = data.draw(st.booleans(), label="htmx")

    with transaction.atomic():
        before = _snapshot(MODELS)
        response = _post_as(spec, name, world, client, posted, htmx)
        after = _snapshot(MODELS)
        changed = [
            m.__name__ for m, b, a in zip(MODELS, before, after, strict=True) if b[0] != a[0]
        ]
        assert response.status_code < 500
        said = [f"{m.level_tag}: {m}" for m in get_messages(response.wsgi_request)]
        if spec.ignores_body:
            assert not changed, f"{name} wrote {changed}"
        accepted = (200, 201) if spec.json else (302,)
        if response.status_code not in accepted or any(
            m.level >= message_levels.WARNING for m in get_messages(response.wsgi_request)
        ):
            # Rejected (or an htmx fragment): explained, and nothing half-written.
            assert not changed or response.status_code == 200, f"partial write: {changed} {said}"
            errors = [f for f in _forms_in(response) if _has_errors(f)]
            assert not (changed and errors), f"rows written with form errors: {changed} {errors}"
            # An htmx fragment redrawn from a valid form is an accepted (maybe unchanged) post.
            fragment = htmx and not errors and any(f.is_bound for f in _forms_in(response))
            if not changed and not spec.ignores_body and not fragment:
                assert _explained(response), (
                    f"{response.status_code} without an error a person understands"
                )
        problems = _check_new_rows(MODELS, before, after)
        assert not problems, problems
        transaction.set_rollback(True)
