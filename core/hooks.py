"""The one registry of hooks: how an inner app shows or uses what an outer app provides.

Dependencies point one way (demo → businesses → discussion → agenda → alliances →
invitations → notifications → partnerships → gazetteer → accounts → core), so an inner app
never imports an outer one. Where the inner app's page or process must include the outer
app's data, it reads a hook here, and the outer app registers its providers from its
`AppConfig.ready()`. Every hook is named in HOOKS below, with what a provider receives and
returns: a misspelt name fails at start-up instead of never running.

    hooks.register("dashboard.panels", panels.dashboard_panel)   # outer app, in ready()
    for provider in hooks.providers("dashboard.panels"): ...     # inner app, when it renders
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

HOOKS: dict[str, str] = {
    # core
    "nav.items": "a core.nav.NavItem: a link in the navigation bar or the person's menu",
    "access.roles": "(user) -> iterable of role names the app gives the user (core.access)",
    "access.open_views": "an iterable of view names open to a signed-in person without a role",
    "account.status_panels": "(request) -> dict | None: a panel (its `template` and data) on "
    "the status page of an account (settings.ACCOUNT_STATUS_VIEW)",
    "search.results": "(user, query: core.search.Query) -> core.search.Group | None: one kind "
    "of record the user may see matching the query, ranked, at most query.limit hits, in one "
    "query (core.search.matching and first)",
    "page_cache.scopes": "an object naming where rows show (core.page_cache): `anchors` "
    "{model label: scope prefix}, `through_parent` (labels a row may reach through one parent "
    "row), `expand(scopes) -> scopes` on commit, `of_reader(user) -> list of scopes | None` "
    "for a portfolio page (None: the reader may see everything)",
    "page_cache.everywhere": "a model whose rows change who sees what: a write to it makes "
    "every cached page stale",
    "page_cache.personal": "a model whose rows only their own people see (its foreign keys to "
    "the user): a write stales only their pages",
    # notifications
    "reminders.rules": "a notifications.reminder_rules.Rule: a kind of reminder the daily scan "
    "finds (its kind one of notifications.models.Reminder.Kind)",
    "calendar.events": "(user, since: date) -> list of notifications.calendar.CalendarEvent: "
    "dates of the person's own work in their calendar feed, in one query",
    "notifications.audience": "(event: partnerships.events.Event, user_ids) -> the set of "
    "those people who may see what the event is about, or None for a kind the provider does "
    "not know (the events of partnerships.events.CHAMBER_KINDS: nobody is told without one)",
    # partnerships
    "dashboard.home": "(user) -> str | None: the URL of the user's own home page when it is not "
    "the officers' dashboard (chamber staff have a workspace of their own)",
    "dashboard.panels": "(user) -> dict | None: a panel (its `template` and data) on the "
    "officers' dashboard",
    "board.assigned": "(user_ids) -> Q on Partnership | None: the partnerships with open work "
    "assigned to one of these people (the dashboard board's assignee filter, shown only when a "
    "provider is registered)",
    "partnership.links": "(request, partnership, can_edit) -> list of {label, url, icon}: "
    "links on a partnership's page",
    "partnership.panels": "(request, partnership, can_edit) -> dict | None: a panel (its "
    "`template` and data, read as `panel`) on a partnership's page, below the steps",
    "partnership.page_annotations": "(user) -> dict of name: expression, annotated on the "
    "partnership page's own query (e.g. whether the user follows it), so that an outer app's "
    "link or panel costs no query of its own; the query is compiled once per shape of reader, "
    "for a stand-in user holding only the reader's id: depend on `user.pk` alone",
    "city.officers_panels": "(request, city) -> dict | None: a panel (its `template` and "
    "data) on a city's officers page (pending invitations, requests to join)",
    "search.city_annotations": "() -> dict of name: expression, annotated on the search step's "
    "one query of the partnership's cities (e.g. the home city's new leads from its chambers), "
    "so that an outer app's panel asks no query when it has nothing to show",
    "search.panels": "(request, partnership, home) -> dict | None: a panel (its `template` "
    "and data) on a partnership's search step (partner cities proposed by the home city's "
    "chambers)",
    "partnership.public_url": "(partnership) -> str | None: where anyone reads a published "
    "partnership (its registry page)",
    "partnership.timeline": "a partnerships.selectors.TimelineSource: entries an outer app adds "
    "to a partnership's timeline, read in the timeline's one query",
    "partnership.events": "(event: partnerships.events.Event) -> None: told after a write to "
    "a partnership commits (a move, a confirmation, an invitation accepted...)",
    "health.business_involvement": "(partnership ids) -> set of the ids involving business, "
    "or an object with `involving_rows(qs)` (see partnerships.health)",
    "reports.outcomes": "(partnerships queryset) -> list of dict: outcome totals per "
    "partnership for the report",
    "dossier.sections": "(partnership) -> dict | None: a section of the dossier PDF",
    "exports.datasets": "a partnerships.exports.Dataset: a downloadable table",
    "partnerships.bulk_actions": "a partnerships.bulk.BulkAction: an action on several "
    "partnerships of the list",
    # alliances
    "alliances.partnership_panels": "(request, partnership, sub_alliances, can_manage) -> "
    "dict | None: a panel on a partnership's sub-alliances page",
    "alliances.sub_alliance_panels": "(request, sub_alliance, can_manage) -> dict | None: a "
    "panel on a sub-alliance's page",
}

_registry: dict[str, list[Any]] = {name: [] for name in HOOKS}


def _known(name: str) -> list[Any]:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"No hook called {name!r}: declare it in core.hooks.HOOKS.") from None


def register(name: str, provider: Any) -> None:
    """Add `provider` to the hook (once: calling ready() again adds nothing)."""
    providers = _known(name)
    if provider not in providers:
        providers.append(provider)


def providers(name: str) -> list[Any]:
    """The hook's providers, in the order they were registered."""
    return list(_known(name))


def collect(name: str, *args, **kwargs) -> list[Any]:
    """Call every provider; their results, leaving out the None ones."""
    results = (provider(*args, **kwargs) for provider in _known(name))
    return [result for result in results if result is not None]


def emit(name: str, *args, **kwargs) -> None:
    """Call every provider for what it does (an event)."""
    for provider in _known(name):
        provider(*args, **kwargs)


@contextlib.contextmanager
def replaced(name: str, new: Iterable[Any]) -> Iterator[None]:
    """Run with the hook's providers replaced by `new` (tests)."""
    providers = _known(name)
    saved = list(providers)
    providers[:] = list(new)
    try:
        yield
    finally:
        providers[:] = saved
