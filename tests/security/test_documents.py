"""Issue 19, "Documents": what is accepted as a PDF (no polyglot, no active content), how every
uploaded document is served (a sandboxed download), request bodies refused before they are
read, a size error that says the real size, private pages kept out of caches, and the
lockout's Retry-After."""

import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.uploads import too_large_message
from partnerships.models import LetterOfIntent, Step
from partnerships.models.uploads import validate_pdf
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    LetterOfIntentFactory,
    OfflineConfirmationFactory,
    PartnerFactory,
    walked_to,
)
from tests.pdfs import PDF, build_pdf, sized_pdf

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def refusal(data: bytes) -> str:
    """The validator's error code for `data`, or "" when it is accepted."""
    try:
        validate_pdf(ContentFile(data, name="a.pdf"))
    except ValidationError as error:
        return error.error_list[0].code
    return ""


# --- What is a PDF ---------------------------------------------------------------------------


def test_a_valid_pdf_is_accepted():
    assert refusal(PDF) == ""
    # An /OpenAction that only opens a page is no script.
    assert refusal(build_pdf(b"/OpenAction [3 0 R /Fit]")) == ""


def test_an_html_pdf_polyglot_is_refused():
    # `%PDF-` in the first kilobyte, but the file is a page a browser would run.
    polyglot = b"<html><script>alert(document.cookie)</script><!--\n" + PDF
    assert refusal(polyglot) == "not_pdf"
    assert refusal(b"\n" + PDF) == "not_pdf"


def test_the_signature_alone_is_not_a_pdf():
    assert refusal(b"%PDF-1.7\n<html><script>x</script></html>") == "not_readable_pdf"
    assert refusal(b"%PDF-1.4\n" + b"0" * 5000) == "not_readable_pdf"


