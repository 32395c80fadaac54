"""A partnership's health: a score from 0 to 100 computed from its data, never typed in, with
the reason for every point taken off.

The deductions are the warning signs the research names (see DOMAIN.md, "Why partnerships
fail"): nobody reviews it, its measures are missed, nothing happens, business is not involved,
its agreement lapses, nobody champions it, or it never gets past the early steps.

- `rules`: every threshold and the words of each sign, once;
- `score`: `score(facts, today)`, a pure function over a small dict of facts about one
  partnership, and the `Health` it returns;
- `facts`: the facts for many partnerships at once, as annotations of ONE query
  (`with_health_facts`, `health_for`, `attach_health`...);
- `stored`: each running partnership's facts and score kept in a table (HealthSummary), marked
  stale by every write to a row they are read from and recomputed before they are read, for
  the pages that rank a whole portfolio (the dashboard: an admin's is every partnership);
- `warnings`: the dashboard's warning signs, from the stored facts (`with_warning_signs`).

Business involvement lives in outer apps (sub-alliances, chambers) that depend on this one,
never the other way round. They register a provider on the hook `health.business_involvement`
(core.hooks) in their AppConfig.ready(): it takes partnership ids and returns those that
involve business. With no provider registered, that check is skipped: no points are taken off
and the health says it was not assessed. A provider may also carry `involving_rows`, a function
returning querysets filtered on the outer partnership (`OuterRef("pk")`) of which one row shows
involvement: then `with_health_facts` reads the fact in the page's own query (column
`h_business_involved`) and the provider is not called.
"""

from partnerships.health.facts import (
    FACT_COLUMNS,
    INVOLVED_COLUMN,
    attach_health,
    business_involvement,
    health_for,
    health_of,
    health_rows,
    involvement_providers,
    partnerships_with_facts,
    with_health_facts,
)
from partnerships.health.rules import (
    AT_RISK_FROM,
    FINISHED,
    HEALTHY_FROM,
    IMPLEMENTATION_FROM,
    IMPLEMENTATION_GRACE_DAYS,
    KPIS_OFF_TARGET_POINTS,
    LONG_STANDING_POINTS,
    LONG_STANDING_TIMES,
    MOU_EXPIRED_POINTS,
    MOU_EXPIRING_DAYS,
    MOU_EXPIRING_POINTS,
    NO_BUSINESS_POINTS,
    NO_CHAMPION_POINTS,
    NO_RECENT_ACTIVITY_POINTS,
    QUIET_DAYS,
    REVIEW_ESCALATED_AFTER_DAYS,
    REVIEW_OVERDUE_POINTS,
    STALLED_DAYS,
    STALLED_POINTS,
)
from partnerships.health.score import BUSINESS_NOT_ASSESSED, Deduction, Health, score
from partnerships.health.warnings import warning_reasons, with_warning_signs

__all__ = [
    "AT_RISK_FROM",
    "BUSINESS_NOT_ASSESSED",
    "FACT_COLUMNS",
    "FINISHED",
    "HEALTHY_FROM",
    "IMPLEMENTATION_FROM",
    "IMPLEMENTATION_GRACE_DAYS",
    "INVOLVED_COLUMN",
    "KPIS_OFF_TARGET_POINTS",
    "LONG_STANDING_POINTS",
    "LONG_STANDING_TIMES",
    "MOU_EXPIRED_POINTS",
    "MOU_EXPIRING_DAYS",
    "MOU_EXPIRING_POINTS",
    "NO_BUSINESS_POINTS",
    "NO_CHAMPION_POINTS",
    "NO_RECENT_ACTIVITY_POINTS",
    "QUIET_DAYS",
    "REVIEW_ESCALATED_AFTER_DAYS",
    "REVIEW_OVERDUE_POINTS",
    "STALLED_DAYS",
    "STALLED_POINTS",
    "Deduction",
    "Health",
    "attach_health",
    "business_involvement",
    "health_for",
    "health_of",
    "health_rows",
    "involvement_providers",
    "partnerships_with_facts",
    "score",
    "warning_reasons",
    "with_health_facts",
    "with_warning_signs",
]
