"""PORTAL_BASE_URL is required in production: `check --deploy` (run by CI and by the release
step) fails without it, with a loopback or localhost address, or with something not http(s)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.test import override_settings

from core.checks import check_portal_base_url
from tests.deploy.conftest import ROOT, production_env


def _ids(**overrides) -> list[str]:
    with override_settings(**overrides):
        return [message.id for message in check_portal_base_url()]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://portal.example.org", []),
        ("https://portal.example.org:8443/twinning", []),
        ("http://portal.example.org", ["portal.W004"]),
        ("http://127.0.0.1:8000", ["portal.E003"]),
        ("https://127.0.0.2", ["portal.E003"]),
        ("http://localhost:8000", ["portal.E003"]),
        ("https://portal.localhost", ["portal.E003"]),
        ("http://[::1]:8000", ["portal.E003"]),
        ("http://0.0.0.0:8000", ["portal.E003"]),
        ("ftp://portal.example.org", ["portal.E002"]),
        ("portal.example.org", ["portal.E002"]),
        ("https://", ["portal.E002"]),
        ("http://[not-an-address", ["portal.E002"]),
    ],
)
def test_values(value, expected):
    assert _ids(DEBUG=False, PORTAL_BASE_URL=value, PORTAL_BASE_URL_SET=True) == expected


def test_the_development_default_is_refused_as_unset_in_production():
    assert _ids(
        DEBUG=False, PORTAL_BASE_URL="http://127.0.0.1:8000", PORTAL_BASE_URL_SET=False
    ) == ["portal.E001"]


def test_nothing_is_required_while_debug_is_on():
    assert (
        _ids(DEBUG=True, PORTAL_BASE_URL="http://127.0.0.1:8000", PORTAL_BASE_URL_SET=False) == []
    )


def _check_deploy(**env: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy --fail-level WARNING` exactly as .ci/run calls it."""
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_fails_without_it_and_with_loopback_and_passes_as_ci_sets_it():
    unset = _check_deploy()
    assert unset.returncode != 0 and "portal.E001" in unset.stderr
    loopback = _check_deploy(PORTAL_BASE_URL="http://127.0.0.1:8000")
    assert loopback.returncode != 0 and "portal.E003" in loopback.stderr
    localhost = _check_deploy(PORTAL_BASE_URL="https://localhost")
    assert localhost.returncode != 0 and "portal.E003" in localhost.stderr
    ci = _check_deploy(PORTAL_BASE_URL="https://portal.example.org")
    assert ci.returncode == 0, ci.stderr


def test_the_release_step_stops_before_migrating_without_it():
    result = subprocess.run(
        ["sh", "scripts/release.sh"],
        cwd=ROOT,
        env=production_env(PYTHON=sys.executable, RELEASE_STEPS="check migrate"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "portal.E001" in result.stderr
    assert "release: migrate" not in result.stdout
