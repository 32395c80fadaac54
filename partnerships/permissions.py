"""Who may see and change what. Views use these, and services check them again.

The rule of joint ownership: the officers of every member city co-manage one shared record.
The inside of a partnership (its steps, documents, history, discussion, champions' contacts)
is for the officers of its member cities and admins (superusers, who may do everything);
publishing it puts its public face in the registry, for anyone. Who may *see* a partnership's
inside is one queryset, `selectors.partnerships_visible_to`, used by every view.
"""

from __future__ import annotations

from core.querysets import compiled_once
from partnerships.models import CityMembership, Partner, Partnership, TwinningStrategy


def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def city_roles(user) -> dict[int, str]:
    """{partner_id: role} of the cities the user works for, read once per request."""
    if not user.is_authenticated:
        return {}
    if not hasattr(user, "_city_roles"):
        user._city_roles = dict(_city_roles(user.pk))
    return user._city_roles


@compiled_once(maxsize=1)
def _city_roles(user_id: int):
    """Asked by nearly every page of an officer: its SQL compiled once (a quarter of the
    time the ORM took to build it each request)."""
    return CityMembership.objects.filter(user_id=user_id).values_list("partner_id", "role")


def roles(user) -> tuple[str, ...]:
    """For core.access: ("officer",) for anyone working for a city (officer or coordinator)."""
    return ("officer",) if city_roles(user) else ()


def city_ids(user) -> set[int]:
    return set(city_roles(user))


def is_officer(user) -> bool:
    """Works for at least one city (officer or coordinator)."""
    return bool(city_roles(user))


def is_coordinator_of(user, partner: Partner | int) -> bool:
    partner_id = partner if isinstance(partner, int) else partner.pk
    return is_admin(user) or city_roles(user).get(partner_id) == CityMembership.Role.COORDINATOR


def member_city_ids(partnership: Partnership) -> set[int]:
    # Prefetched members are used when present, so list pages ask no extra query.
    return {m.partner_id for m in partnership.members.all()}


def can_edit_partnership(user, partnership: Partnership) -> bool:
    if is_admin(user):
        return True
    if partnership.status == Partnership.Status.ARCHIVED:
        return False
    return bool(city_ids(user) & member_city_ids(partnership))


def can_create_partnership(user, home: Partner) -> bool:
    return is_admin(user) or home.pk in city_ids(user)


def can_edit_strategy(user, strategy: TwinningStrategy) -> bool:
    return is_coordinator_of(user, strategy.partner_id)


def can_manage_officers(user, partner: Partner) -> bool:
    return is_coordinator_of(user, partner)
