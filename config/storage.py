"""Where uploads live: this machine's disk (the default) or an S3-compatible bucket.

`MEDIA_STORAGE=local` (default): FileSystemStorage under MEDIA_ROOT. Fine for one machine; with
several web nodes or workers every one of them must see the same folder (a shared volume).

`MEDIA_STORAGE=s3`: django-storages' S3Storage (AWS S3, MinIO, Ceph, Scaleway, OVH, …) with

- AWS_STORAGE_BUCKET_NAME (required), AWS_S3_ENDPOINT_URL (anything but AWS),
  AWS_S3_REGION_NAME, AWS_LOCATION (a folder in the bucket), AWS_S3_ADDRESSING_STYLE
  (`path` for most MinIO setups);
- credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or boto3's own chain (an
  instance role, AWS_PROFILE…) when they are unset;
- the documents kept private: every object written with the `private` ACL (AWS_DEFAULT_ACL;
  set it empty for a bucket that refuses ACLs, "bucket owner enforced", whose policy then keeps
  it private), URLs signed (`querystring_auth`) and valid for AWS_QUERYSTRING_EXPIRE seconds
  (60), never overwritten (random names anyway), short timeouts and few retries.

The portal never hands out a bucket URL: the `document` view opens the file through the
storage (`field.open()`) after checking who may see the partnership, and streams it.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

BACKENDS = ("local", "s3")


def media_storage(env) -> dict:
    """The `STORAGES["default"]` entry the environment asks for."""
    kind = env.str("MEDIA_STORAGE", default="local").lower()
    if kind not in BACKENDS:
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be one of {', '.join(BACKENDS)}.")
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    from botocore.config import Config

    options = {
        "bucket_name": bucket,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "location": env.str("AWS_LOCATION", default=""),
        "default_acl": env.str("AWS_DEFAULT_ACL", default="private") or None,
        "querystring_auth": True,
        "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=60),
        "file_overwrite": False,
        # A client_config of our own replaces django-storages' (addressing style, signature
        # version): all of them are set here.
        "client_config": Config(
            s3={"addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None},
            signature_version="s3v4",
            connect_timeout=3,
            read_timeout=20,
            retries={"max_attempts": 3, "mode": "standard"},
        ),
    }
    access_key = env.str("AWS_ACCESS_KEY_ID", default="")
    if access_key:
        options["access_key"] = access_key
        options["secret_key"] = env.str("AWS_SECRET_ACCESS_KEY", default="")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
