"""Factories for reminders (a person's notifications), their preferences and calendar feeds."""

import datetime as dt

import factory

from notifications.models import Reminder
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import PartnershipFactory


class ReminderFactory(factory.django.DjangoModelFactory):
    """A sent review reminder, to a person with an account."""

    class Meta:
        model = Reminder

    partnership = factory.SubFactory(PartnershipFactory)
    kind = Reminder.Kind.REVIEW_OVERDUE
    object_id = factory.SelfAttribute("partnership.pk")
    occurrence = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    recipient = factory.SubFactory(UserFactory)
    recipient_email = factory.LazyAttribute(lambda r: r.recipient.email if r.recipient else "")
    role = Reminder.Role.OFFICER
    status = Reminder.Status.SENT
    attempts = 1
    sent_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))
