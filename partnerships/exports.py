"""CSV and Excel exports of the user's portfolio, one dataset at a time.

Which rows: an export holds only the user's own portfolio — the partnerships of the cities the
user works for (`reports.portfolio`, all partnerships for admins), optionally narrowed to one of
their cities — and the records of those partnerships. Other cities' published partnerships are
readable in the portal but are NOT exported (they are other cities' records; the public registry
lists them). So an export never holds a row its user could not open in the portal.

Datasets are registered on the hook `exports.datasets` (core.hooks). This app's own
(partnerships, MOUs, activities, reviews) are below, registered by `register_own()`; the
businesses app adds businesses, interest registrations and outcomes from its AppConfig.ready(),
since this app never imports it.

Each dataset reads its rows with ONE query (lists such as member cities or areas are joined
into a column in SQL), streamed with `.iterator()`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, F, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import hooks
from core.formatting import day, number, reference_names
from core.text import printable
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    KPIResult,
    Partnership,
    PartnershipMember,
    Review,
    Step,
    SuccessFactorRating,
)
from partnerships.selectors import GroupConcat, area_names

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500


@dataclass(frozen=True)
class Dataset:
    """An exportable table: its columns and a function giving its rows for a user."""

    name: str
    label: str | Promise  # lazily translated: read it with str()
    headers: tuple[str | Promise, ...]
    # (user, portfolio queryset of partnerships, city_id or None) -> rows (tuples)
    rows: Callable[..., Iterable[tuple]]
    order: int = 100


def datasets() -> list[Dataset]:
    return sorted(hooks.providers("exports.datasets"), key=lambda d: (d.order, str(d.label)))


def dataset(name: str) -> Dataset | None:
    return next((d for d in hooks.providers("exports.datasets") if d.name == name), None)


# --- Cells -----------------------------------------------------------------------------------


def safe(value):
    """A cell that a spreadsheet will not run: text starting with = + - @ (or a tab/CR) gets a
    leading apostrophe; control characters stored before forms refused them are dropped
    (openpyxl refuses them: the whole export was a 500). Numbers and dates stay as they are."""
    if isinstance(value, Promise):  # a lazily translated label (of a choice, a step)
        value = str(value)
    value = printable(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(safe(value))


def xlsx_cell(value):
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; stored times are UTC
    if isinstance(value, Decimal):
        return value
    return safe(value)


# --- Responses -------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(dataset: Dataset, rows: Iterable[tuple], filename: str) -> StreamingHttpResponse:
    """Streamed CSV (UTF-8 with a byte-order mark, so that Excel reads accents right)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([printable(str(h)) for h in dataset.headers])
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(dataset: Dataset, rows: Iterable[tuple], filename: str) -> HttpResponse:
    """An .xlsx written with openpyxl's write-only workbook (rows are not kept in memory)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(dataset.label)[:31])
    bold = Font(bold=True)
    header = []
    for title in dataset.headers:
        cell = WriteOnlyCell(sheet, value=printable(str(title)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# --- This app's datasets ---------------------------------------------------------------------


def _label(choices) -> Callable[[str], str]:
    labels = dict(choices)
    return lambda value: labels.get(value, value or "")


def _member_names(role: str) -> Subquery:
    return Subquery(
        PartnershipMember.objects.filter(partnership=OuterRef("pk"), role=role)
        .order_by()
        .values("partnership")
        .annotate(names=GroupConcat("partner__name"))
        .values("names"),
        output_field=CharField(),
    )


def _home_country() -> Subquery:
    return Subquery(
        PartnershipMember.objects.filter(
            partnership=OuterRef("pk"), role=PartnershipMember.Role.HOME
        ).values("partner__country")[:1],
        output_field=CharField(),
    )


def partnership_rows(user, qs: QuerySet[Partnership], city_id=None) -> Iterator[tuple]:
    category = _label(Partnership.Category.choices)
    phase = _label(Partnership.Phase.choices)
    status = _label(Partnership.Status.choices)
    orientation = _label(Partnership.Orientation.choices)
    rows = (
        qs.annotate(
            home_names=_member_names(PartnershipMember.Role.HOME),
            home_country=_home_country(),
            counterpart_names=_member_names(PartnershipMember.Role.COUNTERPART),
            areas_text=area_names(),
        )
        .order_by("title", "pk")
        .values_list(
            "pk",
            "title",
            "home_names",
            "home_country",
            "counterpart_names",
            "category",
            "orientation",
            "phase",
            "step",
            "status",
            "areas_text",
            "established_on",
            "next_review_on",
            "relationship_strength",
            "published",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        yield (
            r[0],
            r[1],
            r[2] or "",
            r[3] or "",
            r[4] or "",
            category(r[5]),
            orientation(r[6]),
            phase(r[7]),
            Step(r[8]).label,
            status(r[9]),
            reference_names(r[10]),
            r[11],
            r[12],
            r[13],  # None (not assessed yet) is an empty cell: the column stays numbers
            r[14],
        )


def mou_rows(user, qs: QuerySet[Partnership], city_id=None) -> Iterator[tuple]:
    status = _label(MOU.Status.choices)
    through = MOU.areas.through
    rows = (
        MOU.objects.filter(partnership__in=qs.values("pk"))
        .annotate(
            areas_text=Subquery(
                through.objects.filter(mou=OuterRef("pk"))
                .order_by()
                .values("mou")
                .annotate(names=GroupConcat("cooperationarea__name"))
                .values("names"),
                output_field=CharField(),
            )
        )
        .order_by("partnership__title", "-effective_on", "pk")
        .values_list(
            "pk",
            "partnership_id",
            "partnership__title",
            "status",
            "effective_on",
            "expires_on",
            "signed_on",
            "ceremony_on",
            "ceremony_place",
            "areas_text",
            "termination_conditions",
            "terminated_on",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        yield (*r[:3], status(r[3]), *r[4:9], reference_names(r[9]), *r[10:])


def activity_rows(user, qs: QuerySet[Partnership], city_id=None) -> Iterator[tuple]:
    kind = _label(Activity.Kind.choices)
    rows = (
        Activity.objects.filter(partnership__in=qs.values("pk"))
        .order_by("-occurred_on", "-pk")
        .values_list(
            "pk",
            "partnership_id",
            "partnership__title",
            "occurred_on",
            "kind",
            "title",
            "participants",
            "description",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        yield (*r[:4], kind(r[4]), *r[5:])


# A review's KPI results travel as one text column of its row (no query per review): the
# fields of a result are joined by the unit separator, the results by the record separator
# (control characters, which forms refuse in names and units), and read back in Python.
_FIELD, _RECORD = "\x1f", "\x1e"


class _JoinedResults(GroupConcat):
    """GroupConcat with the record separator between the items and no ORDER BY (sorted in
    Python: an ORDER BY repeating the expression would need its parameters twice)."""

    template = "%(function)s(%(expressions)s, '\x1e')"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super(GroupConcat, self).as_sql(
            compiler, connection, function="GROUP_CONCAT", **extra_context
        )


def _kpi_results() -> Subquery:
    text = Concat(
        F("kpi__name"),
        Value(_FIELD),
        F("kpi__unit"),
        Value(_FIELD),
        Cast("kpi__baseline", TextField()),
        Value(_FIELD),
        Cast("kpi__target", TextField()),
        Value(_FIELD),
        Cast("actual", TextField()),
        Value(_FIELD),
        Cast("kpi__start_date", TextField()),
        Value(_FIELD),
        Coalesce(Cast("kpi__target_date", TextField()), Value(""), output_field=TextField()),
        output_field=TextField(),
    )
    return Subquery(
        KPIResult.objects.filter(review=OuterRef("pk"))
        .order_by()
        .values("review")
        .annotate(results=_JoinedResults(text))
        .values("results"),
        output_field=CharField(),
    )


def _amount(value: Decimal) -> str:
    return number(value.normalize() if value % 1 else int(value))


def _kpi_results_text(joined: str | None, period_end: dt.date) -> str:
    """ "Trade missions (visits): 3 of 2, on target; …", numbers in the reader's format; a KPI
    with a target date says what was due by the period's end (KPI.due_by) and its target."""
    if not joined:
        return ""
    items = []
    for record in joined.split(_RECORD):
        parts = record.rsplit(_FIELD, 6)
        if len(parts) != 7:
            continue
        name, unit, baseline, target, actual, start, target_date = parts
        kpi = KPI(
            baseline=Decimal(baseline),
            target=Decimal(target),
            start_date=dt.date.fromisoformat(start),
            target_date=dt.date.fromisoformat(target_date) if target_date else None,
        )
        actual = Decimal(actual)
        values = {
            "kpi": name,
            "unit": unit,
            "actual": _amount(actual),
            "target": _amount(kpi.target),
            "verdict": gettext("on target")
            if kpi.reached(actual, on=period_end)
            else gettext("off target"),
        }
        if kpi.target_date:
            text = gettext(
                "%(kpi)s (%(unit)s): %(actual)s of %(due)s due by the period's end (target "
                "%(target)s by %(date)s), %(verdict)s"
            ) % {**values, "due": _amount(kpi.due_by(period_end)), "date": day(kpi.target_date)}
        else:
            text = gettext("%(kpi)s (%(unit)s): %(actual)s of %(target)s, %(verdict)s") % values
        items.append((name, text))
    return "; ".join(text for _name, text in sorted(items))