@pytest.mark.parametrize(
    "catalog_extra, extra_objects",
    [
        # The classic: a script run when the document opens.
        (b"/OpenAction 4 0 R", (b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>",)),
        # The same with its names hex-escaped (/J#53 is /JS), which a byte search misses.
        (b"/OpenAction 4 0 R", (b"<< /Type /Action /S /J#61vaScript /J#53 (app.alert(1)) >>",)),
        # A document-level script in the names tree.
        (b"/Names << /JavaScript 4 0 R >>", (b"<< /Names [(x) 5 0 R] >>",)),
        # Launching a program.
        (b"/OpenAction 4 0 R", (b"<< /S /Launch /F (cmd.exe) >>",)),
        # An embedded file.
        (b"/Names << /EmbeddedFiles 4 0 R >>", (b"<< /Names [] >>",)),
        # A script in an object nothing refers to (found in the bytes).
        (b"", (b"<< /S /JavaScript /JS (app.alert(1)) >>",)),
    ],
    ids=["open-action-js", "hex-escaped-js", "names-js", "launch", "embedded-file", "orphan-js"],
)
def test_a_pdf_with_active_content_is_refused(catalog_extra, extra_objects):
    assert refusal(build_pdf(catalog_extra, extra_objects)) == "active_pdf"


def test_a_pdf_with_a_script_is_refused_through_the_form(client):
    home = PartnerFactory()
    member = UserFactory()
    CityMembershipFactory(user=member, partner=home)
    partnership = walked_to(Step.PLANNING, home=home)
    client.force_login(member)
    scripted = build_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    response = client.post(
        reverse("partnerships:letter_of_intent", kwargs={"pk": partnership.pk}),
        {
            "signed_on": "2025-01-15",
            "signed_by": "Both mayors",
            "summary": "Intent",
            "document": SimpleUploadedFile("loi.pdf", scripted, "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "scripts" in response.context["form"].errors["document"][0]
    assert not LetterOfIntent.objects.filter(partnership=partnership).exists()


# --- The size limit, said truly --------------------------------------------------------------


def test_a_file_of_exactly_the_limit_is_accepted():
    assert settings.MAX_UPLOAD_BYTES == 10 * MB
    assert refusal(sized_pdf(10 * MB)) == ""


def test_one_byte_over_the_limit_says_its_real_size():
    with pytest.raises(ValidationError) as refused:
        validate_pdf(ContentFile(sized_pdf(10 * MB + 1), name="a.pdf"))
    assert refused.value.messages == [
        "The file is 10.0 MB (10,485,761 bytes); the limit is 10 MB (10,485,760 bytes)."
    ]


def test_a_clearly_larger_file_is_said_in_megabytes():
    assert too_large_message(int(12.34 * MB), 10 * MB) == "The file is 12.3 MB; the limit is 10 MB."
    assert too_large_message(int(10.04 * MB), 10 * MB).startswith("The file is 10.0 MB (10,527,")


# --- How documents are served ----------------------------------------------------------------


def assert_sandboxed_download(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("kind", ["mou", "loi", "offline"])
def test_every_partnership_document_is_a_sandboxed_private_download(client, kind):
    home = PartnerFactory()
    member = UserFactory()
    CityMembershipFactory(user=member, partner=home)
    partnership = walked_to(Step.IMPLEMENTATION, home=home)
    if kind == "mou":
        record = partnership.mous.get()
    elif kind == "loi":
        record = LetterOfIntent.objects.filter(
            partnership=partnership
        ).first() or LetterOfIntentFactory(partnership=partnership)
    else:
        record = OfflineConfirmationFactory(partnership=partnership, partner=home)
    record.document.save("x.pdf", ContentFile(PDF))
    client.force_login(member)
    response = client.get(
        reverse(
            "partnerships:document",
            kwargs={"pk": partnership.pk, "kind": kind, "doc_id": record.pk},
        )
    )
    assert_sandboxed_download(response)
    assert response["Cache-Control"] == "private, no-store"


def test_the_registrys_published_mou_is_a_sandboxed_download_for_anonymous_visitors(client):
    partnership = walked_to(Step.IMPLEMENTATION)
    partnership.published = True
    partnership.publish_mou_document = True
    partnership.save(update_fields=["published", "publish_mou_document"])
    mou = partnership.mous.get()
    mou.document.save("x.pdf", ContentFile(PDF))
    response = client.get(reverse("businesses:registry_mou", args=[partnership.pk, mou.pk]))
    assert_sandboxed_download(response)
    assert response["Cache-Control"] == "no-cache"


# --- Request bodies refused before they are read ---------------------------------------------


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_huge_body_is_refused_before_it_is_read(client):
    response = client.generic(
        "POST",
        reverse("login"),
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * MB),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "50.0 MB" in page and "10 MB" in page and "nothing was saved" in page
    assert response["Cache-Control"] == "no-store"


def test_a_body_just_over_the_limit_is_refused_and_one_within_it_is_not(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1000
    url = reverse("login")
    over = client.post(url, {"username": "x" * 1000, "password": "y"})
    assert over.status_code == 413
    within = client.post(url, {"username": "someone", "password": "wrong"})
    assert within.status_code == 200  # the form, refusing the password


def test_the_body_limit_leaves_room_for_the_largest_document():
    assert settings.MAX_REQUEST_BODY_BYTES > settings.MAX_UPLOAD_BYTES
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.MAX_REQUEST_BODY_BYTES


# --- Private pages are not cached ------------------------------------------------------------


def test_signed_in_pages_and_exports_are_private_and_not_stored(client):
    home = PartnerFactory()
    member = UserFactory()
    CityMembershipFactory(user=member, partner=home)
    walked_to(Step.PLANNING, home=home)
    client.force_login(member)
    for address in (
        reverse("partnerships:dashboard"),
        reverse("partnerships:list"),
        reverse("partnerships:export", args=["partnerships"]),
        reverse("partnerships:export", args=["partnerships"]) + "?format=xlsx",
    ):
        response = client.get(address)
        assert response.status_code == 200, address
        assert response["Cache-Control"] == "private, no-store", address


def test_anonymous_public_pages_keep_their_caching(client):
    response = client.get(reverse("businesses:registry"))
    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")
    assert "no-store" not in response.get("Cache-Control", "")


# --- The lockout says when to come back ------------------------------------------------------


def test_the_lockout_429_has_retry_after_the_cool_off(client, settings):
    from axes.utils import reset

    settings.AXES_ENABLED = True
    reset()
    UserFactory(username="thandi")
    try:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            response = client.post(
                reverse("login"),
                {"username": "thandi", "password": "wrong"},
                REMOTE_ADDR="10.9.9.9",
            )
        assert response.status_code == 429
        assert b"Too many failed logins" in response.content
        assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
        assert response["Retry-After"] == "900"
        assert response["Cache-Control"] == "no-store"
    finally:
        reset()
