"""Saved views of the partnership list: save the list's filters under a name, delete one's own,
choose one's default. The list itself applies them (views/partnerships.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.views import report_refusal, require
from partnerships import services
from partnerships.filters import PartnershipFilter
from partnerships.forms.saved_views import SavedViewForm
from partnerships.selectors.saved_views import query_of, view_for


def _list(query: str = "", view=None) -> str:
    url = reverse("partnerships:list")
    if view is not None:
        return f"{url}?view={view.pk}"
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def saved_view_save(request):
    form = SavedViewForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_list(query_of(QueryDict(request.POST.get("query", "")))))
    query = query_of(QueryDict(form.cleaned_data["query"]))
    if not PartnershipFilter(QueryDict(query), request=request).is_valid():
        messages.error(request, _("These filters have a mistake: correct them before saving."))
        return redirect(_list(query))
    try:
        view = services.saved_view_save(
            user=request.user,
            name=form.cleaned_data["name"],
            query=query,
            shared_with=form.cleaned_data["shared_with"],
        )
    except ValidationError as exc:
        report_refusal(request, exc)
        return redirect(_list(query))
    messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
    return redirect(_list(view=view))


@login_required
@require_POST
def saved_view_delete(request, view_id: int):
    view = view_for(request.user, view_id)
    require(view is not None)
    try:
        services.saved_view_delete(user=request.user, view=view)
    except DomainError as exc:
        report_refusal(request, exc)
        return redirect(_list(view=view))
    messages.success(request, _("The view “%(name)s” is deleted.") % {"name": view.name})
    return redirect(_list("view="))


@login_required
@require_POST
def saved_view_default(request):
    """The view the list opens with; an empty choice: the list opens unfiltered."""
    try:
        view = services.default_view_set(user=request.user, view_id=request.POST.get("view"))
    except DomainError as exc:
        report_refusal(request, exc)
        return redirect(_list("view="))
    if view is None:
        messages.success(request, _("The list now opens with no filter."))
        return redirect(_list("view="))
    messages.success(request, _("The list now opens with “%(name)s”.") % {"name": view.name})
    return redirect(_list(view=view))


urlpatterns = [
    path("partnerships/views/save/", saved_view_save, name="saved_view_save"),
    path("partnerships/views/default/", saved_view_default, name="saved_view_default"),
    path("partnerships/views/<id:view_id>/delete/", saved_view_delete, name="saved_view_delete"),
]