FACTORS = tuple(SuccessFactorRating.Factor)


def _factor_ratings() -> dict[str, Subquery]:
    """One column per success factor: the review's rating of it (1–5), or empty."""
    return {
        f"factor_{factor.value}": Subquery(
            SuccessFactorRating.objects.filter(review=OuterRef("pk"), factor=factor).values(
                "rating"
            )[:1]
        )
        for factor in FACTORS
    }


def _factor_header(factor: SuccessFactorRating.Factor) -> Promise:
    return lazy(lambda: gettext("Rating: %(factor)s (1-5)") % {"factor": factor.label}, str)()


def review_rows(user, qs: QuerySet[Partnership], city_id=None) -> Iterator[tuple]:
    status = _label(Review.Status.choices)
    decision = _label(Review.Decision.choices)
    factors = _factor_ratings()
    rows = (
        Review.objects.filter(partnership__in=qs.values("pk"))
        .annotate(kpi_results_text=_kpi_results(), **factors)
        .order_by("partnership__title", "-period_end", "-pk")
        .values_list(
            "pk",
            "partnership_id",
            "partnership__title",
            "period_start",
            "period_end",
            "status",
            "completed_on",
            "effectiveness",
            "efficiency",
            "decision",
            "decision_reason",
            *Review.FAILURE_CAUSE_FIELDS,
            "narrative",
            "kpi_results_text",
            *factors,
        )
    )
    n = 11 + len(Review.FAILURE_CAUSE_FIELDS) + 1  # up to and with the narrative
    for r in rows.iterator(chunk_size=CHUNK):
        yield (
            *r[:5],
            status(r[5]),
            *r[6:9],
            decision(r[9]),
            *r[10:n],
            _kpi_results_text(r[n], r[4]),
            *r[n + 1 :],
        )


