"""The joint sign-off given outside the portal: the home side records a member city's
confirmation (with its signed evidence) when that city has no officer in the portal; once
its officers join, they endorse or dispute it. Every refusal is a message, nothing is
half-saved; the evidence is served by `partnerships:document` (kind "offline")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.views import apply_errors, posted, report_refusal
from partnerships import permissions, services, workflow
from partnerships.forms.signoff import DisputeForm, OfflineConfirmationForm
from partnerships.models import OfflineConfirmation, Partnership, PartnershipMember
from partnerships.selectors.signoff import awaited_without_officers
from partnerships.views.common import editable_partnership_or_404


def _back(partnership: Partnership):
    return redirect(reverse("partnerships:detail", args=[partnership.pk]) + "#sign-off")


def _home_refusal(request, partnership: Partnership) -> DomainError | None:
    """Why this user may not record a confirmation given outside the portal here, if not."""
    home = (
        PartnershipMember.objects.filter(partnership=partnership, role=PartnershipMember.Role.HOME)
        .select_related("partner")
        .first()
    )
    if home is None or home.partner_id not in permissions.city_ids(request.user):
        city = home.partner.name if home else _("the home city")
        return DomainError(
            _(
                "Only officers of %(city)s (the home city) record a confirmation given outside "
                "the portal."
            )
            % {"city": city}
        )
    if partnership.step not in workflow.JOINT_SIGN_OFF_STEPS:
        return DomainError(
            _("“%(step)s” needs no joint confirmation.") % {"step": partnership.step_label}
        )
    return None


@login_required
@require_http_methods(["GET", "POST"])
def offline_record(request, pk: int):
    partnership = editable_partnership_or_404(request, pk)
    refusal = _home_refusal(request, partnership)
    if refusal is not None:
        report_refusal(request, refusal)
        return _back(partnership)
    cities = awaited_without_officers(partnership)
    form = OfflineConfirmationForm(
        posted(request),
        posted(request, files=True),
        cities=cities,
        holder=request.user,
        hold_scope=f"offline:{partnership.pk}",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            confirmation = services.offline_confirmation_record(
                partnership=partnership,
                partner=data["partner"],
                user=request.user,
                confirmed_by_name=data["confirmed_by_name"],
                confirmed_by_role=data["confirmed_by_role"],
                confirmed_on=data["confirmed_on"],
                evidence=data["evidence"],
                document=data["document"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            form.upload_used()
            messages.success(
                request,
                _("%(city)s: %(confirmation)s.")
                % {"city": confirmation.partner.name, "confirmation": confirmation.shown},
            )
            return _back(partnership)
    if request.method == "POST":
        form.keep_upload()  # a checked PDF is not lost to another field's error
    return render(
        request,
        "partnerships/signoff/record.html",
        {
            "partnership": partnership,
            "form": form,
            "has_cities": bool(form.fields["partner"].choices),
        },
    )


def _confirmation_or_404(partnership: Partnership, confirmation_id: int) -> OfflineConfirmation:
    return get_object_or_404(
        OfflineConfirmation.objects.select_related("partner"),
        pk=confirmation_id,
        partnership=partnership,
    )


@login_required
@require_POST
def offline_endorse(request, pk: int, confirmation_id: int):
    partnership = editable_partnership_or_404(request, pk)
    confirmation = _confirmation_or_404(partnership, confirmation_id)
    try:
        services.offline_confirmation_endorse(confirmation=confirmation, user=request.user)
    except DomainError as exc:
        report_refusal(request, exc)
    else:
        messages.success(
            request,
            _("You endorsed, for %(city)s, what was %(confirmation)s.")
            % {"city": confirmation.partner.name, "confirmation": confirmation.shown},
        )
    return _back(partnership)


@login_required
@require_http_methods(["GET", "POST"])
def offline_dispute(request, pk: int, confirmation_id: int):
    partnership = editable_partnership_or_404(request, pk)
    confirmation = _confirmation_or_404(partnership, confirmation_id)
    if confirmation.partner_id not in permissions.city_ids(request.user):
        report_refusal(
            request,
            DomainError(
                _("Only officers of %(city)s endorse or dispute what was confirmed in its name.")
                % {"city": confirmation.partner.name}
            ),
        )
        return _back(partnership)
    form = DisputeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.offline_confirmation_dispute(
                confirmation=confirmation, user=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "You disputed it: it no longer counts as %(city)s's confirmation, and both "
                    "cities see your reason on the timeline."
                )
                % {"city": confirmation.partner.name},
            )
            return _back(partnership)
    return render(
        request,
        "partnerships/signoff/dispute.html",
        {"partnership": partnership, "confirmation": confirmation, "form": form},
    )


urlpatterns = [
    path(
        "partnerships/<id:pk>/offline-confirmations/new/",
        offline_record,
        name="offline_record",
    ),
    path(
        "partnerships/<id:pk>/offline-confirmations/<id:confirmation_id>/endorse/",
        offline_endorse,
        name="offline_endorse",
    ),
    path(
        "partnerships/<id:pk>/offline-confirmations/<id:confirmation_id>/dispute/",
        offline_dispute,
        name="offline_dispute",
    ),
]
