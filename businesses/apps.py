from django.apps import AppConfig


class BusinessesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "businesses"
    verbose_name = "Chambers and businesses"

    def ready(self) -> None:
        """Plug this app into the pages of the apps it depends on, which never import it
        (dependencies point one way: businesses → alliances → partnerships)."""
        from django.contrib.auth.signals import user_logged_in

        from alliances import views as alliance_views
        from businesses import middleware
        from businesses.views import panels

        # Remember whether the user is chamber staff or a pending sign-up (see middleware).
        user_logged_in.connect(middleware.on_login, dispatch_uid="businesses.chamber_role")

        # The sub-alliance pages show outcomes, matchmaking and interest through these hooks.
        _register(alliance_views.PARTNERSHIP_PANELS, panels.partnership_panel)
        _register(alliance_views.SUB_ALLIANCE_PANELS, panels.sub_alliance_panel)

        # A partnership's health takes points off when business is not involved (a business
        # sub-alliance or accepted interest); without a provider that factor is not assessed.
        from businesses import selectors
        from partnerships import health

        _register(
            health.BUSINESS_INVOLVEMENT_PROVIDERS, selectors.business_involvement_partnership_ids
        )

        # Reports, exports and the dossier show businesses, interest and outcomes (core hooks).
        from businesses import exports as report_exports

        report_exports.register()

        # The officers' dashboard shows new interest registrations, once the core offers the
        # hook (`partnerships.dashboard.PANELS`, a list of callables `(user) -> dict | None`).
        from partnerships import dashboard

        hook = getattr(dashboard, "PANELS", None)
        if isinstance(hook, list):
            _register(hook, panels.dashboard_panel)

        # A partnership's page links to its sub-alliances, business interest and matchmaking,
        # once the core offers the hook (`partnerships.views.partnerships.DETAIL_LINKS`, a list
        # of callables `(request, partnership, can_edit) -> list of {label, url, icon}`).
        from partnerships.views import partnerships as partnership_views

        hook = getattr(partnership_views, "DETAIL_LINKS", None)
        if isinstance(hook, list):
            _register(hook, panels.detail_links)


def _register(hook: list, function) -> None:
    if function not in hook:
        hook.append(function)
