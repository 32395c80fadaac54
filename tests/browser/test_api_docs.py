"""The API's documentation pages in a real browser under the portal's CSP: Swagger UI and
ReDoc draw the schema from the portal's own files, and no script is refused."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("path", "shows"),
    [("/api/docs/", "/api/v1/partnerships/"), ("/api/redoc/", "Download OpenAPI specification")],
)
def test_the_api_documentation_draws_in_the_browser(live_server, page, path, shows):
    refused, errors = [], []
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and "Content Security Policy" in m.text
            and "script" in m.text
            and refused.append(m.text)
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + path, wait_until="networkidle")
    page.get_by_text(shows).first.wait_for()
    assert "Twinning portal API" in page.inner_text("body")
    assert refused == [] and errors == []
