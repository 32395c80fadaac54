"""Control characters in free text (issue 19): refused by every text field of every form of
ours, with a message; removed by every writer from what was stored before (exports, the
calendar feed, the dossier, e-mail), so such a row no longer breaks them."""

from __future__ import annotations

import contextlib
import importlib
import io

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from core.admin import AdminModelForm, PortalAdminMixin
from core.forms import ChoicesReadOnce, TextChecked
from core.text import CONTROL, printable
from notifications import calendar
from notifications.emails import portal_email
from partnerships.models import Activity, Partnership, PlanAction
from tests.worlds import url_for

pytestmark = pytest.mark.django_db

OURS = (
    "accounts", "agenda", "alliances", "businesses", "core", "discussion", "gazetteer",
    "invitations", "notifications", "partnerships",
)  # fmt: skip
STORED = "Flyer\x0b v2\x07"


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _our_form_classes():
    for label in OURS:
        for module in ("forms", "admin"):
            with contextlib.suppress(ModuleNotFoundError):
                importlib.import_module(f"{apps.get_app_config(label).name}.{module}")
    return {
        cls
        for cls in _all_subclasses(forms.BaseForm)
        if cls.__module__.split(".")[0] in OURS and not cls.__module__.startswith("tests")
    }


def _has_text(cls) -> bool:
    return any(
        isinstance(f, forms.CharField) and not isinstance(f.widget, forms.PasswordInput)
        for f in cls.base_fields.values()
    )


def test_every_form_of_ours_with_text_checks_it():
    found = _our_form_classes()
    assert len(found) > 40
    unchecked = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in found
        if _has_text(cls) and not issubclass(cls, ChoicesReadOnce | TextChecked | AdminModelForm)
    )
    assert not unchecked, (
        f"Base these on core.forms' PortalForm, ChoicesForm or PlainForm: {unchecked}"
    )


def test_every_admin_form_of_ours_checks_text():
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, PortalAdminMixin):
            assert issubclass(model_admin.form, AdminModelForm), model
            for inline in model_admin.inlines:
                assert issubclass(inline.form, AdminModelForm), (model, inline)


def test_the_activity_form_refuses_a_control_character(client, world):
    client.force_login(world["users"]["officer_a"])
    before = Activity.objects.count()
    data = {
        "kind": Activity.Kind.choices[0][0],
        "title": STORED,
        "occurred_on": "2025-03-01",
        "description": "Two lines\nand a\ttab are text\x07",
        "participants": "3",
    }
    response = client.post(url_for("partnerships:activity_add", world), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "control character (U+000B)" in str(errors["title"])
    assert "control character (U+0007)" in str(errors["description"])
    assert response.context["form"]["title"].value() == STORED  # what was typed stays
    assert Activity.objects.count() == before

    # Tab and line breaks are text in a text area, not in a single-line field.
    data.update(title="Flyer\tv2", description="Two lines\r\nand a\ttab")
    response = client.post(url_for("partnerships:activity_add", world), data)
    errors = response.context["form"].errors
    assert "U+0009" in str(errors["title"]) and "description" not in errors


def test_an_admin_form_refuses_a_control_character(admin_client, world):
    activity = Activity.objects.filter(partnership__pk=world["kwargs"]["pk"]).first() or (
        Activity.objects.first()
    )
    url = reverse("admin:partnerships_activity_change", args=[activity.pk])
    page = admin_client.get(url)
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(title=STORED, partnership=activity.partnership_id)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "control character" in str(response.context["adminform"].form.errors)


@pytest.fixture
def stored(world):
    """Control characters already in the database (saved before forms refused them)."""
    partnership = Partnership.objects.get(pk=world["kwargs"]["pk"])
    Partnership.objects.update(title="Port\x07 link\x1b")
    activity = Activity.objects.filter(partnership=partnership).first()
    if activity is None:
        activity = Activity.objects.create(
            partnership=partnership, kind=Activity.Kind.choices[0][0], title="x",
            occurred_on="2025-03-01",
        )  # fmt: skip
    Activity.objects.filter(pk=activity.pk).update(title=STORED, description="a\x1fb\x0cc")
    PlanAction.objects.filter(plan__partnership=partnership).update(description="Act\x0bion\x07")
    return world


@pytest.mark.parametrize("dataset", ["partnerships", "activities", "mous", "reviews"])
def test_exports_drop_stored_control_characters(client, stored, dataset):
    client.force_login(stored["users"]["officer_a"])
    url = reverse("partnerships:export", args=[dataset])
    xlsx = client.get(url, {"format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not [c for c in cells if CONTROL.search(c)]
    text = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    assert not CONTROL.search(text)
    if dataset == "activities":
        assert "Flyer v2" in cells and "Flyer v2" in text


def test_the_calendar_feed_drops_stored_control_characters(client, stored):
    feed = calendar.calendar_feed_renew(user=stored["users"]["officer_a"])
    response = client.get(reverse("notifications:calendar_feed", args=[calendar.token_for(feed)]))
    assert response.status_code == 200
    body = response.content.decode().replace("\r\n ", "")  # unfolded (RFC 5545, 3.1)
    assert "Port link" in body
    assert not CONTROL.search(body)


def test_the_dossier_drops_stored_control_characters(client, stored):
    from partnerships import dossier

    partnership = Partnership.objects.get(pk=stored["kwargs"]["pk"])
    client.force_login(stored["users"]["officer_a"])
    response = client.get(reverse("partnerships:dossier", args=[partnership.pk]))
    assert response.status_code == 200
    assert not CONTROL.search(printable(dossier.render_html(partnership)))


def test_e_mail_drops_control_characters(settings):
    context = {"name": "Lin\x07di", "paragraphs": ["Port\x1b link"], "note": "a\x0bb", "url": "/"}
    message = portal_email("Port\x07 link\x0b", "invitation_message", context, "a@b.co")
    message.send()
    sent = mail.outbox[-1]
    assert sent.subject.endswith("Port link")
    assert "Lindi" in sent.body and "Port link" in sent.body
    assert not CONTROL.search(sent.body)
    assert not CONTROL.search(sent.alternatives[0][0])
