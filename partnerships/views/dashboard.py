"""The officer's dashboard: their partnerships by step, what falls due, and warning signs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET

from core import hooks
from core.page_cache import cached_page
from partnerships import permissions
from partnerships.forms.board import BoardFilterForm
from partnerships.selectors.dashboard import dashboard_context


@login_required
@require_GET
@cached_page(portfolio=True)  # its cities' partnerships only; a redirect is never stored
def dashboard(request):
    """The officers' dashboard; people whose work is elsewhere (chamber staff) are sent to
    their own home page, which an outer app names through the hook `dashboard.home`."""
    user = request.user
    if not (permissions.is_admin(user) or permissions.is_officer(user)):
        for home in hooks.collect("dashboard.home", user):
            return redirect(home)
    # The board's filters are GET parameters: part of the page cache's key (the full URL).
    form = BoardFilterForm(request.GET, user=user)
    filters, notes = form.filters()
    context = dashboard_context(user, filters)
    context["can_create"] = permissions.is_admin(user) or permissions.is_officer(user)
    context.update(board_form=form, board_notes=notes, board_url=request.get_full_path())
    return render(request, "partnerships/dashboard.html", context)


urlpatterns = [path("", dashboard, name="dashboard")]
