from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agenda"
    verbose_name = _("Scheduled activities")

    def ready(self) -> None:
        from agenda import bulk, calendar, panels, reminders, timeline
        from core import hooks
        from core.access import has_role
        from core.nav import NavItem

        # None of the apps below imports us: what they show of scheduled activities, they
        # read through these hooks.
        hooks.register("dashboard.panels", panels.dashboard_panel)
        hooks.register("partnership.links", panels.partnership_link)
        hooks.register("alliances.sub_alliance_panels", panels.sub_alliance_panel)
        hooks.register("partnership.timeline", timeline.TIMELINE)
        hooks.register("reminders.rules", reminders.OVERDUE)
        hooks.register("calendar.events", calendar.events)
        hooks.register("partnerships.bulk_actions", bulk.ASSIGN)
        hooks.register("board.assigned", panels.assigned)
        hooks.register(
            "nav.items",
            NavItem(_("My activities"), "agenda:mine", order=15, shown=has_role("officer")),
        )
