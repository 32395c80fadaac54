"""Once a request met the database down, the process answers 503 at once for
DATABASE_FAIL_FAST_SECONDS without trying the database (config/middleware.py); pages that
need no database keep answering, and the portal serves again once the window is over."""

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path

from config import middleware

calls = {"n": 0}


def _database_down(request):
    calls["n"] += 1
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


def _page(request):
    calls["n"] += 1  # a page that would read the database
    return HttpResponse("served")


def _healthz(request):
    return HttpResponse("ok")


urlpatterns = [
    path("down/", _database_down),
    path("page/", _page),
    path("healthz", _healthz),
]


@pytest.fixture(autouse=True)
def _window(settings):
    settings.ROOT_URLCONF = __name__
    middleware._database_down_until = 0.0
    calls["n"] = 0
    yield
    middleware._database_down_until = 0.0


@pytest.mark.django_db
def test_after_a_failure_the_next_requests_get_503_without_touching_the_database(client, settings):
    settings.DATABASE_FAIL_FAST_SECONDS = 30
    client.raise_request_exception = False
    assert client.get("/down/").status_code == 503
    assert calls["n"] == 1
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/page/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert b"briefly unavailable" in response.content
    assert calls["n"] == 1 and len(ctx.captured_queries) == 0  # the view never ran
    assert client.get("/healthz").status_code == 200  # needs no database

    middleware._database_down_until = 0.0  # the window is over
    response = client.get("/page/")
    assert response.status_code == 200 and calls["n"] == 2


@pytest.mark.django_db
def test_a_failure_outside_a_view_opens_the_window_too(settings):
    settings.DATABASE_FAIL_FAST_SECONDS = 30
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        assert middleware.server_error(None).status_code == 503
    assert middleware.database_known_down()


@pytest.mark.django_db
def test_with_no_window_every_request_tries_again(client, settings):
    settings.DATABASE_FAIL_FAST_SECONDS = 0
    client.raise_request_exception = False
    assert client.get("/down/").status_code == 503
    assert client.get("/page/").status_code == 200
    assert calls["n"] == 2
