"""The bad inputs the generated suite (test_bad_input.py) found, pinned as plain examples so
they stay fixed whatever the generator draws: huge ids, empty POSTs that showed a blank form,
`next` values that were taken for URL names, NUL characters, garbage CSV files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from partnerships.models import Partnership
from tests.worlds import url_for as _url

pytestmark = pytest.mark.django_db

REQUIRED = "This field is required."
GARBAGE_CSV = [b"", b"\xff\xfe\x00n\x00a\x00", b"%PDF-1.4\n", b'"unterminated,\n', b"a\x00b,c\n"]


def _as(client, world, role):
    client.force_login(world["users"][role])
    return client


@pytest.mark.parametrize("name", ["partnerships:create", "partnerships:edit"])
def test_a_huge_area_id_is_a_field_error(client, world, name):
    """10**30 overflows SQLite's integer inside the areas' IN (...) lookup: a 500 before."""
    before = Partnership.objects.count()
    response = _as(client, world, "officer_a").post(
        _url(name, world), {"title": "Port link", "areas": [str(10**30), "1"]}
    )
    assert response.status_code == 200
    assert "areas" in response.context["form"].errors
    assert Partnership.objects.count() == before


@pytest.mark.parametrize(
    "name", ["partnerships:create", "partnerships:edit", "partnerships:champion_add"]
)
def test_an_empty_post_shows_the_required_fields(client, world, name):
    """`request.POST or None` made an empty POST an unbound form: no error at all."""
    response = _as(client, world, "officer_a").post(_url(name, world), {})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.is_bound
    assert REQUIRED in str(form.errors)


def test_an_empty_post_of_the_cities_import_asks_for_the_file(client, world):
    response = _as(client, world, "coordinator_a").post(_url("partnerships:cities_import", world))
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [REQUIRED]


def test_a_selection_post_without_a_known_form_says_so(client, world):
    response = _as(client, world, "officer_a").post(_url("partnerships:selection", world), {})
    assert response.status_code == 200
    assert "The page was out of date" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("partnerships:lesson_adopt", "coordinator_a"),
        ("notifications:read", "officer_a"),
        ("notifications:read_all", "officer_a"),
        ("partnerships:candidate_add", "officer_a"),
    ],
)
def test_a_next_that_is_no_path_of_the_site_is_ignored(client, world, name, role):
    """redirect() takes any other word for a URL name: NoReverseMatch, a 500, before."""
    for target in ["a b", "null", "partnerships:list", "//evil.example/"]:
        with transaction.atomic():
            response = _as(client, world, role).post(_url(name, world), {"next": target})
            transaction.set_rollback(True)
        assert response.status_code == 302
        assert response["Location"].startswith("/")
        assert response["Location"] != target


def test_an_unknown_action_status_is_said_in_the_htmx_row(client, world):
    response = _as(client, world, "officer_a").post(
        _url("partnerships:action_status", world), {"status": "\x00"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_a_nul_character_is_a_field_error_on_every_database(client, world):
    """PostgreSQL refuses NUL in text; SQLite would store it: both get the form's error."""
    before = Partnership.objects.count()
    response = _as(client, world, "officer_a").post(
        _url("partnerships:create", world), {"title": "Port\x00link", "category": "x"}
    )
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert Partnership.objects.count() == before


@pytest.mark.parametrize(
    ("name", "role"),
    [("partnerships:cities_import", "coordinator_a"), ("businesses:business_import", "chamber")],
)
def test_a_garbage_csv_is_refused_with_a_reason(client, world, name, role):
    garbage = [
        b"",
        b"\xff\xfe\x00n\x00a\x00",
        b"%PDF-1.4\n",
        b'"unterminated,\n',
        b"a\x00b,c\n1,2\n",
    ]
    for content in garbage:
        response = _as(client, world, role).post(
            _url(name, world), {"file": SimpleUploadedFile("x.csv", content)}
        )
        assert response.status_code == 200, content
        assert response.context["form"].errors, content
