"""Logs: JSON lines in production with time, level, logger, message, and in a request its
request id and user id (django-structlog + config/logging.py); readable lines in development."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys

import pytest
from django.http import HttpResponse
from django.urls import path

from config import logging as portal_logging
from tests.deploy.conftest import ROOT
from tests.factories.accounts import UserFactory

app_logger = logging.getLogger("partnerships.example")  # a stdlib logger, as our apps use


def _view(request):
    app_logger.warning("something happened in %s", "the view")
    return HttpResponse("done")


urlpatterns = [path("logged/", _view)]


@pytest.fixture
def captured(settings):
    """Root's output through the production formatter, into a buffer."""
    settings.ROOT_URLCONF = __name__
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(portal_logging.formatter("json"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
def test_a_request_logs_json_lines_with_request_and_user_ids(client, captured):
    # An admin: an account without a role would be sent to its status page first.
    user = UserFactory(is_superuser=True)
    client.force_login(user)
    response = client.get("/logged/")
    assert response.status_code == 200

    lines = _lines(captured)
    mine = [line for line in lines if line["logger"] == "partnerships.example"]
    finished = [line for line in lines if line["message"] == "request_finished"]
    assert len(mine) == 1 and len(finished) == 1, lines
    for line in (mine[0], finished[0]):
        assert {"timestamp", "level", "logger", "message", "request_id", "user_id"} <= set(line)
        assert line["user_id"] == user.pk
        assert line["timestamp"].endswith("Z")
    assert mine[0]["level"] == "warning"
    assert mine[0]["message"] == "something happened in the view"
    assert finished[0]["code"] == 200 and finished[0]["request"] == "GET /logged/"
    # The same id on every line of the request, and sent back for the access log.
    assert mine[0]["request_id"] == finished[0]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_each_request_has_its_own_id_and_none_leaks_outside(client, captured):
    first = client.get("/logged/")["X-Request-ID"]
    second = client.get("/logged/")["X-Request-ID"]
    assert first != second
    logging.getLogger("partnerships.example").warning("outside any request")
    outside = _lines(captured)[-1]
    assert outside["message"] == "outside any request"
    assert "request_id" not in outside and "user_id" not in outside


def test_an_exception_is_one_json_line_with_its_traceback(captured):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("partnerships.example").exception("it failed")
    line = _lines(captured)[-1]
    assert line["level"] == "error" and "ValueError: boom" in line["exception"]


def _settings_logging(env: dict) -> str:
    """What a fresh process would print through settings.LOGGING."""
    code = (
        "import logging.config, django; django.setup();"
        "from django.conf import settings; logging.config.dictConfig(settings.LOGGING);"
        "logging.getLogger('partnerships.example').warning('hello %s', 'there')"
    )
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": "x" * 50,
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stderr.strip().splitlines()[-1]


def test_production_prints_json_and_development_readable_lines():
    line = json.loads(_settings_logging({"DEBUG": "false"}))
    assert line["message"] == "hello there" and line["level"] == "warning"
    readable = _settings_logging({"DEBUG": "true"})
    assert "hello there" in readable and "warning" in readable and not readable.startswith("{")
    forced = json.loads(_settings_logging({"DEBUG": "true", "LOG_FORMAT": "json"}))
    assert forced["logger"] == "partnerships.example"


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        portal_logging.build("xml", "INFO")
