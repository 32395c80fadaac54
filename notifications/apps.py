from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core import hooks
        from core.access import holds_a_role
        from core.nav import ACCOUNT, END, NavItem
        from notifications import events, follows, middleware, services, timeline, views
        from notifications.models import CalendarFeed, Follow, NotificationPreference
        from partnerships.bulk import BulkAction

        # What one person follows and chooses is on their own pages only (core.page_cache).
        for model in (Follow, NotificationPreference, CalendarFeed):
            hooks.register("page_cache.personal", model)

        # The reminders sent show on a partnership's timeline (partnerships never imports us).
        hooks.register("partnership.timeline", timeline.TIMELINE)
        # A partnership's events become notifications; its page links to following it.
        hooks.register("partnership.events", events.on_event)
        hooks.register("partnership.links", views.follow_link)
        hooks.register("partnership.page_annotations", follows.following_annotation)
        # Following several partnerships at once, from the list (seeing each is enough).
        hooks.register(
            "partnerships.bulk_actions",
            BulkAction(
                code="follow",
                label=_("Follow"),
                apply=services.follow_selected,
                needs_edit=False,
                order=20,
            ),
        )
        # The calendar feed is read by calendar programs: its address is its key, not a session.
        hooks.register("access.open_views", ("notifications:calendar_feed",))
        for item in (
            NavItem(
                _("Notifications"),
                "notifications:list",
                order=10,
                place=END,
                icon="bell",
                state=middleware.bell,
                shown=holds_a_role,  # an account without a role sees its status page only
            ),
            NavItem(
                _("Email preferences"),
                "notifications:preferences",
                order=10,
                place=ACCOUNT,
                shown=holds_a_role,
            ),
            NavItem(
                _("Calendar feed"),
                "notifications:calendar",
                order=20,
                place=ACCOUNT,
                shown=holds_a_role,
            ),
        ):
            hooks.register("nav.items", item)
