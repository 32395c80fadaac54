"""Write helpers every app's services use: the one update of a row, and the one row lock."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def model_update(
    instance: M,
    fields: dict,
    *,
    user=None,
    reason: str = "",
    also: Iterable[str] = (),
    exclude: Iterable[str] | None = None,
) -> M:
    """Set `fields` on `instance`, validate it (`full_clean`) and save only what changed.

    `also` names columns to save beside them (a derived value the caller set); `updated_at`
    is saved when the model has one. `user` and `reason` go to the row's history
    (django-simple-history) when it keeps one. Raises ValidationError and saves nothing when a
    value is refused."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean(exclude=list(exclude) if exclude is not None else None)
    if user is not None:
        instance._history_user = user
    if reason:
        instance._change_reason = reason
    columns = {*fields, *also}
    if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
        columns.add("updated_at")
    instance.save(update_fields=sorted(columns))
    return instance


def lock(model: type[M], pk, *, related: Iterable[str] = ()) -> M:
    """The row `pk` of `model`, read afresh FOR UPDATE: writers of the same row queue behind
    it, and a check made on it holds until the transaction ends. Call it inside one.
    `related` names relations read with it (`lock(Candidate, pk, related=["partner"])`)."""
    qs = model.objects.select_for_update()
    if related:
        qs = qs.select_related(*related)
    return qs.get(pk=pk)
