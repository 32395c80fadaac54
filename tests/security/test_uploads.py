"""Agreement uploads (MOU, letter of intent): PDF by content, bounded size, stored privately
under random names, served only through the `document` view to those who may see the
partnership."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerships.models import LetterOfIntent, Step
from partnerships.models.uploads import MAX_DOCUMENT_BYTES, validate_pdf
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    LetterOfIntentFactory,
    PartnerFactory,
    walked_to,
)
from tests.pdfs import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    home, other = PartnerFactory(), PartnerFactory()
    member, outsider = UserFactory(), UserFactory()
    CityMembershipFactory(user=member, partner=home)
    CityMembershipFactory(user=outsider, partner=other)
    partnership = walked_to(Step.PLANNING, home=home)
    return {
        "partnership": partnership,
        "member": member,
        "outsider": outsider,
        "plain": UserFactory(),
        "admin": UserFactory(is_superuser=True, is_staff=True),
    }


def _post_letter(client, partnership, upload):
    data = {"signed_on": "2025-01-15", "signed_by": "Both mayors", "summary": "Intent"}
    if upload is not None:
        data["document"] = upload
    url = reverse("partnerships:letter_of_intent", kwargs={"pk": partnership.pk})
    return client.post(url, data)


# --- What is accepted -------------------------------------------------------------------


def test_a_text_file_named_pdf_is_refused(client, world):
    client.force_login(world["member"])
    fake = SimpleUploadedFile("mou.pdf", b"just some text\n" * 10, "application/pdf")
    response = _post_letter(client, world["partnership"], fake)
    assert response.status_code == 200
    assert "not a PDF" in response.context["form"].errors["document"][0]
    assert not LetterOfIntent.objects.filter(partnership=world["partnership"]).exists()


def test_a_real_pdf_is_accepted_whatever_its_name(client, world):
    client.force_login(world["member"])
    upload = SimpleUploadedFile("scan.bin", PDF, "application/octet-stream")
    response = _post_letter(client, world["partnership"], upload)
    assert response.status_code == 302
    letter = LetterOfIntent.objects.get(partnership=world["partnership"])
    assert letter.document.read() == PDF


def test_an_oversize_file_is_refused(client, world):
    client.force_login(world["member"])
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * MAX_DOCUMENT_BYTES, "application/pdf")
    response = _post_letter(client, world["partnership"], big)
    assert response.status_code == 200
    assert "limit is 10 MB" in response.context["form"].errors["document"][0]
    assert not LetterOfIntent.objects.filter(partnership=world["partnership"]).exists()


def test_validate_pdf_checks_content_not_name():
    validate_pdf(ContentFile(PDF, name="anything.txt"))
    with pytest.raises(ValidationError):
        validate_pdf(ContentFile(b"<html>%PDF-</html>"[:6] + b"x" * 2000, name="a.pdf"))
    with pytest.raises(ValidationError):
        validate_pdf(ContentFile(b"MZ\x90\x00 an executable", name="a.pdf"))


# --- Where it is stored --------------------------------------------------------------------


def test_stored_under_a_random_name_outside_static_files(client, world):
    client.force_login(world["member"])
    _post_letter(client, world["partnership"], SimpleUploadedFile("Our MOU.pdf", PDF))
    name = LetterOfIntent.objects.get(partnership=world["partnership"]).document.name
    assert re.fullmatch(r"private/letterofintent/[0-9a-f]{32}\.pdf", name), name
    assert "Our MOU" not in name
    stored = (Path(settings.MEDIA_ROOT) / name).resolve()
    assert stored.is_file()
    static_places = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    static_places += [Path(settings.STATIC_ROOT or settings.BASE_DIR / "staticfiles").resolve()]
    for folder in static_places:
        assert not stored.is_relative_to(folder)


def test_two_uploads_of_the_same_file_get_different_names(world):
    one = LetterOfIntentFactory(
        partnership=world["partnership"], document=ContentFile(PDF, name="a.pdf")
    )
    other = LetterOfIntentFactory(
        partnership=walked_to(Step.PLANNING), document=ContentFile(PDF, name="a.pdf")
    )
    assert one.document.name != other.document.name


def test_the_media_url_is_not_served(client, world):
    letter = LetterOfIntentFactory(
        partnership=world["partnership"], document=ContentFile(PDF, name="a.pdf")
    )
    client.force_login(world["admin"])
    response = client.get(settings.MEDIA_URL + letter.document.name)
    assert response.status_code == 404
    assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))


# --- Who may download it -------------------------------------------------------------------


def _document_url(letter):
    return reverse(
        "partnerships:document",
        kwargs={"pk": letter.partnership_id, "kind": "loi", "doc_id": letter.pk},
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("member", 200), ("admin", 200), ("outsider", 404), ("plain", 302)],
)
def test_document_served_only_to_those_who_may_see_the_partnership(client, world, role, expected):
    letter = LetterOfIntentFactory(
        partnership=world["partnership"], document=ContentFile(PDF, name="a.pdf")
    )
    if role != "anonymous":
        client.force_login(world[role])
    response = client.get(_document_url(letter))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
    elif expected == 302:  # to sign in, or (no role) to the account's status page
        assert response["Location"].startswith(("/accounts/login/", reverse("businesses:status")))


def test_a_published_partnerships_documents_stay_with_its_cities(client, world):
    # Publishing feeds the registry; an uploaded letter is never served to another city.
    partnership = world["partnership"]
    partnership.published = True
    partnership.save(update_fields=["published"])
    letter = LetterOfIntentFactory(partnership=partnership, document=ContentFile(PDF, name="a"))
    client.force_login(world["outsider"])
    assert client.get(_document_url(letter)).status_code == 404


def test_a_document_id_of_another_partnership_is_404(client, world):
    foreign = LetterOfIntentFactory(
        partnership=walked_to(Step.PLANNING), document=ContentFile(PDF, name="a.pdf")
    )
    client.force_login(world["member"])
    url = reverse(
        "partnerships:document",
        kwargs={"pk": world["partnership"].pk, "kind": "loi", "doc_id": foreign.pk},
    )
    assert client.get(url).status_code == 404


def test_signed_on_is_a_date_in_the_past():
    # Sanity for the form data used above: the letter's date is not in the future.
    assert dt.date(2025, 1, 15) < dt.date.today()
