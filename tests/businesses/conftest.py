import pytest

from tests.factories.alliances import Twinned


@pytest.fixture
def world(db):
    return Twinned()
