from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "discussion"
    verbose_name = _("Discussion")

    def ready(self) -> None:
        from core import hooks
        from discussion import panels, timeline

        # A thread on the partnership's page and on each sub-alliance's page, and the
        # comments among the partnership's timeline (neither app imports us).
        hooks.register("partnership.panels", panels.partnership_panel)
        hooks.register("alliances.sub_alliance_panels", panels.sub_alliance_panel)
        hooks.register("partnership.timeline", timeline.TIMELINE)
