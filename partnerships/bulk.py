"""Bulk actions on the partnership list: the registry, this app's own actions, and the run.

An action is a `BulkAction` on the hook `partnerships.bulk_actions` (core.hooks): this app's
(export, change the review cadence, pause) are registered by `PartnershipsConfig.ready()`,
outer apps add theirs from their own `ready()` (notifications: follow). An action either
applies to ONE partnership at a time (`apply`), through a service that re-checks who may do
it, or answers one file for all the selected rows (`download`: the export).

`run` applies an action row by row, each row in its own transaction: a refused row (a
DomainError or a ValidationError) is rolled back alone and never undoes another. The report
it returns holds plain strings only (it is kept in the session for the report page); a
selected id the person may not see is reported as "not found or not visible", never with a
title.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import hooks
from core.errors import DomainError, flatten
from partnerships import exports, permissions, selectors, services
from partnerships.forms.bulk import BulkForm, CadenceForm, PauseForm
from partnerships.models import Partnership, PartnershipMember

# The most partnerships one bulk action takes (four pages of the list).
MAX_SELECTED = 200


@dataclass(frozen=True)
class BulkAction:
    """An action on several partnerships of the list.

    `apply(partnership, user, data) -> str` does it to one partnership (`data`: the form's
    cleaned data, {} without a form) and says in a few words what was done, or raises
    DomainError (its message and `missing` are the report's why). `download(user, qs)`
    instead answers one file for the selected partnerships the person may see. `needs_edit`:
    a row the person may only see is refused before `apply` is called (the services check it
    again); otherwise seeing it is enough (follow, export)."""

    code: str
    label: str | Promise  # lazily translated: read it with str()
    apply: Callable[..., str] | None = None
    form: type[BulkForm] | None = None
    needs_edit: bool = True
    download: Callable[..., HttpResponse] | None = None
    order: int = 100

    def __post_init__(self) -> None:
        if (self.apply is None) == (self.download is None):
            raise ValueError(f"Bulk action {self.code!r}: give either apply or download.")


def actions() -> list[BulkAction]:
    return sorted(hooks.providers("partnerships.bulk_actions"), key=lambda a: (a.order, a.code))


def action_for(code: str) -> BulkAction | None:
    return next((a for a in actions() if a.code == code), None)


def selected(user, ids: Iterable[int]) -> dict[int, Partnership]:
    """The selected partnerships the person may see, by id, with their members (the edit
    check reads them): two queries whatever the number."""
    qs = selectors.partnerships_visible_to(user).filter(pk__in=list(ids))
    members = Prefetch(
        "members", queryset=PartnershipMember.objects.only("pk", "partnership", "partner")
    )
    return {p.pk: p for p in qs.prefetch_related(members)}


# --- The run ---------------------------------------------------------------------------------


def not_visible_entry(pk: int) -> dict:
    return {
        "id": pk,
        "title": "",
        "message": gettext("Not found, or not visible to you."),
        "reasons": [],
    }


def run(chosen: BulkAction, user, ids: list[int], found: dict[int, Partnership], data) -> dict:
    """Apply `chosen` to each id in turn; the report: `done` [{id, title, text}] and
    `refused` [{id, title, message, reasons}], in the order of the ids."""
    done, refused = [], []
    for pk in ids:
        partnership = found.get(pk)
        if partnership is None:
            refused.append(not_visible_entry(pk))
            continue
        entry = {"id": pk, "title": partnership.title}
        if chosen.needs_edit and not permissions.can_edit_partnership(user, partnership):
            refused.append(
                {**entry, "message": gettext("You may not change this partnership."), "reasons": []}
            )
            continue
        try:
            with transaction.atomic():
                text = chosen.apply(partnership, user, data)
        except DomainError as exc:
            refused.append(
                {**entry, "message": str(exc.message), "reasons": [str(m) for m in exc.missing]}
            )
        except ValidationError as exc:
            message = gettext("The change was refused.")
            refused.append({**entry, "message": message, "reasons": flatten(exc)})
        else:
            done.append({**entry, "text": str(text)})
    return {"action": str(chosen.label), "done": done, "refused": refused}


# --- This app's actions ----------------------------------------------------------------------


def export_selected(user, qs: QuerySet[Partnership]) -> HttpResponse:
    """The selected partnerships as the CSV of the portfolio export's "partnerships" dataset
    (same columns); `qs` holds only those the person may see."""
    dataset = exports.dataset("partnerships")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return exports.csv_response(dataset, dataset.rows(user, qs), f"partnerships-selected-{stamp}")


def change_cadence(partnership: Partnership, user, data: dict) -> str:
    """Through the edit's own service: as on the edit form, the next review date stays as it
    is (it is planned by hand, or by the next review's completion)."""
    cadence = Partnership.Cadence(data["cadence"])
    before = partnership.review_cadence_months
    if before == cadence:
        return gettext("Already reviewed “%(cadence)s”: unchanged.") % {"cadence": cadence.label}
    services.partnership_update(
        partnership=partnership, user=user, review_cadence_months=cadence.value
    )
    labels = dict(Partnership.Cadence.choices)
    return gettext("Review cadence: “%(before)s” → “%(after)s”.") % {
        "before": labels.get(before, before),
        "after": cadence.label,
    }


def pause(partnership: Partnership, user, data: dict) -> str:
    services.partnership_pause(partnership=partnership, user=user, reason=data["reason"])
    return gettext("Paused.")


ACTIONS = (
    BulkAction(
        code="export",
        label=_("Export as CSV"),
        download=export_selected,
        needs_edit=False,
        order=10,
    ),
    BulkAction(
        code="cadence",
        label=_("Change the review cadence"),
        apply=change_cadence,
        form=CadenceForm,
        order=40,
    ),
    BulkAction(code="pause", label=_("Pause"), apply=pause, form=PauseForm, order=50),
)
