"""Sentry only when SENTRY_DSN is set: without it sentry_sdk is not even imported; with it the
Django and Celery integrations, no personal data, environment and release from the
environment. Each case imports the settings in a fresh process; no event is ever sent (the
DSN points at a closed loopback port, and nothing is captured)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.deploy.conftest import ROOT

PROBE = """
import json, sys
import config.settings.base as s
out = {"imported": "sentry_sdk" in sys.modules, "dsn": s.SENTRY_DSN}
if out["imported"]:
    import sentry_sdk
    client = sentry_sdk.get_client()
    out.update(
        active=client.is_active(),
        pii=client.options["send_default_pii"],
        environment=client.options["environment"],
        release=client.options["release"],
        traces=client.options["traces_sample_rate"],
        integrations=sorted(client.integrations),
    )
print(json.dumps(out))
"""


def _settings_with(**env: str) -> dict:
    base = {"PATH": "/usr/bin:/bin", "DEBUG": "false", "SECRET_KEY": "x" * 50}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_dsn_sentry_is_not_even_imported():
    assert _settings_with() == {"imported": False, "dsn": ""}


def test_with_a_dsn_it_reports_with_django_and_celery_and_no_personal_data():
    out = _settings_with(
        SENTRY_DSN="http://public@127.0.0.1:9/1",
        SENTRY_ENVIRONMENT="staging",
        SENTRY_RELEASE="portal@1.2.3",
    )
    assert out["active"] is True
    assert out["pii"] is False
    assert out["environment"] == "staging" and out["release"] == "portal@1.2.3"
    assert out["traces"] == 0.0
    assert {"django", "celery"} <= set(out["integrations"])
