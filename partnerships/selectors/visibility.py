"""Who sees what: the partnerships a person may open, change, or calls their own portfolio."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.urls import reverse

from core import hooks
from partnerships import permissions
from partnerships.models import (
    CityMembership,
    Lesson,
    Partnership,
    PartnershipMember,
)


def _member_of(city_ids) -> Exists:
    return Exists(
        PartnershipMember.objects.filter(partnership=OuterRef("pk"), partner_id__in=city_ids)
    )


def partnerships_visible_to(user) -> QuerySet[Partnership]:
    """Partnerships whose inside the user may open (steps, documents, history, discussion,
    the dossier): those of the user's cities, or all for admins. Nobody else's: a published
    partnership's public face is the registry (`partnerships_published`)."""
    return visible_among(Partnership.objects.all(), user)


def visible_among(qs: QuerySet[Partnership], user) -> QuerySet[Partnership]:
    """Those of `qs` the user may open: the rule of `partnerships_visible_to`, applied to a
    queryset built beforehand (the partnership page's, annotated once a day)."""
    if permissions.is_admin(user):
        return qs
    ids = permissions.city_ids(user)
    if not ids:
        return qs.none()
    return among_cities(qs, ids)


# A compiled query takes a reader's city ids as this many slots at most; an officer of more
# cities reads uncompiled (the partnership page's row, the dashboard, the saved views).
COMPILED_CITY_SLOTS = 1024


def city_slots(city_ids) -> tuple[int, ...]:
    """A reader's city ids as a compiled query takes them (`among_cities` with markers): in
    order, padded with the last to a power of two, so that few shapes are compiled
    (IN (3, 5, 5, 5) is IN (3, 5)); `len()` of it is the shape."""
    cities = tuple(sorted(city_ids))
    if not cities:
        return ()
    slots = 1 << (len(cities) - 1).bit_length()
    return cities + cities[-1:] * (slots - len(cities))


def among_cities(qs: QuerySet[Partnership], city_ids) -> QuerySet[Partnership]:
    """Those of `qs` an officer of these cities may open (a non-empty list of ids): the rule of
    `visible_among` for one who is not an admin (the page's compiled query takes its ids)."""
    return qs.filter(_member_of(city_ids))


def users_who_may_see(partnership_id: int, user_ids):
    """Of these people, the active ones who may open the partnership's inside: the rule of
    `partnerships_visible_to` (its cities' officers, admins), for many people in one query
    (who is told of an event)."""
    officer = CityMembership.objects.filter(
        user=OuterRef("pk"), partner__memberships__partnership_id=partnership_id
    )
    return get_user_model().objects.filter(
        Q(is_superuser=True) | Exists(officer), pk__in=list(user_ids), is_active=True
    )


def reading_urls(user, partnerships: Iterable[Partnership]) -> dict[int, str]:
    """{pk: where the user reads it} for partnerships a page names: its own page if the user may
    open it, else its public face (the registry's, an outer app's: the hook
    `partnership.public_url`), else "" for none, so that no page links to one that answers 404.
    One query, whatever their number."""
    partnerships = list(partnerships)
    among = Partnership.objects.filter(pk__in=[p.pk for p in partnerships])
    inside = set(visible_among(among, user).values_list("pk", flat=True))
    return {
        p.pk: reverse("partnerships:detail", args=[p.pk])
        if p.pk in inside
        else next(iter(hooks.collect("partnership.public_url", p)), "")
        for p in partnerships
    }


def partnerships_published() -> QuerySet[Partnership]:
    """What the public registry lists: published and not archived, for anyone."""
    return Partnership.objects.filter(published=True).exclude(status=Partnership.Status.ARCHIVED)


def partnerships_editable_by(user) -> QuerySet[Partnership]:
    """Partnerships the user co-manages (a member city's officers), or all for admins."""
    qs = Partnership.objects.all()
    if permissions.is_admin(user):
        return qs
    ids = permissions.city_ids(user)
    if not ids:
        return qs.none()
    return qs.filter(_member_of(ids)).exclude(status=Partnership.Status.ARCHIVED)


def partnerships_of_my_cities(user) -> QuerySet[Partnership]:
    """The user's own portfolio (the same as `partnerships_visible_to`, named for what a page
    means by it)."""
    return visible_among(Partnership.objects.all(), user)


def lessons_visible_to(user, mine: bool = False) -> QuerySet[Lesson]:
    """The lessons of the user's cities' partnerships and, unless `mine`, those shared in the
    library by other cities (for anyone working for a city, and admins)."""
    own = Lesson.objects.filter(partnership__in=partnerships_of_my_cities(user).values("pk"))
    if mine or not (permissions.is_officer(user) or permissions.is_admin(user)):
        return own
    return own | Lesson.objects.filter(shared=True)


def officers_visible_to(user):
    """The people who work for a city that the user may see as a colleague: the officers of
    the user's own cities and of the cities they share a partnership with (all officers for
    admins). Chamber staff and accounts without a city see nobody's: a partnership's public
    contacts are the registry's, chosen by each side."""
    people = get_user_model().objects.filter(is_active=True)
    if permissions.is_admin(user):
        return people.filter(Exists(CityMembership.objects.filter(user=OuterRef("pk"))))
    mine = permissions.city_ids(user)
    if not mine:
        return people.none()
    shared = PartnershipMember.objects.filter(
        partnership__in=partnerships_visible_to(user).values("pk")
    ).values("partner_id")
    return people.filter(
        Exists(
            CityMembership.objects.filter(user=OuterRef("pk")).filter(
                Q(partner_id__in=mine) | Q(partner_id__in=shared)
            )
        )
    )


def members_prefetch() -> Prefetch:
    """The members and their cities, home city first (`prefetch_related_objects` takes it for
    rows of several lists read in one query)."""
    return Prefetch(
        "members",
        # "home" sorts after "counterpart": descending puts the home city first.
        queryset=PartnershipMember.objects.select_related("partner").order_by(
            "-role", "partner__name"
        ),
    )


def with_members(qs: QuerySet[Partnership]) -> QuerySet[Partnership]:
    """Members and their cities in one extra query, for lists and permission checks."""
    return qs.prefetch_related(members_prefetch())
