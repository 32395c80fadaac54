"""The search page (/search/?q=) and, for htmx, the drop-down of the box in the navigation bar:
the same results, the page in full, the drop-down as a list box the keyboard walks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from core import search


@login_required
@require_GET
def search_page(request):
    """Open to anyone with a role (core.access sends an account without one to its status
    page); every provider shows only what the person may see."""
    query = search.Query.parse(request.GET.get("q"))
    groups = search.search(request.user, query)
    context = {"query": query, "groups": groups}
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "core/_search_options.html", context)
    else:
        response = render(request, "core/search.html", context)
    # One address, two answers: a cache must never give the drop-down for the page.
    patch_vary_headers(response, ["HX-Request"])
    return response


app_name = "core"
urlpatterns = [path("search/", search_page, name="search")]
