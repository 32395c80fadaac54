"""The chamber roles core.access asks for (`roles`), and the pages open to an account that has
no role yet (`OPEN_VIEWS`): a pending chamber sign-up may sign in and see its status page, the
sign-up and the public registry, nothing more (core.access.RoleMiddleware sends it there)."""

from __future__ import annotations

from businesses import permissions as perms

STAFF, PENDING = "staff", "pending"

# Open to a signed-in person without a role (besides core.access.OPEN_VIEWS).
OPEN_VIEWS = (
    "businesses:status",
    "businesses:signup",
    "businesses:registry",
    "businesses:registry_detail",
    "businesses:registry_mou",
)


def roles(user) -> tuple[str, ...]:
    """("staff",) when approved in at least one association, ("pending",) while waiting and
    approved nowhere, () otherwise. One query, cached on the user for the request."""
    if perms.is_chamber_staff(user):
        return (STAFF,)
    if perms.is_pending_chamber(user):
        return (PENDING,)
    return ()
