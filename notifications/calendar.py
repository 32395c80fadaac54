"""The personal calendar feed: a private ICS address a person subscribes to in Outlook, Google
Calendar or Apple Calendar, with the upcoming reviews, MOU expiries and plan-action due dates of
their cities' partnerships, as all-day events.

The address needs no login, so it carries its own secret: `<feed id>.<token>`, the token being
an HMAC (SHA-256, keyed with SECRET_KEY) of the feed's random 32-byte secret. The token is
stored nowhere (a copy of the database reveals no address), it is compared in constant time,
and a new secret — "revoke and make a new one" — ends every address given out before. A key
in SECRET_KEY_FALLBACKS still opens the feed, so rotating SECRET_KEY keeps subscriptions
working until the fallback goes.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext
from icalendar import Calendar, Event

from core import hooks
from core.text import printable
from notifications.models import CalendarFeed
from partnerships import permissions
from partnerships.models import MOU, Partnership, PartnershipMember, PlanAction, Step

TOKEN_SALT = "partnerships.calendar.feed"
# Events from this long ago stay in the feed (an overdue review is still worth seeing).
PAST_DAYS = 30
REFRESH = dt.timedelta(hours=12)


def _mac(feed_id: int, secret: str, key: str) -> str:
    digest = salted_hmac(TOKEN_SALT, f"{feed_id}:{secret}", secret=key, algorithm="sha256")
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def token_for(feed: CalendarFeed) -> str:
    return f"{feed.pk}.{_mac(feed.pk, feed.secret, settings.SECRET_KEY)}"


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed the token opens, or None (unknown, revoked, or the account is inactive)."""
    feed_id, _, mac = token.partition(".")
    if not feed_id.isdigit() or not mac or len(feed_id) > 18:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(pk=int(feed_id), user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if any(constant_time_compare(mac, _mac(feed.pk, feed.secret, key)) for key in keys):
        return feed
    return None


# --- Services ------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_renew(*, user) -> CalendarFeed:
    """A feed with a new secret: the old address stops working at once."""
    feed, _ = CalendarFeed.objects.update_or_create(
        user=user,
        defaults={
            "secret": secrets.token_urlsafe(32),
            "created_at": timezone.now(),
            "last_fetched_at": None,
        },
    )
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def calendar_feed_fetched(feed: CalendarFeed) -> None:
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())


# --- The events ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    day: dt.date
    summary: str
    description: str
    path: str
    category: str


def _portfolio(user) -> QuerySet[Partnership]:
    """Active partnerships of the cities the person works for (admins included: a feed of
    every partnership in the portal would help nobody)."""
    ids = permissions.city_ids(user)
    return Partnership.objects.filter(
        Exists(PartnershipMember.objects.filter(partnership=OuterRef("pk"), partner_id__in=ids)),
        status=Partnership.Status.ACTIVE,
    )


def _detail(partnership_id: int, step: Step) -> str:
    path = reverse("partnerships:detail", args=[partnership_id])
    return f"{path}?step={int(step)}#step-{int(step)}"


def events_for(user, today: dt.date | None = None) -> list[CalendarEvent]:
    """Four queries (the person's cities, then reviews, MOU expiries and action due dates)."""
    since = (today or timezone.localdate()) - dt.timedelta(days=PAST_DAYS)
    mine = _portfolio(user)
    events = [
        CalendarEvent(
            uid=f"review-{pk}",
            day=day,
            summary=gettext("Review due: %(title)s") % {"title": title},
            description=gettext("The periodic review of “%(title)s” is due.") % {"title": title},
            path=_detail(pk, Step.MEASUREMENT),
            category=gettext("Review"),
        )
        for pk, title, day in mine.filter(next_review_on__gte=since)
        .order_by("next_review_on", "pk")
        .values_list("pk", "title", "next_review_on")
    ]
    events += [
        CalendarEvent(
            uid=f"mou-expiry-{pk}",
            day=day,
            summary=gettext("MOU expires: %(title)s") % {"title": title},
            description=gettext("The MOU of “%(title)s” expires: renew it or let it end.")
            % {"title": title},
            path=_detail(partnership_id, Step.AGREEMENT),
            category=gettext("MOU"),
        )
        for pk, partnership_id, title, day in MOU.objects.filter(
            status=MOU.Status.SIGNED, partnership__in=mine, expires_on__gte=since
        )
        .order_by("expires_on", "pk")
        .values_list("pk", "partnership_id", "partnership__title", "expires_on")
    ]
    events += [
        CalendarEvent(
            uid=f"action-{pk}",
            day=day,
            summary=gettext("Action due: %(description)s") % {"description": description},
            description=(
                gettext("A business-plan action of “%(title)s”, owned by %(owner)s.")
                % {"title": title, "owner": owner}
                if owner
                else gettext("A business-plan action of “%(title)s”, owned by nobody yet.")
                % {"title": title}
            ),
            path=_detail(partnership_id, Step.PLANNING),
            category=gettext("Plan action"),
        )
        for pk, description, owner, partnership_id, title, day in PlanAction.objects.filter(
            status=PlanAction.Status.OPEN, plan__partnership__in=mine, due_on__gte=since
        )
        .order_by("due_on", "pk")
        .values_list(
            "pk",
            "description",
            "owner",
            "plan__partnership_id",
            "plan__partnership__title",
            "due_on",
        )
    ]
    # The person's own work that outer apps keep (their scheduled activities, from agenda).
    for provider in hooks.providers("calendar.events"):
        events += provider(user, since)
    return sorted(events, key=lambda e: (e.day, e.uid))


def to_ical(user, events: list[CalendarEvent]) -> bytes:
    """RFC 5545: all-day events (DTSTART;VALUE=DATE), a UID stable per subject (a moved
    review date moves the event rather than adding one), DTSTAMP the time of generation."""
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "twinning-portal"
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", "-//Twinning portal//Partnership reminders//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", gettext("Twinning portal"))
    # RFC 5545 forbids control characters in a value: stored text is cleaned of them.
    cal.add(
        "x-wr-caldesc",
        printable(
            gettext("Reviews, MOU expiries and actions for %(username)s")
            % {"username": user.get_username()}
        ),
    )
    cal.add("x-published-ttl", "PT12H")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    for e in events:
        event = Event()
        event.add("uid", f"{e.uid}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", e.day)
        event.add("dtend", e.day + dt.timedelta(days=1))
        event.add("summary", printable(e.summary))
        event.add("description", printable(f"{e.description}\n{settings.PORTAL_BASE_URL}{e.path}"))
        event.add("url", settings.PORTAL_BASE_URL + e.path)
        event.add("categories", [printable(e.category)])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
