"""Hypothesis profiles for the bad-input suites (tests/security/test_bad_input*.py).

"ci" (the default) is derandomized and small, so the suites stay within a few minutes and
fail the same way on every run; "thorough" explores: `HYPOTHESIS_PROFILE=thorough pytest
tests/security/test_bad_input.py`. The world fixture is function-scoped on purpose (its
data built once per module, tests/worlds.py; each example runs in a savepoint that is rolled
back), hence the suppressed health check.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
}
settings.register_profile("ci", max_examples=10, derandomize=True, print_blob=True, **_COMMON)
settings.register_profile("dev", max_examples=40, **_COMMON)
settings.register_profile("thorough", max_examples=400, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def world(matrix_world):
    """The permission matrix's world (partnership P of cities A and B with every artefact, and
    every role; tests/worlds.py): the bad-input suites post as those roles to those objects'
    URLs."""
    return matrix_world