# This app's own datasets, registered on the hook by PartnershipsConfig.ready().
DATASETS = (
    Dataset(
        name="partnerships",
        label=_("Partnerships"),
        headers=(
            _("ID"),
            _("Title"),
            _("Home city"),
            _("Home country"),
            _("Partner cities"),
            _("Category"),
            _("Orientation"),
            _("Phase"),
            _("Step"),
            _("Status"),
            _("Areas"),
            _("Established on"),
            _("Next review on"),
            _("Relationship strength"),
            _("Published"),
        ),
        rows=partnership_rows,
        order=10,
    ),
    Dataset(
        name="mous",
        label=_("MOUs"),
        headers=(
            _("ID"),
            _("Partnership ID"),
            _("Partnership"),
            _("Status"),
            _("Effective on"),
            _("Expires on"),
            _("Signed on"),
            _("Ceremony on"),
            _("Ceremony place"),
            _("Areas"),
            _("Termination conditions"),
            _("Terminated on"),
        ),
        rows=mou_rows,
        order=20,
    ),
    Dataset(
        name="activities",
        label=_("Activities"),
        headers=(
            _("ID"),
            _("Partnership ID"),
            _("Partnership"),
            _("Occurred on"),
            _("Kind"),
            _("Title"),
            _("Participants"),
            _("Description"),
        ),
        rows=activity_rows,
        order=30,
    ),
    Dataset(
        name="reviews",
        label=_("Reviews"),
        headers=(
            _("ID"),
            _("Partnership ID"),
            _("Partnership"),
            _("Period start"),
            _("Period end"),
            _("Status"),
            _("Completed on"),
            _("Effectiveness (1-5)"),
            _("Efficiency (1-5)"),
            _("Decision"),
            _("Decision reason"),
            *(Review._meta.get_field(f).verbose_name for f in Review.FAILURE_CAUSE_FIELDS),
            _("Narrative"),
            _("KPI results"),
            *(_factor_header(factor) for factor in SuccessFactorRating.Factor),
        ),
        rows=review_rows,
        order=40,
    ),
)
