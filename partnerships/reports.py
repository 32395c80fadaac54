"""Portfolio numbers: the report page's tables and charts, and the partners map.

Every function takes the portfolio (a queryset of partnerships, from `portfolio()`) and asks
ONE set-based query (`values().annotate(Count…)`), returning plain dicts and lists that the
view renders as tables and hands to the charts through `json_script`.

Economic outcomes live in the businesses app, which this app never imports: it registers a
provider on the hook `reports.outcomes` (core.hooks) from its AppConfig.ready().
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core import hooks
from partnerships import permissions, selectors
from partnerships.models import (
    Activity,
    KPIResult,
    Partner,
    Partnership,
    PartnershipMember,
    Review,
    Step,
)
from partnerships.world_map import MAP_HEIGHT, MAP_WIDTH, arc_path, project, world_paths

# (partnership ids queryset) -> rows of {"partnership_id", "kind", "currency", "total"}.

# The outcome kinds the report shows (businesses.Outcome.Kind values), with their labels.
OUTCOME_KINDS = {
    "deals": _("Deals concluded"),
    "export_value": _("Export value"),
    "investment": _("Investment"),
    "jobs": _("Jobs created"),
}
MONEY_KINDS = {"export_value", "investment"}

# One colour per step, shared by the charts and the map (colour-blind-friendly palette).
STEP_COLOURS = {
    1: "#6c757d",
    2: "#0072b2",
    3: "#56b4e9",
    4: "#009e73",
    5: "#f0e442",
    6: "#e69f00",
    7: "#d55e00",
    8: "#cc79a7",
}


# --- The portfolio ---------------------------------------------------------------------------


def portfolio(user, city_id: int | None = None) -> QuerySet[Partnership]:
    """The partnerships a report or an export covers: the user's own cities' (all for admins),
    narrowed to one member city when `city_id` is given. A city that is not the user's is a 404.
    Other cities' published partnerships are NOT part of anyone's portfolio."""
    qs = selectors.partnerships_of_my_cities(user)
    if city_id is None:
        return qs
    if not permissions.is_admin(user) and city_id not in permissions.city_ids(user):
        raise Http404("Not one of your cities.")
    return qs.filter(members__partner_id=city_id)


def report_cities(user) -> list[tuple[int, str]]:
    """The cities the user may report on: theirs; for admins, every city that is a member of
    a partnership. One query."""
    qs = Partner.objects.order_by("name", "pk")
    if permissions.is_admin(user):
        qs = qs.filter(memberships__isnull=False).distinct()
    else:
        qs = qs.filter(pk__in=permissions.city_ids(user))
    return [(pk, f"{name} ({code})") for pk, name, code in qs.values_list("pk", "name", "country")]


# --- The charts ------------------------------------------------------------------------------


def _labelled(counts: dict, choices) -> list[dict]:
    """Every choice in its order, with its count (zero included), as table rows."""
    return [
        {"key": value, "label": label, "count": counts.get(value, 0)} for value, label in choices
    ]


def by_step_category_phase(qs: QuerySet[Partnership]) -> dict[str, list[dict]]:
    """Partnerships by step (the funnel), by category and by phase: one GROUP BY query."""
    rows = qs.order_by().values("step", "category", "phase").annotate(n=Count("pk", distinct=True))
    steps, categories, phases = Counter(), Counter(), Counter()
    for row in rows:
        steps[row["step"]] += row["n"]
        categories[row["category"]] += row["n"]
        phases[row["phase"]] += row["n"]
    funnel = _labelled(steps, Step.choices)
    # A funnel: how many partnerships reached each step (are at it or beyond).
    reached = 0
    for row in reversed(funnel):
        reached += row["count"]
        row["reached"] = reached
    return {
        "by_step": funnel,
        "by_category": _labelled(categories, Partnership.Category.choices),
        "by_phase": _labelled(phases, Partnership.Phase.choices),
    }


def by_country(qs: QuerySet[Partnership], city_id: int | None = None) -> list[dict]:
    """Partnerships per counterpart country (for one city: the countries of its partners, the
    city itself left out; for all: every counterpart). One query."""
    members = PartnershipMember.objects.filter(partnership__in=qs.values("pk"))
    if city_id is None:
        members = members.filter(role=PartnershipMember.Role.COUNTERPART)
    else:
        members = members.exclude(partner_id=city_id)
    rows = (
        members.order_by()
        .values("partner__country")
        .annotate(n=Count("partnership", distinct=True))
    )
    result = [
        {
            "key": row["partner__country"],
            "label": countries.name(row["partner__country"]) or row["partner__country"],
            "count": row["n"],
        }
        for row in rows
    ]
    return sorted(result, key=lambda r: (-r["count"], r["label"]))


def activities_by_month(qs: QuerySet[Partnership]) -> list[dict]:
    """Activities per calendar month, oldest first, with the empty months in between. One query."""
    rows = (
        Activity.objects.filter(partnership__in=qs.values("pk"))
        .order_by()
        .annotate(month=TruncMonth("occurred_on"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    counts = {(r["month"].year, r["month"].month): r["n"] for r in rows if r["month"]}
    if not counts:
        return []
    (year, month), last = min(counts), max(counts)
    result = []
    while (year, month) <= last:
        result.append(
            {
                "key": f"{year:04d}-{month:02d}",
                "label": f"{year:04d}-{month:02d}",
                "count": counts.get((year, month), 0),
            }
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def kpis_on_target(qs: QuerySet[Partnership]) -> dict:
    """KPI results of each partnership's latest completed review, on and off target: one query
    (the latest review is a subquery), counted in Python with `KPIResult.on_target`."""
    latest = (
        Review.objects.filter(
            partnership=OuterRef("review__partnership"), status=Review.Status.COMPLETED
        )
        .order_by("-period_end", "-id")
        .values("pk")[:1]
    )
    results = (
        KPIResult.objects.filter(
            review__partnership__in=qs.values("pk"), review__status=Review.Status.COMPLETED
        )
        .annotate(latest_review=Subquery(latest))
        .select_related("kpi", "review__partnership")
        .order_by("review__partnership__title", "kpi__name")
    )
    per: dict[int, dict] = {}
    for result in results:
        if result.review_id != result.latest_review:
            continue
        partnership = result.review.partnership
        row = per.setdefault(
            partnership.pk,
            {
                "partnership_id": partnership.pk,
                "label": partnership.title,
                "period_end": result.review.period_end,
                "on": 0,
                "off": 0,
            },
        )
        row["on" if result.on_target else "off"] += 1
    rows = list(per.values())
    return {
        "rows": rows,
        "on": sum(r["on"] for r in rows),
        "off": sum(r["off"] for r in rows),
    }


HEALTH_BANDS = (
    ("healthy", _("Healthy")),
    ("at_risk", _("At risk")),
    ("weak", _("Weak")),
    ("finished", _("Not scored (ended or archived)")),
)


def health_distribution(qs: QuerySet[Partnership]) -> dict:
    """Partnerships per health band, from `partnerships.health.health_for` (one query plus one
    per business-involvement provider). Without that module: marked not available, never made
    up."""
    try:
        from partnerships import health
    except ImportError:
        return {"available": False, "rows": []}
    health_for = getattr(health, "health_for", None)
    if health_for is None:
        return {"available": False, "rows": []}
    bands = Counter(h.band for h in health_for(qs).values())
    return {"available": True, "rows": _labelled(bands, HEALTH_BANDS)}


def outcomes_by_partnership(
    qs: QuerySet[Partnership], titles: dict[int, str] | None = None
) -> dict:
    """Deals, export value, investment and jobs per partnership (money per currency, never
    added across currencies), from the registered providers: one query per provider, plus one
    for the titles unless `titles` ({id: title} of the portfolio) is given."""
    providers = hooks.providers("reports.outcomes")
    if not providers:
        return {"available": False, "rows": [], "columns": []}
    ids = qs.values("pk")
    totals: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    columns: set[tuple[str, str]] = set()
    for provider in providers:
        for row in provider(ids):
            if row["kind"] not in OUTCOME_KINDS:
                continue
            key = (row["kind"], row.get("currency") or "")
            columns.add(key)
            bucket = totals[row["partnership_id"]]
            bucket[key] = bucket.get(key, Decimal(0)) + Decimal(row["total"])
    order = list(OUTCOME_KINDS)
    ordered = sorted(columns, key=lambda c: (order.index(c[0]), c[1]))
    if titles is None:
        titles = dict(qs.filter(pk__in=list(totals)).values_list("pk", "title")) if totals else {}
    rows = [
        {
            "partnership_id": pk,
            "label": titles.get(pk, f"#{pk}"),
            "values": [totals[pk].get(col, Decimal(0)) for col in ordered],
        }
        for pk in sorted(totals, key=lambda pk: titles.get(pk, ""))
    ]
    return {
        "available": True,
        "columns": [
            {
                "kind": kind,
                "currency": currency,
                "label": gettext("%(outcome)s (%(currency)s)")
                % {"outcome": OUTCOME_KINDS[kind], "currency": currency}
                if currency
                else str(OUTCOME_KINDS[kind]),
                "money": kind in MONEY_KINDS,
            }
            for kind, currency in ordered
        ],
        "rows": rows,
    }


# --- The map ---------------------------------------------------------------------------------
# The projection and the world's outlines are in partnerships/world_map.py.


@dataclass
class MapLine:
    partnership_id: int
    title: str
    step: int
    step_label: str
    colour: str
    home: str
    partner: str
    partner_country: str
    x1: float | None = None
    y1: float | None = None
    x2: float | None = None
    y2: float | None = None
    path: str = ""  # the great-circle arc as SVG path data (pieces split at the antimeridian)

    @property
    def drawn(self) -> bool:
        return self.x1 is not None and self.x2 is not None


@dataclass
class PartnerMap:
    width: int = MAP_WIDTH
    height: int = MAP_HEIGHT
    countries: tuple = ()
    lines: list[MapLine] = field(default_factory=list)
    homes: list[dict] = field(default_factory=list)
    legend: list[dict] = field(default_factory=list)
    titles: dict[int, str] = field(default_factory=dict)  # {partnership id: title}

    @property
    def undrawn(self) -> list[MapLine]:
        return [line for line in self.lines if not line.drawn]


def partner_map(qs: QuerySet[Partnership], city_id: int | None = None) -> PartnerMap:
    """Lines from the home city (the selected city, or each partnership's home city) to each
    partner city, coloured by step. One query (members with their cities)."""
    members = (
        PartnershipMember.objects.filter(partnership__in=qs.values("pk"))
        .order_by("partnership__title", "partnership_id", "-role", "partner__name")
        .values(
            "partnership_id",
            "partnership__title",
            "partnership__step",
            "role",
            "partner_id",
            "partner__name",
            "partner__country",
            "partner__latitude",
            "partner__longitude",
        )
    )
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in members:
        grouped[row["partnership_id"]].append(row)
    result = PartnerMap(countries=world_paths())
    result.titles = {pk: rows[0]["partnership__title"] for pk, rows in grouped.items()}
    homes: dict[int, dict] = {}
    for rows in grouped.values():
        if city_id is not None:
            home = next((r for r in rows if r["partner_id"] == city_id), None)
        else:
            home = next((r for r in rows if r["role"] == PartnershipMember.Role.HOME), None)
        if home is None:
            continue
        home_xy = None
        if home["partner__latitude"] is not None and home["partner__longitude"] is not None:
            home_xy = project(home["partner__longitude"], home["partner__latitude"])
            homes.setdefault(
                home["partner_id"],
                {"name": home["partner__name"], "x": home_xy[0], "y": home_xy[1]},
            )
        for other in rows:
            if other is home:
                continue
            step = other["partnership__step"]
            line = MapLine(
                partnership_id=other["partnership_id"],
                title=other["partnership__title"],
                step=step,
                step_label=Step(step).label,
                colour=STEP_COLOURS[step],
                home=home["partner__name"],
                partner=other["partner__name"],
                partner_country=countries.name(other["partner__country"]) or "",
            )
            if (
                home_xy
                and other["partner__latitude"] is not None
                and (other["partner__longitude"] is not None)
            ):
                line.x1, line.y1 = home_xy
                line.x2, line.y2 = project(other["partner__longitude"], other["partner__latitude"])
                line.path = arc_path(
                    (float(home["partner__longitude"]), float(home["partner__latitude"])),
                    (float(other["partner__longitude"]), float(other["partner__latitude"])),
                )
            result.lines.append(line)
    result.homes = list(homes.values())
    present = {line.step for line in result.lines}
    result.legend = [
        {"step": step, "label": label, "colour": STEP_COLOURS[step]}
        for step, label in Step.choices
        if step in present
    ]
    return result


# --- Everything the report page shows ---------------------------------------------------------


def portfolio_report(qs: QuerySet[Partnership], city_id: int | None = None) -> dict:
    """The report's numbers: one dict of tables (lists of dicts), and the map."""
    report = by_step_category_phase(qs)
    report["map"] = partner_map(qs, city_id)
    report["by_country"] = by_country(qs, city_id)
    report["activities"] = activities_by_month(qs)
    report["kpis"] = kpis_on_target(qs)
    report["health"] = health_distribution(qs)
    report["outcomes"] = outcomes_by_partnership(qs, report["map"].titles)
    report["total"] = sum(row["count"] for row in report["by_step"])
    return report


def chart_data(report: dict) -> dict:
    """The same numbers shaped for Chart.js (labels + datasets), for `json_script`."""

    def simple(rows, label=None, colours=None):
        return {
            "labels": [str(r["label"]) for r in rows],
            "datasets": [
                {
                    "label": gettext("Partnerships") if label is None else label,
                    "data": [r["count"] for r in rows],
                    **({"backgroundColor": colours} if colours else {}),
                }
            ],
        }

    data = {
        "by_step": {
            "type": "bar",
            "horizontal": True,
            **simple(
                report["by_step"],
                gettext("Reached this step"),
                [STEP_COLOURS[r["key"]] for r in report["by_step"]],
            ),
        },
        "by_category": {"type": "doughnut", **simple(report["by_category"])},
        "by_phase": {"type": "doughnut", **simple(report["by_phase"])},
        "by_country": {"type": "bar", "horizontal": True, **simple(report["by_country"])},
        "activities": {"type": "line", **simple(report["activities"], gettext("Activities"))},
        "kpis": {
            "type": "bar",
            "stacked": True,
            "labels": [r["label"] for r in report["kpis"]["rows"]],
            "datasets": [
                {
                    "label": gettext("On target"),
                    "data": [r["on"] for r in report["kpis"]["rows"]],
                    "backgroundColor": "#009e73",
                },
                {
                    "label": gettext("Off target"),
                    "data": [r["off"] for r in report["kpis"]["rows"]],
                    "backgroundColor": "#d55e00",
                },
            ],
        },
    }
    # The funnel shows how many reached each step, not how many are at it.
    data["by_step"]["datasets"][0]["data"] = [r["reached"] for r in report["by_step"]]
    if report["health"]["available"]:
        data["health"] = {
            "type": "doughnut",
            **simple(
                report["health"]["rows"], colours=["#198754", "#ffc107", "#dc3545", "#adb5bd"]
            ),
        }
    outcomes = report["outcomes"]
    if outcomes["available"] and outcomes["rows"]:
        for money in (False, True):
            indexes = [i for i, c in enumerate(outcomes["columns"]) if c["money"] == money]
            if not indexes:
                continue
            data["outcomes_money" if money else "outcomes_counts"] = {
                "type": "bar",
                "labels": [r["label"] for r in outcomes["rows"]],
                "datasets": [
                    {
                        "label": str(outcomes["columns"][i]["label"]),
                        "data": [float(r["values"][i]) for r in outcomes["rows"]],
                    }
                    for i in indexes
                ],
            }
    return data
