"""A checked PDF is held while its form is refused for another field (issue 19): the
re-rendered form says "Kept", carries a token only its uploader can redeem, and the corrected
submission stores the held file's bytes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partnerships import services
from partnerships.models import MOU, HeldUpload, LetterOfIntent, OfflineConfirmation, Partner, Step
from tests.factories.partnerships import (
    CityMembershipFactory,
    PartnerFactory,
    signed_pdf_bytes,
    walked_to,
)
from tests.pdfs import PDF, sized_pdf

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="document_held" value="([^"]+)"')


def officer_of(city):
    return CityMembershipFactory(partner=city).user


def pdf(name="signed-mou.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def url(name, partnership):
    return reverse(f"partnerships:{name}", args=[partnership.pk])


def mou_data(**overrides):
    data = {
        "effective_on": "2025-09-01",
        "expires_on": "2030-08-31",
        "termination_conditions": "Six months' written notice.",
        "signatories-TOTAL_FORMS": "0",
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def home():
    return PartnerFactory(name="Buffalo City")


@pytest.fixture
def agreement(home):
    return walked_to(Step.AGREEMENT, home=home)


@pytest.fixture
def officer(home):
    return officer_of(home)


def refused_with_pdf(client, agreement, content=PDF):
    """A MOU refused for its dates, with a PDF chosen; returns the response."""
    data = mou_data(expires_on="2025-08-31", document=pdf(content=content))
    response = client.post(url("mou", agreement), data)
    assert response.status_code == 200
    assert "expires_on" in response.context["form"].errors
    return response


def token_of(response) -> str:
    match = TOKEN.search(response.content.decode())
    return match.group(1) if match else ""


def test_a_refused_mou_keeps_the_pdf_and_the_corrected_form_stores_it(client, agreement, officer):
    client.force_login(officer)
    content = sized_pdf(120 * 1024)
    response = refused_with_pdf(client, agreement, content)
    page = response.content.decode()
    assert "Kept: signed-mou.pdf (120 KB) — choose another file to replace it." in page
    token = token_of(response)
    assert token and HeldUpload.objects.count() == 1
    assert not MOU.objects.filter(partnership=agreement).exists()

    response = client.post(url("mou", agreement), mou_data(document_held=token))
    assert response.status_code == 302
    mou = MOU.objects.get(partnership=agreement)
    with mou.document.open("rb") as stored:
        assert stored.read() == content
    assert mou.document.name.startswith("private/mou/")
    assert not HeldUpload.objects.exists()  # used up


def test_a_form_refused_again_still_holds_the_same_file(client, agreement, officer):
    client.force_login(officer)
    token = token_of(refused_with_pdf(client, agreement))
    again = client.post(
        url("mou", agreement), mou_data(expires_on="2025-01-01", document_held=token)
    )
    assert again.status_code == 200
    assert token_of(again) == token
    assert "Kept: signed-mou.pdf" in again.content.decode()
    assert client.post(url("mou", agreement), mou_data(document_held=token)).status_code == 302
    assert MOU.objects.get(partnership=agreement).document


def test_another_user_cannot_redeem_the_token(client, agreement, officer, home):
    client.force_login(officer)
    token = token_of(refused_with_pdf(client, agreement))
    colleague = officer_of(home)  # may edit the same partnership, but did not upload it
    client.force_login(colleague)
    response = client.post(url("mou", agreement), mou_data(document_held=token))
    assert response.status_code == 302
    assert not MOU.objects.get(partnership=agreement).document
    assert HeldUpload.objects.count() == 1  # still the uploader's
    assert services.upload_held(user=colleague, scope=f"mou:{agreement.pk}", token=token) is None


def test_the_token_is_tied_to_its_form_and_expires(
    client, agreement, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    token = token_of(refused_with_pdf(client, agreement))
    scope = f"mou:{agreement.pk}"
    assert services.upload_held(user=officer, scope="letter_of_intent:1", token=token) is None
    assert services.upload_held(user=officer, scope=scope, token=token) is not None
    old = timezone.now() - dt.timedelta(hours=services.HELD_UPLOAD_HOURS, minutes=1)
    HeldUpload.objects.update(created_at=old)
    assert services.upload_held(user=officer, scope=scope, token=token) is None
    # The next hold, by anyone, purges the expired one and its file.
    held = HeldUpload.objects.get()
    storage, name = held.file.storage, held.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        refused_with_pdf(client, agreement)
    assert HeldUpload.objects.count() == 1 and HeldUpload.objects.get().pk != held.pk
    assert not storage.exists(name)


def test_an_invalid_pdf_is_not_held(client, agreement, officer):
    client.force_login(officer)
    data = mou_data(expires_on="2025-08-31", document=pdf(content=b"not a pdf at all"))
    response = client.post(url("mou", agreement), data)
    assert response.context["form"].errors["document"]
    assert not HeldUpload.objects.exists()
    assert "Kept:" not in response.content.decode()
    assert not token_of(response)


def test_a_forged_token_is_ignored(client, agreement, officer):
    client.force_login(officer)
    for token in ("x" * 43, "../../etc/passwd", "\x00" * 40, "é" * 50):
        response = client.post(url("mou", agreement), mou_data(document_held=token))
        assert response.status_code == 302
    assert not MOU.objects.get(partnership=agreement).document


def test_a_new_file_replaces_the_held_one(client, agreement, officer):
    client.force_login(officer)
    token = token_of(refused_with_pdf(client, agreement))
    other = sized_pdf(5000)
    data = mou_data(document_held=token, document=pdf("other.pdf", other))
    assert client.post(url("mou", agreement), data).status_code == 302
    with MOU.objects.get(partnership=agreement).document.open("rb") as stored:
        assert stored.read() == other
    assert not HeldUpload.objects.exists()


def test_the_letter_of_intent_keeps_its_pdf_too(client, home, officer):
    planning = walked_to(Step.PLANNING, home=home)
    client.force_login(officer)
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    data = {"signed_on": future, "signed_by": "Mayors", "document": pdf("letter.pdf")}
    response = client.post(url("letter_of_intent", planning), data)
    assert response.status_code == 200 and "Kept: letter.pdf" in response.content.decode()
    data = {"signed_on": "2025-03-14", "signed_by": "Mayors", "document_held": token_of(response)}
    assert client.post(url("letter_of_intent", planning), data).status_code == 302
    with LetterOfIntent.objects.get(partnership=planning).document.open("rb") as stored:
        assert stored.read() == PDF


def test_a_confirmation_given_outside_the_portal_keeps_its_pdf_too(client):
    home = PartnerFactory(name="Guangzhou")
    ours = officer_of(home)
    p = walked_to(Step.SELECTION, home=home, user=ours)
    candidate = p.candidates.get()
    partner = candidate.partner
    Partner.objects.filter(pk=partner.pk).update(name="Los Angeles")
    services.selection_decide(partnership=p, candidate=candidate, reasons="Fit.", user=ours)
    client.force_login(ours)
    data = {
        "partner": partner.pk,
        "confirmed_by_name": "Karen Bass",
        "confirmed_by_role": "Mayor",
        "confirmed_on": "2999-03-03",  # in the future: refused
        "evidence": "letter",
        "document": SimpleUploadedFile("letter.pdf", signed_pdf_bytes(), "application/pdf"),
    }
    response = client.post(url("offline_record", p), data)
    assert response.status_code == 200 and "Kept: letter.pdf" in response.content.decode()
    data.update(confirmed_on="2025-03-03", document_held=token_of(response))
    del data["document"]
    assert client.post(url("offline_record", p), data).status_code == 302
    confirmation = OfflineConfirmation.objects.get()
    with confirmation.document.open("rb") as stored:
        assert stored.read() == signed_pdf_bytes()
