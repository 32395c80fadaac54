"""The portfolio report (tables, charts, partners map), CSV/Excel exports, the import of partner
cities, and the partnership dossier (PDF).

Routes: `reports` (the portfolio report), `export` (one dataset, `?format=csv|xlsx&city=<id>`),
`cities_import` (coordinators and admins), `dossier` (PDF of one partnership).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError
from core.views import not_a_page, require
from partnerships import dossier, exports, permissions, reports, selectors, services
from partnerships.forms.reports import (
    IMPORT_COLUMNS,
    CitiesImportForm,
    ExportForm,
    PartnerRowForm,
    PortfolioForm,
)
from partnerships.models import Sector


def _selected_city(request, cities: list[tuple[int, str]]) -> tuple[PortfolioForm, int | None]:
    """The city whose portfolio is shown: the one asked for (if it is the user's), else the
    user's first city; admins default to all cities."""
    is_admin = permissions.is_admin(request.user)
    form = PortfolioForm(request.GET or None, cities=cities, allow_all=is_admin)
    city_id = None
    if form.is_bound and form.is_valid():
        city_id = form.cleaned_data["city"]
    elif form.is_bound:
        raise Http404("Not one of your cities.")
    if city_id is None and not is_admin:
        city_id = cities[0][0]
        form = PortfolioForm(initial={"city": city_id}, cities=cities, allow_all=False)
    return form, city_id


@login_required
@require_GET
def report(request):
    """The portfolio report of one of the user's cities (admins: all cities, or any one)."""
    cities = reports.report_cities(request.user)
    if not cities and not permissions.is_admin(request.user):
        # No city, so no portfolio (chamber staff): the page offers their exports only.
        return render(
            request,
            "partnerships/reports/report.html",
            {"no_portfolio": True, "datasets": exports.datasets(), "city_name": _("No city")},
        )
    form, city_id = _selected_city(request, cities)
    qs = reports.portfolio(request.user, city_id)
    data = reports.portfolio_report(qs, city_id)
    city_name = dict(cities).get(city_id, _("All cities")) if city_id else _("All cities")
    return render(
        request,
        "partnerships/reports/report.html",
        {
            "form": form,
            "city_id": city_id,
            "city_name": city_name,
            "report": data,
            "chart_data": reports.chart_data(data),
            "map": data["map"],
            "datasets": exports.datasets(),
            "may_import": services.may_import_partner_cities(request.user),
        },
    )


@not_a_page
@login_required
@require_GET
def export(request, dataset: str):
    """One dataset of the user's portfolio as CSV (streamed) or xlsx."""
    found = exports.dataset(dataset)
    require(found is not None)
    form = ExportForm(request.GET)
    require(form.is_valid())
    city_id = form.cleaned_data["city"]
    qs = reports.portfolio(request.user, city_id)
    rows = found.rows(request.user, qs, city_id)
    filename = slugify(f"{found.label} {city_id or 'all'}")
    if form.cleaned_data["format"] == "xlsx":
        return exports.xlsx_response(found, rows, filename)
    return exports.csv_response(found, rows, filename)


@login_required
@require_http_methods(["GET", "POST"])
def cities_import(request):
    """Upload a CSV of partner cities; report per row what was created, updated or refused."""
    require(services.may_import_partner_cities(request.user))
    # An empty POST is bound too: it shows "This field is required." rather than a blank form.
    posted = request.method == "POST"
    form = CitiesImportForm(request.POST if posted else None, request.FILES if posted else None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = import_rows(request.user, form.cleaned_data["file"])
        counts = {k: sum(1 for r in results if r["outcome"] == k) for k in _OUTCOMES}
        messages.success(
            request,
            _(
                "Import finished: %(created)s created, %(updated)s updated, %(unchanged)s "
                "unchanged, %(refused)s refused."
            )
            % counts,
        )
    return render(
        request,
        "partnerships/reports/import.html",
        {"form": form, "results": results, "columns": IMPORT_COLUMNS},
    )


_OUTCOMES = ("created", "updated", "unchanged", "refused")


def import_rows(user, rows: list[dict]) -> list[dict]:
    """Each row checked by `PartnerRowForm` then written by `services.partner_city_upsert` in
    its own transaction: a refused row is reported with its reasons, never dropped silently."""
    sector_ids = {code.upper(): pk for code, pk in Sector.objects.values_list("code", "pk")}
    seen: dict[tuple, int] = {}
    results = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        row_form = PartnerRowForm(row, sector_ids=sector_ids)
        result = {"line": number, "name": (row.get("name") or "").strip(), "errors": []}
        results.append(result)
        if not row_form.is_valid():
            result["outcome"] = "refused"
            for field, errors in row_form.errors.items():
                prefix = "" if field == "__all__" else f"{field}: "
                result["errors"].extend(prefix + e for e in errors)
            continue
        data = row_form.cleaned_data
        key = (data["name"].lower(), data["province"].lower(), data["country"])
        if key in seen:
            result["outcome"] = "refused"
            result["errors"].append(_("The same city as line %(line)s.") % {"line": seen[key]})
            continue
        seen[key] = number
        try:
            outcome, partner = services.partner_city_upsert(
                user=user,
                name=data["name"],
                province=data["province"],
                country=data["country"],
                sector_ids=data["sectors"],
                kind=data["kind"] if row.get("kind", "").strip() else None,
                population=data["population"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                global_region=data["north_south"] if row.get("north_south", "").strip() else None,
                website=data["website"],
            )
        except DomainError as exc:
            result["outcome"] = "refused"
            result["errors"].append(exc.message)
        except ValidationError as exc:
            result["outcome"] = "refused"
            result["errors"].extend(exc.messages)
        else:
            result["outcome"] = outcome
            result["partner_id"] = partner.pk
    return results


@not_a_page
@login_required
@require_GET
def dossier_pdf(request, pk: int):
    """The partnership's dossier as a PDF, for anyone who may open the partnership."""
    visible = selectors.partnerships_visible_to(request.user)
    partnership = get_object_or_404(dossier.dossier_queryset(visible), pk=pk)
    if request.GET.get("format") == "html":
        return HttpResponse(dossier.render_html(partnership, request))
    pdf = dossier.render_pdf(partnership, request)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = slugify(f"dossier {partnership.title}")[:80] or f"dossier-{partnership.pk}"
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


urlpatterns = [
    path("reports/", report, name="reports"),
    path("reports/export/<slug:dataset>/", export, name="export"),
    path("reports/import/cities/", cities_import, name="cities_import"),
    path("partnerships/<id:pk>/dossier/", dossier_pdf, name="dossier"),
]
