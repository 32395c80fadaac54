from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BusinessesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "businesses"
    verbose_name = _("Chambers and businesses")

    def ready(self) -> None:
        """Plug this app into the pages of the apps it depends on, which never import it
        (core.hooks: every hook is declared there, with what its providers receive)."""
        from alliances.models import SubAlliance
        from businesses import exports, middleware, notify, search, selectors
        from businesses.models import ChamberMembership, InterestRegistration
        from businesses.views import panels
        from core import hooks
        from core.access import has_role
        from core.nav import PUBLIC, NavItem, anonymous
        from partnerships.health import stored as stored_health

        chamber_staff = has_role(middleware.STAFF)
        # Who works for a chamber decides what they see: a change stales every cached page.
        hooks.register("page_cache.everywhere", ChamberMembership)

        # Chamber staff and pending sign-ups, for core.access; the pages open to the latter.
        hooks.register("access.roles", middleware.roles)
        hooks.register("access.open_views", middleware.OPEN_VIEWS)

        # The chamber journey's notifications: who may be told of each (the notifications app
        # cannot read chambers), and a partnership of interest reaching the MOU or
        # implementation, told to the chambers interested.
        hooks.register("notifications.audience", notify.audience)
        hooks.register("partnership.events", notify.on_partnership_event)

        # The sub-alliance pages show outcomes, matchmaking and interest.
        hooks.register("alliances.partnership_panels", panels.partnership_panel)
        hooks.register("alliances.sub_alliance_panels", panels.sub_alliance_panel)
        # A partnership's health takes points off when business is not involved (a business
        # sub-alliance or accepted interest); without a provider that factor is not assessed.
        hooks.register(
            "health.business_involvement", selectors.business_involvement_partnership_ids
        )
        # ...and the stored health of a partnership goes stale when these rows change.
        stored_health.watch(SubAlliance, InterestRegistration)
        # The portal's search finds businesses and chambers.
        for provider in search.PROVIDERS:
            hooks.register("search.results", provider)
        # Reports, exports and the dossier show businesses, interest and outcomes.
        for dataset in exports.DATASETS:
            hooks.register("exports.datasets", dataset)
        hooks.register("reports.outcomes", exports.outcome_totals)
        hooks.register("dossier.sections", exports.dossier_section)
        # The officers' dashboard shows new interest registrations; a partnership's page links
        # to its sub-alliances, business interest and matchmaking.
        hooks.register("dashboard.panels", panels.dashboard_panel)
        hooks.register("partnership.links", panels.detail_links)
        # Leads from the home city's chambers reach the officers in their search step.
        hooks.register("search.city_annotations", panels.search_city_annotations)
        hooks.register("search.panels", panels.search_panel)
        # A published partnership's public face, for the pages that list other cities' ones.
        hooks.register("partnership.public_url", selectors.registry_url)
        # Chamber staff's home is their workspace, not the officers' dashboard.
        hooks.register("dashboard.home", selectors.chamber_home_url)
        # Chamber staff's own pages in the navigation bar.
        for item in (
            # An admin may open the chamber pages below, but has no chamber of their own.
            NavItem(
                _("Your chamber"),
                "businesses:chamber_home",
                50,
                shown=has_role(middleware.STAFF, admins=False),
            ),
            NavItem(_("My businesses"), "businesses:business_list", 60, shown=chamber_staff),
            NavItem(_("Interest"), "businesses:my_registrations", 70, shown=chamber_staff),
            NavItem(_("Matches"), "businesses:my_match_proposals", 75, shown=chamber_staff),
            NavItem(_("Registry"), "businesses:registry", 80, shown=chamber_staff),
            NavItem(_("Partnership registry"), "businesses:registry", 10, PUBLIC, shown=anonymous),
        ):
            hooks.register("nav.items", item)
