"""Whether a test runs outside the per-test transaction (and so ends with Django's flush): for
tests/flush.py's snapshot and tests/worlds.py's shared worlds, which a flush would empty."""

from __future__ import annotations


def is_transactional(request) -> bool:
    """Whether the test ends with a flush: marked `django_db(transaction=True)`, or asking
    (itself or through a fixture) for `transactional_db` or `live_server`."""
    marker = request.node.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    )
