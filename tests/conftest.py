import contextlib
from pathlib import Path

import pytest

# The worlds built once per module (the permission matrix's, the query budgets', the demo
# data), and the order and checks that keep them apart from the tests not asking for them.
pytest_plugins = ["tests.worlds"]


# The content types and permissions the flush's post_migrate would create again, the same.
KEPT = {"django_content_type", "auth_permission"}


def _flush_by_delete():
    """Transactional tests end with Django's flush, a TRUNCATE of every table: on PostgreSQL
    that makes new files for ~90 tables and their indexes, 0.23 s even when they are empty.
    DELETE in one transaction (foreign keys are deferred to its commit) leaves the same empty
    tables in 0.01 s. Sequences still reset by TRUNCATE when a test asks for it."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        delete = style.SQL_KEYWORD("DELETE FROM")
        return [
            f"{delete} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
            if table not in KEPT
        ]

    DatabaseOperations.sql_flush = sql_flush


def pytest_configure(config):
    """In every process, the quicker flush above. Then, once, in the controlling process: the
    catalogs compiled before any test reads a translation (as `make messages` does), so that
    `pytest` alone tests the translations on disk."""
    _flush_by_delete()
    if hasattr(config, "workerinput"):
        return
    from babel.messages.frontend import CommandLineInterface

    locale = Path(__file__).resolve().parents[1] / "locale"
    if locale.is_dir():
        CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(locale), "-D", "django"])


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request of an earlier test (the test
    client runs in this thread) leaves its language active, where a server's next request
    would choose its own."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a throwaway folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _reference_lists(request):
    """Transactional tests flush every table, the data migrations' reference lists too
    (sectors, areas of cooperation, needs): put them back before each such test."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    if marker.kwargs.get("serialized_rollback"):
        return  # such a test restores the whole database itself
    request.getfixturevalue("transactional_db")
    from businesses import reference_data as business_lists
    from partnerships import reference_data as partnership_lists

    partnership_lists.ensure()
    business_lists.ensure()


@pytest.fixture
def replace_hook():
    """`replace_hook(name, providers)`: the hook's providers replaced for this test only."""
    from core import hooks

    with contextlib.ExitStack() as stack:
        yield lambda name, providers: stack.enter_context(hooks.replaced(name, providers))


@pytest.fixture
def page_cache_on(settings):
    """The page cache on (core/page_cache.py), over the test settings' own per-process memory
    cache, emptied before and after."""
    from django.core.cache import cache

    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_TIMEOUT = 60
    cache.clear()
    yield
    cache.clear()
