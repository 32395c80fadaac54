import contextlib
from pathlib import Path

import pytest

# The worlds built once per module (the permission matrix's, the query budgets', the demo
# data), and the order and checks that keep them apart from the tests not asking for them;
# the flush that leaves the database as the migrations left it (tests/flush.py).
pytest_plugins = ["tests.worlds", "tests.flush"]


def pytest_configure(config):
    """In every process, the flush of tests/flush.py. Then, once, in the controlling process:
    the catalogs compiled before any test reads a translation (as `make messages` does), so
    that `pytest` alone tests the translations on disk."""
    from tests import flush

    flush.install()
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
