"""The notifications pages: the inbox, snoozing, e-mail preferences and the calendar feed."""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read-all/", views.notifications_read_all, name="read_all"),
    path("notifications/preferences/", views.notification_preferences, name="preferences"),
    path("notifications/<id:reminder_id>/read/", views.notification_read, name="read"),
    path("notifications/<id:reminder_id>/snooze/", views.notification_snooze, name="snooze"),
    path(
        "notifications/follow/<id:pk>/",
        views.follow_partnership,
        name="follow",
    ),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/new/", views.calendar_renew, name="calendar_renew"),
    path("calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
