"""This app's rows in the core's reports, exports and dossier, through the core's hooks.

The partnerships app never imports this one; `BusinessesConfig.ready()` registers on the
core's hooks:

- `exports.datasets`: businesses, interest registrations and outcomes (DATASETS);
- `reports.outcomes`: outcome totals per partnership for the report (`outcome_totals`);
- `dossier.sections`: the sub-alliances and their outcomes in the dossier (`dossier_section`).

Rows follow the portal's permissions: businesses as `businesses_visible_to` (the user's cities',
or their chamber's); interest registrations of the user's portfolio (officers) or of their
chamber (chamber staff); outcomes of the sub-alliances of the user's portfolio.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alliances.models import Organisation, SubAlliance
from businesses import permissions as perms
from businesses.models import (
    BusinessProfile,
    InterestedBusiness,
    InterestRegistration,
    Outcome,
)
from partnerships import exports
from partnerships import permissions as core
from partnerships.selectors import GroupConcat

CHUNK = exports.CHUNK


def _label(choices):
    labels = {value: str(label) for value, label in choices}
    return lambda value: labels.get(value, value or "")


class _Headers(tuple):
    """Column headers marked for translation: read (as plain text) in the active language."""

    def __iter__(self):
        return (str(h) for h in super().__iter__())


# --- Businesses -------------------------------------------------------------------------------


def business_rows(user, qs: QuerySet, city_id=None) -> Iterator[tuple]:
    size = _label(BusinessProfile.SizeBand.choices)
    readiness = _label(BusinessProfile.ExportReadiness.choices)
    rows = BusinessProfile.objects.all()
    if not core.is_admin(user):
        rows = rows.filter(
            Q(association_id__in=perms.association_ids(user))
            | Q(organisation__partner_id__in=core.city_ids(user))
        )
    if city_id is not None:
        rows = rows.filter(organisation__partner_id=city_id)
    through = Organisation.sectors.through
    rows = (
        rows.annotate(
            sector_codes=Subquery(
                through.objects.filter(organisation=OuterRef("organisation_id"))
                .order_by()
                .values("organisation")
                .annotate(codes=GroupConcat("sector__code"))
                .values("codes"),
                output_field=CharField(),
            )
        )
        .order_by("organisation__name", "pk")
        .values_list(
            "pk",
            "organisation__name",
            "organisation__partner__name",
            "organisation__partner__country",
            "association__organisation__name",
            "size_band",
            "export_readiness",
            "sector_codes",
            "products_services",
            "contact_name",
            "contact_email",
            "organisation__website",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        yield (*r[:5], size(r[5]), readiness(r[6]), r[7] or "", *r[8:])


# --- Interest registrations --------------------------------------------------------------------


def registration_rows(user, qs: QuerySet, city_id=None) -> Iterator[tuple]:
    status = _label(InterestRegistration.Status.choices)
    timeframe = _label(InterestRegistration.Timeframe.choices)
    rows = InterestRegistration.objects.filter(partnership__in=qs.values("pk"))
    if city_id is None and not core.is_admin(user) and perms.association_ids(user):
        rows = InterestRegistration.objects.filter(
            Q(partnership__in=qs.values("pk")) | Q(association_id__in=perms.association_ids(user))
        )
    rows = (
        rows.annotate(
            business_names=Subquery(
                InterestedBusiness.objects.filter(registration=OuterRef("pk"))
                .order_by()
                .values("registration")
                .annotate(names=GroupConcat("business__organisation__name"))
                .values("names"),
                output_field=CharField(),
            )
        )
        .order_by("-created_at", "-pk")
        .values_list(
            "pk",
            "partnership_id",
            "partnership__title",
            "association__organisation__name",
            "business_names",
            "status",
            "timeframe",
            "objectives",
            "offers",
            "seeks",
            "officer_message",
            "created_at",
            "decided_at",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        yield (*r[:4], r[4] or "", status(r[5]), timeframe(r[6]), *r[7:])


# --- Outcomes ----------------------------------------------------------------------------------


def outcome_rows(user, qs: QuerySet, city_id=None) -> Iterator[tuple]:
    kind = _label(Outcome.Kind.choices)
    rows = (
        Outcome.objects.filter(sub_alliance__partnership__in=qs.values("pk"))
        .order_by("sub_alliance__partnership__title", "-occurred_on", "-pk")
        .values_list(
            "pk",
            "sub_alliance__partnership_id",
            "sub_alliance__partnership__title",
            "sub_alliance__name",
            "kind",
            "amount",
            "currency",
            "occurred_on",
            "partner__name",
            "note",
        )
    )
    for r in rows.iterator(chunk_size=CHUNK):
        yield (*r[:4], kind(r[4]), *r[5:8], r[8] or "", r[9])


def outcome_totals(partnership_ids: QuerySet) -> list[dict]:
    """For the report: outcome totals per partnership, kind and currency. One query."""
    rows = (
        Outcome.objects.filter(sub_alliance__partnership__in=partnership_ids)
        .order_by()
        .values("sub_alliance__partnership_id", "kind", "currency")
        .annotate(total=Sum("amount"))
    )
    return [
        {
            "partnership_id": r["sub_alliance__partnership_id"],
            "kind": r["kind"],
            "currency": r["currency"],
            "total": r["total"],
        }
        for r in rows
    ]


# --- The dossier ---------------------------------------------------------------------------------


def dossier_section(partnership) -> dict | None:
    """Sub-alliances (form, grouping, strength, status) and the partnership's outcome totals.
    Two queries."""
    subs = list(
        SubAlliance.objects.filter(partnership=partnership)
        .annotate(n_parties=Count("parties", distinct=True))
        .order_by("status", "name")
    )
    totals = (
        Outcome.objects.filter(sub_alliance__partnership=partnership)
        .order_by()
        .values("kind", "currency")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by("kind", "currency")
    )
    kind = _label(Outcome.Kind.choices)
    return {
        "title": gettext("Sub-alliances and outcomes"),
        "tables": [
            {
                "caption": gettext("Sub-alliances"),
                "empty": gettext("No sub-alliances yet."),
                "headers": [
                    gettext("Name"),
                    gettext("Grouping"),
                    gettext("Form"),
                    gettext("Strength (0–10)"),
                    gettext("Status"),
                    gettext("Parties"),
                ],
                "rows": [
                    [
                        s.name,
                        s.get_grouping_display(),
                        s.get_form_display(),
                        s.strength,
                        s.get_status_display(),
                        s.n_parties,
                    ]
                    for s in subs
                ],
            },
            {
                "caption": gettext("Outcomes (totals)"),
                "empty": gettext("No outcomes recorded yet."),
                "headers": [gettext("Outcome"), gettext("Total"), gettext("Records")],
                "rows": [
                    [
                        kind(t["kind"]),
                        gettext("%(amount)s %(currency)s")
                        % {
                            "amount": number_format(t["total"], 2, force_grouping=True),
                            "currency": t["currency"],
                        }
                        if t["currency"]
                        else number_format(t["total"], 0, force_grouping=True),
                        t["n"],
                    ]
                    for t in totals
                ],
            },
        ],
    }


DATASETS = [
    exports.Dataset(
        name="businesses",
        label=_("Businesses"),
        headers=_Headers(
            (
                _("ID"),
                _("Name"),
                _("City"),
                _("Country"),
                _("Association"),
                _("Size"),
                _("Export readiness"),
                _("Sectors"),
                _("Products and services"),
                _("Contact name"),
                _("Contact email"),
                _("Website"),
            )
        ),
        rows=business_rows,
        order=50,
    ),
    exports.Dataset(
        name="interest",
        label=_("Interest registrations"),
        headers=_Headers(
            (
                _("ID"),
                _("Partnership ID"),
                _("Partnership"),
                _("Association"),
                _("Businesses"),
                _("Status"),
                _("Timeframe"),
                _("Objectives"),
                _("Offers"),
                _("Seeks"),
                _("Officers' message"),
                _("Registered at (UTC)"),
                _("Decided at (UTC)"),
            )
        ),
        rows=registration_rows,
        order=60,
    ),
    exports.Dataset(
        name="outcomes",
        label=_("Outcomes"),
        headers=_Headers(
            (
                _("ID"),
                _("Partnership ID"),
                _("Partnership"),
                _("Sub-alliance"),
                _("Kind"),
                _("Amount"),
                _("Currency"),
                _("Occurred on"),
                _("City"),
                _("Note"),
            )
        ),
        rows=outcome_rows,
        order=70,
    ),
]
