"""Friendly error pages, and a database outage answered with a quick 503, never a 500."""

import pytest
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.urls import path

from config.middleware import DatabaseUnavailableMiddleware, server_error


def _database_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


def _interface_down(request):
    raise InterfaceError("connection already closed")


def _broken(request):
    raise ValueError("a bug")


urlpatterns = [
    path("down/", _database_down),
    path("closed/", _interface_down),
    path("bug/", _broken),
]


@pytest.mark.parametrize("exc", [OperationalError("down"), InterfaceError("closed")])
def test_middleware_turns_a_database_error_into_a_friendly_503(exc):
    def view(request):
        raise exc

    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/partnerships/")
    response = middleware.process_exception(request, exc)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    assert b"briefly unavailable" in response.content


def test_middleware_leaves_other_errors_alone():
    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("x")) is None


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("url", ["/down/", "/closed/"])
def test_a_request_while_the_database_is_down_gets_503_through_the_stack(client, url):
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert b"The portal is briefly unavailable" in response.content
    assert b"recovers by itself" in response.content


def test_handler500_answers_503_for_a_database_error_raised_outside_a_view():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"


@override_settings(ROOT_URLCONF=__name__)
def test_any_other_error_gets_the_friendly_500_page(client):
    client.raise_request_exception = False
    response = client.get("/bug/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


@pytest.mark.parametrize("code", ["400", "403", "404", "500", "503"])
def test_error_pages_render_without_request_database_or_context_processors(code):
    html = render_to_string(f"{code}.html")
    assert f"Error {code}" in html
    assert "<script" not in html
    assert "style=" not in html
    assert 'href="/"' in html


@pytest.mark.parametrize("code", ["404", "500", "503"])
def test_an_arabic_error_page_is_laid_out_right_to_left(code):
    """Found from outside: dir="rtl", but the left-to-right stylesheet."""
    from django.utils import translation

    with translation.override("ar"):
        html = render_to_string(f"{code}.html")
    assert 'dir="rtl"' in html and "bootstrap.rtl.min.css" in html


def test_unknown_address_gets_the_friendly_404(client, db, django_user_model):
    client.force_login(django_user_model.objects.create_user("someone", password="x"))
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"This page does not exist" in response.content
