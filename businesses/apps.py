from django.apps import AppConfig


class BusinessesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "businesses"
    verbose_name = "Chambers and businesses"

    def ready(self) -> None:
        """Plug this app into the pages of the apps it depends on, which never import it
        (core.hooks: every hook is declared there, with what its providers receive)."""
        from django.contrib.auth.signals import user_logged_in

        from businesses import exports, middleware, selectors
        from businesses.views import panels
        from core import hooks
        from core.nav import PUBLIC, NavItem, anonymous

        # Remember whether the user is chamber staff or a pending sign-up (see middleware).
        user_logged_in.connect(middleware.on_login, dispatch_uid="businesses.chamber_role")

        # The sub-alliance pages show outcomes, matchmaking and interest.
        hooks.register("alliances.partnership_panels", panels.partnership_panel)
        hooks.register("alliances.sub_alliance_panels", panels.sub_alliance_panel)
        # A partnership's health takes points off when business is not involved (a business
        # sub-alliance or accepted interest); without a provider that factor is not assessed.
        hooks.register(
            "health.business_involvement", selectors.business_involvement_partnership_ids
        )
        # Reports, exports and the dossier show businesses, interest and outcomes.
        for dataset in exports.DATASETS:
            hooks.register("exports.datasets", dataset)
        hooks.register("reports.outcomes", exports.outcome_totals)
        hooks.register("dossier.sections", exports.dossier_section)
        # The officers' dashboard shows new interest registrations; a partnership's page links
        # to its sub-alliances, business interest and matchmaking.
        hooks.register("dashboard.panels", panels.dashboard_panel)
        hooks.register("partnership.links", panels.detail_links)
        # Chamber staff's own pages in the navigation bar.
        for item in (
            NavItem("My businesses", "businesses:business_list", 60, shown=middleware.is_staff),
            NavItem("Interest", "businesses:my_registrations", 70, shown=middleware.is_staff),
            NavItem("Registry", "businesses:registry", 80, shown=middleware.is_staff),
            NavItem("Partnership registry", "businesses:registry", 10, PUBLIC, shown=anonymous),
        ):
            hooks.register("nav.items", item)
