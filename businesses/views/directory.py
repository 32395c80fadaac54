"""Member businesses: the list, a business's page, adding and editing one, and the CSV import
(with its per-row report and a template to download).

Managed by their association's approved staff (and admins); officers see the businesses of
their cities (and, through matchmaking, of their partner cities) read-only.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from businesses import imports, selectors, services
from businesses import permissions as perms
from businesses.forms import BusinessFilterForm, BusinessForm, ImportForm
from businesses.models import BusinessProfile, InterestRegistration
from businesses.views.common import managed_associations, require_association_manager
from core.errors import DomainError
from core.views import apply_errors, paginate, posted, require
from partnerships import permissions as core
from partnerships.models import Sector

REPORT_KEY = "businesses.import_report"


@login_required
@require_GET
def business_list(request):
    user = request.user
    managed = managed_associations(user)
    require(managed is not None or core.is_officer(user))
    filters = BusinessFilterForm(request.GET or None)
    rows = filters.filter(selectors.businesses_visible_to(user))
    return render(
        request,
        "businesses/directory/business_list.html",
        {
            "filters": filters,
            "can_manage": managed is not None,
            **paginate(request, rows),
        },
    )


def _business_for_page(business_id: int) -> BusinessProfile:
    return get_object_or_404(
        BusinessProfile.objects.select_related(
            "organisation__partner", "association__organisation", "created_by"
        ).prefetch_related(
            Prefetch("organisation__sectors", queryset=Sector.objects.order_by("code")),
            "seeks",
            "offers",
        ),
        pk=business_id,
    )


@login_required
@require_GET
def business_detail(request, business_id: int):
    business = _business_for_page(business_id)
    require(perms.can_see_business(request.user, business))
    can_manage = perms.can_manage_business(request.user, business)
    registrations = []
    if can_manage:
        registrations = list(
            InterestRegistration.objects.filter(entries__business=business)
            .select_related("partnership")
            .order_by("-created_at", "-id")[:50]
        )
    return render(
        request,
        "businesses/directory/business_detail.html",
        {"business": business, "can_manage": can_manage, "registrations": registrations},
    )


@login_required
@require_http_methods(["GET", "POST"])
def business_create(request):
    associations = require_association_manager(request.user)
    form = BusinessForm(posted(request), associations=associations)
    if request.method == "POST" and form.is_valid():
        try:
            business = services.business_create(
                association=form.association(), user=request.user, **form.values()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("%(business)s is added to your members.") % {"business": business.name}
            )
            return redirect("businesses:business_detail", business_id=business.pk)
    return render(
        request,
        "businesses/directory/business_form.html",
        {
            "form": form,
            "heading": _("Add a member business"),
            "submit": _("Add business"),
            "cancel": reverse("businesses:business_list"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def business_edit(request, business_id: int):
    business = _business_for_page(business_id)
    require(perms.can_manage_business(request.user, business))
    form = BusinessForm(posted(request), initial=BusinessForm.initial_for(business))
    if request.method == "POST" and form.is_valid():
        try:
            services.business_update(business=business, user=request.user, **form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": form.cleaned_data["name"]})
            return redirect("businesses:business_detail", business_id=business.pk)
    return render(
        request,
        "businesses/directory/business_form.html",
        {
            "form": form,
            "business": business,
            "heading": _("Edit %(business)s") % {"business": business.name},
            "submit": _("Save"),
            "cancel": reverse("businesses:business_detail", args=[business.pk]),
        },
    )


# --- The CSV import ------------------------------------------------------------------------------


def _stored_report(association, report: imports.ImportReport) -> dict:
    """What the report page shows, small enough for the session (POST/redirect/GET)."""
    return {
        "association": association.name,
        "summary": report.summary or _("The file has no rows."),
        "warnings": list(report.warnings),
        "created": report.count(imports.RowStatus.CREATED),
        "rows": [
            [row.line, row.name, str(row.status), row.message, row.business_id]
            for row in report.rows
        ],
    }


STATUS_LABELS = {
    imports.RowStatus.CREATED: (gettext_lazy("Created"), "success"),
    imports.RowStatus.EXISTS: (gettext_lazy("Already registered"), "secondary"),
    imports.RowStatus.DUPLICATE: (gettext_lazy("Repeated in the file"), "warning"),
    imports.RowStatus.REFUSED: (gettext_lazy("Refused"), "danger"),
    imports.RowStatus.SKIPPED: (gettext_lazy("Empty line"), "light"),
}


def _report_rows(report: dict) -> list[dict]:
    rows = []
    for line, name, status, message, business_id in report["rows"]:
        label, colour = STATUS_LABELS.get(status, (status, "secondary"))
        rows.append(
            {
                "line": line,
                "name": name,
                "status": status,
                "label": label,
                "colour": colour,
                "message": message,
                "business_id": business_id,
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def business_import(request):
    associations = require_association_manager(request.user)
    form = ImportForm(posted(request), posted(request, files=True), associations=associations)
    if request.method == "POST" and form.is_valid():
        association = form.association()
        try:
            report = services.businesses_import_csv(
                file=form.cleaned_data["file"], association=association, user=request.user
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            request.session[REPORT_KEY] = _stored_report(association, report)
            level = messages.success if not report.not_imported else messages.warning
            level(
                request,
                _("Import into %(association)s: %(summary)s.")
                % {"association": association.name, "summary": report.summary or _("no rows")},
            )
            return redirect("businesses:business_import")
    report = request.session.pop(REPORT_KEY, None) if request.method == "GET" else None
    rows = _report_rows(report) if report else []
    return render(
        request,
        "businesses/directory/business_import.html",
        {
            "form": form,
            "report": report,
            "problems": [r for r in rows if r["status"] != imports.RowStatus.CREATED],
            "created": [r for r in rows if r["status"] == imports.RowStatus.CREATED],
            "required_columns": imports.REQUIRED_COLUMNS,
            "optional_columns": imports.OPTIONAL_COLUMNS,
        },
    )


TEMPLATE_ROWS = [
    {
        "name": "Amathole Citrus Packers",
        "sectors": "A;C",
        "size_band": "medium",
        "products_services": "Packed citrus and juice concentrate",
        "products_sought": "Cartons, cold-chain logistics",
        "chain_position": "processing",
        "markets_sought": "SE;DE;GB",
        "export_readiness": "ready",
        "seeks": "buyers",
        "offers": "suppliers",
        "contact_name": "Lerato Mokoena",
        "contact_email": "lerato@example.org",
        "contact_phone": "+27 43 555 0101",
        "website": "https://citrus.example.org",
        "description": "Family-owned packhouse near East London.",
    },
    {
        "name": "Quigney Software Studio",
        "sectors": "J",
        "size_band": "small",
        "products_services": "Logistics tracking software",
        "products_sought": "Cloud hosting",
        "chain_position": "services",
        "markets_sought": "Sweden",
        "export_readiness": "exploring",
        "seeks": "investment;technology",
        "offers": "technology",
    },
]


@login_required
@require_GET
def business_import_template(request):
    """A CSV file with the header row and two example rows (UTF-8 with a BOM, which the import
    accepts and which spreadsheet programs need to read accents)."""
    require_association_manager(request.user)
    buffer = io.StringIO()
    columns = [*imports.REQUIRED_COLUMNS, *imports.OPTIONAL_COLUMNS]
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in TEMPLATE_ROWS:
        writer.writerow(row)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="member-businesses-template.csv"'
    return response


urlpatterns = [
    path("businesses/", business_list, name="business_list"),
    path("businesses/new/", business_create, name="business_create"),
    path("businesses/import/", business_import, name="business_import"),
    path(
        "businesses/import/template.csv",
        business_import_template,
        name="business_import_template",
    ),
    path("businesses/<id:business_id>/", business_detail, name="business_detail"),
    path("businesses/<id:business_id>/edit/", business_edit, name="business_edit"),
]
