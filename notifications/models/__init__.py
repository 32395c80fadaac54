"""The notifications' models: reminders and events (reminders.py); each person's choices, follows
and calendar feed (preferences.py)."""

from notifications.models.preferences import (
    EVENT_DEFAULTS,
    CalendarFeed,
    Follow,
    NotificationPreference,
    event_choice,
)
from notifications.models.reminders import (
    EVENT_KIND_VALUES,
    Reminder,
    event_headline,
    headline,
)

__all__ = [
    "EVENT_DEFAULTS",
    "EVENT_KIND_VALUES",
    "CalendarFeed",
    "Follow",
    "NotificationPreference",
    "Reminder",
    "event_choice",
    "event_headline",
    "headline",
]
