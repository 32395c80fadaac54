"""Media on S3-compatible storage (MEDIA_STORAGE=s3, config/storage.py), here an in-memory S3
(moto: no network at all): uploads land in the bucket as private objects, and the `document`
view still streams them only to those who may see the partnership. Also: local disk stays the
default, and a body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused."""

from __future__ import annotations

import boto3
import environ
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from moto import mock_aws

from config.storage import media_storage
from core import health
from partnerships.models import LetterOfIntent, Step
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import CityMembershipFactory, PartnerFactory, walked_to
from tests.pdfs import PDF

BUCKET = "portal-media-test"
S3_ENV = {
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": BUCKET,
    "AWS_S3_REGION_NAME": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_LOCATION": "portal",
}


def _env(monkeypatch, values: dict[str, str]) -> environ.Env:
    for name in ("MEDIA_STORAGE", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return environ.Env()


def test_local_disk_is_the_default(monkeypatch):
    assert media_storage(_env(monkeypatch, {})) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_s3_needs_a_bucket_and_a_known_kind(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        media_storage(_env(monkeypatch, {"MEDIA_STORAGE": "s3"}))
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE"):
        media_storage(_env(monkeypatch, {"MEDIA_STORAGE": "ftp"}))


def test_s3_options_keep_documents_private(monkeypatch):
    entry = media_storage(_env(monkeypatch, {**S3_ENV, "AWS_S3_ADDRESSING_STYLE": "path"}))
    options = entry["OPTIONS"]
    assert entry["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True and options["querystring_expire"] == 60
    assert options["file_overwrite"] is False
    assert options["client_config"].s3 == {"addressing_style": "path"}
    assert options["client_config"].signature_version == "s3v4"


@pytest.fixture
def s3(monkeypatch):
    """An in-memory S3 with the bucket, and the default storage pointed at it."""
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        entry = media_storage(_env(monkeypatch, S3_ENV))
        storages = {
            "default": entry,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=storages):
            health.forget_storage_answer()
            yield boto3.client("s3", region_name="eu-west-1")
            health.forget_storage_answer()


@pytest.fixture
def world():
    home, other = PartnerFactory(), PartnerFactory()
    member, outsider = UserFactory(), UserFactory()
    CityMembershipFactory(user=member, partner=home)
    CityMembershipFactory(user=outsider, partner=other)
    return {
        "partnership": walked_to(Step.PLANNING, home=home),
        "member": member,
        "outsider": outsider,
    }


@pytest.mark.django_db
def test_an_upload_goes_to_the_bucket_privately_and_is_streamed_only_to_members(client, world, s3):
    partnership = world["partnership"]
    client.force_login(world["member"])
    response = client.post(
        reverse("partnerships:letter_of_intent", kwargs={"pk": partnership.pk}),
        {
            "signed_on": "2025-01-15",
            "signed_by": "Both mayors",
            "summary": "Intent",
            "document": SimpleUploadedFile("scan.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    letter = LetterOfIntent.objects.get(partnership=partnership)
    key = f"portal/{letter.document.name}"
    assert letter.document.name.startswith("private/")

    # In the bucket, private: no grant to everyone or to any authenticated AWS user.
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == PDF
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert grants and all("URI" not in grant["Grantee"] for grant in grants)
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner alone
    # A URL of the storage is signed and short-lived; the portal never hands one out anyway.
    url = default_storage.url(letter.document.name)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url

    document = reverse(
        "partnerships:document", kwargs={"pk": partnership.pk, "kind": "loi", "doc_id": letter.pk}
    )
    response = client.get(document)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    assert BUCKET not in str(response.headers)

    client.force_login(world["outsider"])
    assert client.get(document).status_code == 404
    client.logout()
    assert client.get(document).status_code == 302  # to the login page


@pytest.mark.django_db
def test_readiness_writes_to_the_bucket_and_leaves_nothing(client, s3):
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True):
        response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["media"].startswith("ok")
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


@pytest.mark.django_db
def test_readiness_names_media_when_the_bucket_is_gone(client, s3):
    s3.delete_bucket(Bucket=BUCKET)
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["media"]
    assert BUCKET not in response.content.decode()


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_before_any_view(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("password_change"),
        data="old_password=" + "x" * (2 * 1024 * 1024 + 1),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
