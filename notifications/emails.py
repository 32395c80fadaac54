"""The e-mails: one reminder, or a person's weekly digest, each in a text and an HTML part, with
a link to the place in the portal where the work is done."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from core.text import printable
from notifications.models import Reminder
from partnerships.health import rules
from partnerships.models import Step

SUBJECT_PREFIX = "[Twinning portal] "


# Where on the partnership's page the work is done, and what to do about it.
Kind = Reminder.Kind

STEP_OF = {
    **dict.fromkeys(Reminder.REVIEW_KINDS, Step.MEASUREMENT),
    **dict.fromkeys(Reminder.MOU_KINDS, Step.AGREEMENT),
    Kind.ACTION_OVERDUE: Step.PLANNING,
}


ADVICE = {
    Kind.REVIEW_DUE: "Plan the review with the other side and record it in the portal.",
    Kind.REVIEW_OVERDUE: "The review is late: hold it with the other side and record it, or "
    "set a new review date.",
    Kind.REVIEW_ESCALATION: f"The review is more than {rules.REVIEW_ESCALATED_AFTER_DAYS} days "
    "late. As a coordinator, please see that it is held, or decide with the other side "
    "whether to pause or end the partnership.",
    Kind.MOU_EXPIRING_90: "Decide with the other side whether to renew the MOU, and start the "
    "renewal in time.",
    Kind.MOU_EXPIRING_30: "The MOU expires within a month: renew it, or record the decision "
    "to let it end.",
    Kind.MOU_EXPIRING_7: "The MOU expires within a week: renew it, or record the decision to "
    "let it end.",
    Kind.MOU_EXPIRED: "The MOU has expired: renew it, or record that the partnership ends.",
    Kind.STALLED: "The partnership has not moved on for a long time: see what its step still "
    "needs, or record why it waits.",
    Kind.ACTION_OVERDUE: "Mark the action done, or agree a new date with its owner.",
}


def portal_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


# Why the person hears of an event, by the role they were told in.
BECAUSE = {
    Reminder.Role.OFFICER: "You receive this as an officer of a member city.",
    Reminder.Role.COORDINATOR: "You receive this as a coordinator of a member city.",
    Reminder.Role.FOLLOWER: "You receive this because you follow this partnership.",
    Reminder.Role.CONCERNED: "You receive this because it concerns you.",
}

EVENT_ADVICE = {
    Kind.CONFIRMATION_AWAITED: "Open the partnership to confirm for your city, or to say why not.",
    Kind.RETURNED: "See on the partnership's page what its step needs again.",
    Kind.OFFLINE_CONFIRMATION_DISPUTED: "The step waits for that city's own confirmation again.",
    Kind.CHAMBER_SIGNUP_REQUESTED: "Approve the request if they work for that chamber, or "
    "reject it saying why. Until then their account sees its status page only.",
    Kind.CHAMBER_SIGNUP_DECIDED: "Your account's page says what you can do now.",
    Kind.INTEREST_DECIDED: "Your chamber's registrations show the officers' answer.",
    Kind.MATCH_PROPOSED: "Accept the match into a sub-alliance of the partnership, or decline "
    "it telling the chamber why.",
    Kind.MATCH_DECIDED: "Your chamber's page shows the officers' answer.",
    Kind.INTEREST_PARTNERSHIP_MOVED: "A good moment to get your member businesses ready to "
    "take part.",
}

# Why the person hears of a chamber event (told to the people it names, in the role
# "concerned"): more precise than "it concerns you".
KIND_BECAUSE = {
    Kind.CHAMBER_SIGNUP_REQUESTED: "You receive this because you may decide who works for "
    "this chamber (an officer of its city, or an administrator where the city has none).",
    Kind.CHAMBER_SIGNUP_DECIDED: "You receive this because you asked to join this chamber.",
    Kind.INTEREST_DECIDED: "You receive this as staff of the chamber that registered the interest.",
    Kind.MATCH_PROPOSED: "You receive this as an officer of a member city of the partnership.",
    Kind.MATCH_DECIDED: "You receive this as staff of the chamber that proposed the match.",
    Kind.INTEREST_PARTNERSHIP_MOVED: "You receive this as staff of a chamber that registered "
    "interest in this partnership.",
}


def partnership_path(reminder: Reminder, partnership_id: int | None = None) -> str:
    if reminder.is_event:
        return event_path(reminder)
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
    context = {
        **context,
        "portal_url": settings.PORTAL_BASE_URL,
        "notifications_url": portal_url(reverse("notifications:list")),
        "preferences_url": portal_url(reverse("notifications:preferences")),
    }
    message = EmailMultiAlternatives(
        subject=SUBJECT_PREFIX + _one_line(subject),
        # Control characters stored before forms refused them are dropped (core/text.py).
        body=printable(render_to_string(f"email/{template}.txt", context)),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    html = printable(render_to_string(f"email/{template}.html", context))
    message.attach_alternative(html, "text/html")
    return message


def portal_email(subject: str, template: str, context: dict, to: str) -> EmailMultiAlternatives:
    """An e-mail in the portal's form (subject prefix, text and HTML parts, the portal's
    links), for the apps that send their own (invitations)."""
    return _email(subject, template, context, to)


def _item(reminder: Reminder) -> dict:
    advice = EVENT_ADVICE if reminder.is_event else ADVICE
    return {
        "reminder": reminder,
        "headline": reminder.headline,
        "reason": reminder.reason,
        "step": str(reminder.data.get("step") or "") if reminder.is_event else "",
        "advice": advice.get(reminder.kind, ""),
        "partnership": reminder.partnership,
        "url": portal_url(partnership_path(reminder)),
    }


def reminder_email(reminder: Reminder) -> EmailMultiAlternatives:
    """One reminder: what is due, what to do, and a link to the place in the portal."""
    if reminder.is_event:
        return event_email(reminder)
    item = _item(reminder)
    name = ""
    if reminder.recipient_id is not None:
        name = reminder.recipient.get_full_name() or reminder.recipient.username
    return _email(
        f"{reminder.partnership.title}: {item['headline']}",
        "reminder",
        {**item, "name": name, "has_account": reminder.recipient_id is not None},
        reminder.address,
    )


def _title(reminder: Reminder) -> str:
    return reminder.partnership.title if reminder.partnership_id else "Twinning portal"


def event_email(reminder: Reminder) -> EmailMultiAlternatives:
    """One event: what happened, the reason given, and the absolute link to the record."""
    item = _item(reminder)
    user = reminder.recipient
    # About no partnership (a sign-up, an invitation to a city): the headline says it all.
    title = reminder.partnership.title if reminder.partnership_id else ""
    return _email(
        f"{title}: {item['headline']}" if title else item["headline"],
        "event",
        {
            **item,
            "title": title,
            "name": user.get_full_name() or user.username,
            "because": KIND_BECAUSE.get(reminder.kind) or BECAUSE.get(reminder.role, ""),
        },
        reminder.address,
    )


def daily_digest_email(user, reminders: list[Reminder]) -> EmailMultiAlternatives:
    n = len(reminders)
    return _email(
        f"Your daily digest: {n} notification{'s' if n != 1 else ''}",
        "daily_digest",
        {
            "name": user.get_full_name() or user.username,
            "items": [{**_item(r), "title": _title(r)} for r in reminders],
        },
        user.email,
    )


def digest_email(user, reminders: list[Reminder]) -> EmailMultiAlternatives:
    n = len(reminders)
    return _email(
        f"Your weekly digest: {n} reminder{'s' if n != 1 else ''}",
        "digest",
        {
            "name": user.get_full_name() or user.username,
            "items": [_item(r) for r in reminders],
            "has_account": True,
        },
        user.email,
    )
