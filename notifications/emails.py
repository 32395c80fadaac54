"""The e-mails: one reminder, or a person's weekly digest, each in a text and an HTML part, with
a link to the place in the portal where the work is done."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

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


def partnership_path(reminder: Reminder, partnership_id: int | None = None) -> str:
    path = reverse("partnerships:detail", args=[partnership_id or reminder.partnership_id])
    step = STEP_OF.get(reminder.kind)
    return f"{path}?step={int(step)}#step-{int(step)}" if step else path


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _email(subject: str, template: str, context: dict, to: str) -> EmailMultiAlternatives:
    context = {
        **context,
        "portal_url": settings.PORTAL_BASE_URL,
        "notifications_url": portal_url(reverse("notifications:list")),
        "preferences_url": portal_url(reverse("notifications:preferences")),
    }
    message = EmailMultiAlternatives(
        subject=SUBJECT_PREFIX + _one_line(subject),
        body=render_to_string(f"email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"email/{template}.html", context), "text/html")
    return message


def _item(reminder: Reminder) -> dict:
    return {
        "reminder": reminder,
        "headline": reminder.headline,
        "advice": ADVICE.get(reminder.kind, ""),
        "partnership": reminder.partnership,
        "url": portal_url(partnership_path(reminder)),
    }


def reminder_email(reminder: Reminder) -> EmailMultiAlternatives:
    """One reminder: what is due, what to do, and a link to the place in the portal."""
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
