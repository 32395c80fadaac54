"""The e-mails: one reminder, or a person's weekly digest, each in a text and an HTML part, with
a link to the place in the portal where the work is done.

Each is written in its reader's language (their account's, else the portal's default), never
the sender's or the server's: the whole message, subject included, is built inside
`translation.override`, so a Celery worker that knows no request writes it the same way."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.text import printable
from notifications.models import Reminder
from notifications.reminder_rules import rule_of
from partnerships.health import rules
from partnerships.models import Step

SUBJECT_PREFIX = gettext_lazy("[Twinning portal]")


# Where on the partnership's page the work is done, and what to do about it.
Kind = Reminder.Kind

STEP_OF = {
    **dict.fromkeys(Reminder.REVIEW_KINDS, Step.MEASUREMENT),
    **dict.fromkeys(Reminder.MOU_KINDS, Step.AGREEMENT),
    Kind.ACTION_OVERDUE: Step.PLANNING,
}


def advice(kind: str) -> str:
    """What to do about a reminder, in the active language."""
    if kind == Kind.REVIEW_ESCALATION:
        return _(
            "The review is more than %(days)s days late. As a coordinator, please see that it "
            "is held, or decide with the other side whether to pause or end the partnership."
        ) % {"days": rules.REVIEW_ESCALATED_AFTER_DAYS}
    return str(ADVICE.get(kind, ""))


ADVICE = {
    Kind.REVIEW_DUE: gettext_lazy(
        "Plan the review with the other side and record it in the portal."
    ),
    Kind.REVIEW_OVERDUE: gettext_lazy(
        "The review is late: hold it with the other side and record it, or set a new review date."
    ),
    Kind.MOU_EXPIRING_90: gettext_lazy(
        "Decide with the other side whether to renew the MOU, and start the renewal in time."
    ),
    Kind.MOU_EXPIRING_30: gettext_lazy(
        "The MOU expires within a month: renew it, or record the decision to let it end."
    ),
    Kind.MOU_EXPIRING_7: gettext_lazy(
        "The MOU expires within a week: renew it, or record the decision to let it end."
    ),
    Kind.MOU_EXPIRED: gettext_lazy(
        "The MOU has expired: renew it, or record that the partnership ends."
    ),
    Kind.STALLED: gettext_lazy(
        "The partnership has not moved on for a long time: see what its step still needs, or "
        "record why it waits."
    ),
    Kind.ACTION_OVERDUE: gettext_lazy("Mark the action done, or agree a new date with its owner."),
    Kind.ACTIVITY_OVERDUE: gettext_lazy(
        "Mark it done with what came of it, or cancel it and schedule it again for a new date."
    ),
}


def portal_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


# Why the person hears of an event, by the role they were told in.
BECAUSE = {
    Reminder.Role.OFFICER: gettext_lazy("You receive this as an officer of a member city."),
    Reminder.Role.COORDINATOR: gettext_lazy("You receive this as a coordinator of a member city."),
    Reminder.Role.FOLLOWER: gettext_lazy("You receive this because you follow this partnership."),
    Reminder.Role.CONCERNED: gettext_lazy("You receive this because it concerns you."),
}

EVENT_ADVICE = {
    Kind.CONFIRMATION_AWAITED: gettext_lazy(
        "Open the partnership to confirm for your city, or to say why not."
    ),
    Kind.RETURNED: gettext_lazy("See on the partnership's page what its step needs again."),
    Kind.OFFLINE_CONFIRMATION_DISPUTED: gettext_lazy(
        "The step waits for that city's own confirmation again."
    ),
    Kind.CHAMBER_SIGNUP_REQUESTED: gettext_lazy(
        "Approve the request if they work for that chamber, or reject it saying why. Until "
        "then their account sees its status page only."
    ),
    Kind.CHAMBER_SIGNUP_DECIDED: gettext_lazy("Your account's page says what you can do now."),
    Kind.INTEREST_DECIDED: gettext_lazy("Your chamber's registrations show the officers' answer."),
    Kind.MATCH_PROPOSED: gettext_lazy(
        "Accept the match into a sub-alliance of the partnership, or decline it telling the "
        "chamber why."
    ),
    Kind.MATCH_DECIDED: gettext_lazy("Your chamber's page shows the officers' answer."),
    Kind.INTEREST_PARTNERSHIP_MOVED: gettext_lazy(
        "A good moment to get your member businesses ready to take part."
    ),
}

# Why the person hears of a chamber event (told to the people it names, in the role
# "concerned"): more precise than "it concerns you".
KIND_BECAUSE = {
    Kind.CHAMBER_SIGNUP_REQUESTED: gettext_lazy(
        "You receive this because you may decide who works for this chamber (an officer of "
        "its city, or an administrator where the city has none)."
    ),
    Kind.CHAMBER_SIGNUP_DECIDED: gettext_lazy(
        "You receive this because you asked to join this chamber."
    ),
    Kind.INTEREST_DECIDED: gettext_lazy(
        "You receive this as staff of the chamber that registered the interest."
    ),
    Kind.MATCH_PROPOSED: gettext_lazy(
        "You receive this as an officer of a member city of the partnership."
    ),
    Kind.MATCH_DECIDED: gettext_lazy(
        "You receive this as staff of the chamber that proposed the match."
    ),
    Kind.INTEREST_PARTNERSHIP_MOVED: gettext_lazy(
        "You receive this as staff of a chamber that registered interest in this partnership."
    ),
}


def partnership_path(reminder: Reminder, partnership_id: int | None = None) -> str:
    if reminder.is_event:
        return event_path(reminder)
    rule = rule_of(reminder.kind)
    if rule is not None and rule.path is not None:
        return rule.path(reminder)
    path = reverse("partnerships:detail", args=[partnership_id or reminder.partnership_id])
    step = STEP_OF.get(reminder.kind)
    return f"{path}?step={int(step)}#step-{int(step)}" if step else path


def event_path(reminder: Reminder) -> str:
    """Where an event is seen: the place its emitter named (a path of this site), else the
    partnership's page, else (no partnership) the person's notifications."""
    named = str(reminder.data.get("path") or "")
    if named.startswith("/") and not named.startswith("//"):
        return named
    if reminder.partnership_id is not None:
        return reverse("partnerships:detail", args=[reminder.partnership_id])
    return reverse("notifications:list")


def _one_line(text: str) -> str:
    return " ".join(printable(text).split())


def _email(subject: str, template: str, context: dict, to: str) -> EmailMultiAlternatives:
    """The message in the active language (callers activate the reader's)."""
    context = {
        **context,
        "portal_url": settings.PORTAL_BASE_URL,
        "notifications_url": portal_url(reverse("notifications:list")),
        "preferences_url": portal_url(reverse("notifications:preferences")),
    }
    message = EmailMultiAlternatives(
        subject=f"{SUBJECT_PREFIX} {_one_line(subject)}",
        # Control characters stored before forms refused them are dropped (core/text.py).
        body=printable(render_to_string(f"email/{template}.txt", context)),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    html = printable(render_to_string(f"email/{template}.html", context))
    message.attach_alternative(html, "text/html")
    # Mail programs show the right language (and direction) from this header.
    message.extra_headers["Content-Language"] = translation.get_language()
    return message


def language_of(user) -> str:
    """The language to write to `user` in: theirs, else the portal's default (also for an
    address with no account behind it)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def in_language_of(user):
    """Decorator: the e-mail built by the function is in the language of the user that
    `user(*args)` names."""

    def decorate(build):
        @functools.wraps(build)
        def wrapper(*args, **kwargs):
            with translation.override(language_of(user(*args))):
                return build(*args, **kwargs)

        return wrapper

    return decorate


def portal_email(
    subject: str, template: str, context: dict, to: str, language: str = ""
) -> EmailMultiAlternatives:
    """An e-mail in the portal's form (subject prefix, text and HTML parts, the portal's
    links), for the apps that send their own (invitations). `subject` should be lazy (or
    built inside `translation.override(language)`) to be in the reader's language."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return _email(str(subject), template, context, to)


def _item(reminder: Reminder) -> dict:
    return {
        "reminder": reminder,
        "headline": reminder.headline,
        "reason": reminder.reason,
        "step": str(reminder.data.get("step") or "") if reminder.is_event else "",
        "advice": str(EVENT_ADVICE.get(reminder.kind, ""))
        if reminder.is_event
        else advice(reminder.kind),
        "partnership": reminder.partnership,
        "url": portal_url(partnership_path(reminder)),
    }


def _recipient(reminder: Reminder, *args):
    return reminder.recipient if reminder.recipient_id is not None else None


@in_language_of(_recipient)
def reminder_email(reminder: Reminder) -> EmailMultiAlternatives:
    """One reminder: what is due, what to do, and a link to the place in the portal."""
    if reminder.is_event:
        return event_email(reminder)
    item = _item(reminder)
    name = ""
    if reminder.recipient_id is not None:
        name = reminder.recipient.get_full_name() or reminder.recipient.username
    return _email(
        _("%(partnership)s: %(headline)s")
        % {"partnership": reminder.partnership.title, "headline": item["headline"]},
        "reminder",
        {**item, "name": name, "has_account": reminder.recipient_id is not None},
        reminder.address,
    )


def _title(reminder: Reminder) -> str:
    return reminder.partnership.title if reminder.partnership_id else _("Twinning portal")


@in_language_of(_recipient)
def event_email(reminder: Reminder) -> EmailMultiAlternatives:
    """One event: what happened, the reason given, and the absolute link to the record."""
    item = _item(reminder)
    user = reminder.recipient
    # About no partnership (a sign-up, an invitation to a city): the headline says it all.
    title = reminder.partnership.title if reminder.partnership_id else ""
    subject = (
        _("%(partnership)s: %(headline)s") % {"partnership": title, "headline": item["headline"]}
        if title
        else item["headline"]
    )
    return _email(
        subject,
        "event",
        {
            **item,
            "title": title,
            "name": user.get_full_name() or user.username,
            "because": str(KIND_BECAUSE.get(reminder.kind) or BECAUSE.get(reminder.role, "")),
        },
        reminder.address,
    )


def _user(user, *args):
    return user


@in_language_of(_user)
def daily_digest_email(user, reminders: list[Reminder]) -> EmailMultiAlternatives:
    n = len(reminders)
    return _email(
        ngettext(
            "Your daily digest: %(count)s notification",
            "Your daily digest: %(count)s notifications",
            n,
        )
        % {"count": n},
        "daily_digest",
        {
            "name": user.get_full_name() or user.username,
            "items": [{**_item(r), "title": _title(r)} for r in reminders],
        },
        user.email,
    )


@in_language_of(_user)
def digest_email(user, reminders: list[Reminder]) -> EmailMultiAlternatives:
    n = len(reminders)
    return _email(
        ngettext(
            "Your weekly digest: %(count)s reminder",
            "Your weekly digest: %(count)s reminders",
            n,
        )
        % {"count": n},
        "digest",
        {
            "name": user.get_full_name() or user.username,
            "items": [_item(r) for r in reminders],
            "has_account": True,
        },
        user.email,
    )
