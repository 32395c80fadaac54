"""Saved views of the partnership list: save, delete, choose one's default."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from core.errors import DomainError
from partnerships import permissions
from partnerships.models import DefaultView, Partner, SavedView
from partnerships.selectors.saved_views import view_for


@transaction.atomic
def saved_view_save(*, user, name: str, query: str, shared_with: Partner | None = None):
    """Save the list's filters under `name` (replacing one's own view of that name), for
    oneself or shared with a city one works for."""
    if shared_with is not None and shared_with.pk not in permissions.city_ids(user):
        message = gettext("You can share a view only with your cities.")
        raise ValidationError({"shared_with": message})
    view = SavedView.objects.filter(owner=user, name=name.strip()).first() or SavedView(owner=user)
    view.name, view.query, view.shared_with = name.strip(), query, shared_with
    view.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:  # saved under the same name at the same moment
        raise ValidationError({"name": gettext("You already have a view of that name.")}) from None
    return view


@transaction.atomic
def saved_view_delete(*, user, view: SavedView) -> None:
    if view.owner_id != user.pk:
        raise DomainError(gettext("Only the person who saved a view can delete it."))
    view.delete()


@transaction.atomic
def default_view_set(*, user, view_id) -> SavedView | None:
    """Make the view the person's default (None: the list opens unfiltered)."""
    if view_id in (None, ""):
        DefaultView.objects.filter(user=user).delete()
        return None
    view = view_for(user, view_id)
    if view is None:
        raise DomainError(gettext("That view does not exist or is not shared with you."))
    DefaultView.objects.update_or_create(user=user, defaults={"view": view})
    return view
