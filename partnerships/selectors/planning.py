"""Reads of steps 5-6: the agreement panel's MOUs with their signatories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    CharField,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext

from core.formatting import day
from core.querysets import compiled_once
from partnerships.models import (
    MOU,
    Partnership,
)
from partnerships.selectors.common import GroupConcat


@dataclass
class MouRow:
    """An MOU and its signatories, read in one query (a join) for the agreement panel."""

    pk: int
    status: str
    effective_on: dt.date | None
    expires_on: dt.date | None
    signed_on: dt.date | None
    ceremony_on: dt.date | None
    ceremony_place: str
    termination_conditions: str
    has_document: bool
    area_names: str | None
    signatories: list[dict] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        # A signed MOU that takes effect later says so: signed is not yet in force.
        if self.status == MOU.Status.SIGNED and self.not_yet_in_effect:
            return gettext("Signed, in effect from %(date)s") % {"date": day(self.effective_on)}
        return MOU.Status(self.status).label

    @property
    def not_yet_in_effect(self) -> bool:
        return self.effective_on is not None and self.effective_on > timezone.localdate()


@compiled_once(maxsize=1, as_dicts=True)
def _mou_rows(pk: int) -> QuerySet:
    """The MOUs of the partnership `pk`, a row per signatory (compiled once)."""
    through = MOU.areas.through
    return (
        MOU.objects.filter(partnership_id=pk)
        .annotate(
            mou_area_names=Subquery(
                through.objects.filter(mou=OuterRef("pk"))
                .order_by()
                .values("mou")
                .annotate(names=GroupConcat("cooperationarea__name"))
                .values("names"),
                output_field=CharField(),
            )
        )
        .order_by("-effective_on", "-id", "signatories__partner__name", "signatories__id")
        .values(
            "pk",
            "status",
            "effective_on",
            "expires_on",
            "signed_on",
            "ceremony_on",
            "ceremony_place",
            "termination_conditions",
            "document",
            "mou_area_names",
            "signatories__name",
            "signatories__title",
            "signatories__partner__name",
        )
    )


def mous_for_page(partnership: Partnership) -> list[MouRow]:
    mous: dict[int, MouRow] = {}
    for row in _mou_rows(partnership.pk):
        mou = mous.get(row["pk"])
        if mou is None:
            mou = mous[row["pk"]] = MouRow(
                pk=row["pk"],
                status=row["status"],
                effective_on=row["effective_on"],
                expires_on=row["expires_on"],
                signed_on=row["signed_on"],
                ceremony_on=row["ceremony_on"],
                ceremony_place=row["ceremony_place"],
                termination_conditions=row["termination_conditions"],
                has_document=bool(row["document"]),
                area_names=row["mou_area_names"],
            )
        if row["signatories__name"]:
            mou.signatories.append(
                {
                    "name": row["signatories__name"],
                    "title": row["signatories__title"],
                    "city": row["signatories__partner__name"],
                }
            )
    return list(mous.values())
