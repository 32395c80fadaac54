"""Inviting officers (from a city's officers page or a partnership's page), accepting an
invitation, asking to join a city, and deciding such a request."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from config.middleware import throttle_posts
from core.access import remember_roles
from core.errors import DomainError
from core.views import apply_errors, posted, report_refusal, require
from invitations import permissions, selectors, services
from invitations.forms import AcceptForm, DecisionForm, InviteForm, JoinForm, JoinSignupForm
from invitations.models import Invitation, JoinRequest
from partnerships import permissions as city_perms
from partnerships.models import Partner, Partnership, PartnershipMember

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _form_errors(form, exc: DomainError | ValidationError) -> None:
    if isinstance(exc, ValidationError):
        apply_errors(form, exc)
    else:
        form.add_error(None, exc.message)


# --- Inviting ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def city_invite(request, pk: int):
    """A coordinator invites officers of their own city."""
    city = get_object_or_404(Partner, pk=pk)
    require(permissions.can_invite(request.user, city))
    form = InviteForm(posted(request), city=city)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_send(
                city=city,
                email=form.cleaned_data["email"],
                by=request.user,
                language=form.cleaned_data["language"],
            )
        except (DomainError, ValidationError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, gettext("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("partnerships:officers", pk=city.pk)
    return render(
        request,
        "invitations/invite.html",
        {
            "form": form,
            "city": city,
            "back_url": reverse("partnerships:officers", args=[city.pk]),
            "back_label": gettext("Officers of %(city)s") % {"city": city.name},
        },
    )


def _partnership(pk: int) -> Partnership:
    members = PartnershipMember.objects.select_related("partner")
    return get_object_or_404(
        Partnership.objects.prefetch_related(Prefetch("members", queryset=members)), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_invite(request, pk: int):
    """An officer of a member city invites officers of the other member cities."""
    partnership = _partnership(pk)
    require(permissions.may_invite_from(request.user, partnership))
    cities = permissions.partnership_cities(request.user, partnership)
    form = InviteForm(posted(request), cities=cities)
    if request.method == "POST" and not cities:
        form.add_error(None, gettext("You may not invite officers to this partnership's cities."))
    elif request.method == "POST" and form.is_valid():
        city = next(c for c in cities if c.pk == form.cleaned_data["city"])
        try:
            invitation = services.invitation_send(
                city=city,
                email=form.cleaned_data["email"],
                by=request.user,
                partnership=partnership,
                language=form.cleaned_data["language"],
            )
        except (DomainError, ValidationError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("Invitation to work for %(city)s sent to %(email)s.")
                % {"city": city.name, "email": invitation.email},
            )
            return redirect("invitations:partnership_invite", pk=partnership.pk)
    sent = selectors.open_invitations_of_partnership(partnership.pk).filter(
        city_id__in=[c.pk for c in cities]
    )[: selectors.SHOWN]
    return render(
        request,
        "invitations/invite.html",
        {
            "form": form,
            "partnership": partnership,
            "invitations": list(sent),
            "cities": cities,
            "back_url": reverse("partnerships:detail", args=[partnership.pk]),
            "back_label": partnership.title,
        },
    )


def _after_change(request, invitation: Invitation):
    if city_perms.can_manage_officers(request.user, invitation.city):
        return redirect("partnerships:officers", pk=invitation.city_id)
    if invitation.partnership_id:
        return redirect("invitations:partnership_invite", pk=invitation.partnership_id)
    return redirect("partnerships:dashboard")


def _managed_invitation(request, invitation_id: int) -> Invitation:
    invitation = get_object_or_404(
        Invitation.objects.select_related("city", "partnership"), pk=invitation_id
    )
    require(permissions.can_manage_invitation(request.user, invitation))
    return invitation


@login_required
@require_POST
def resend(request, invitation_id: int):
    invitation = _managed_invitation(request, invitation_id)
    try:
        services.invitation_resend(invitation=invitation, by=request.user)
    except (DomainError, ValidationError) as exc:
        report_refusal(request, exc)
    else:
        messages.success(
            request,
            gettext("Invitation sent again to %(email)s, valid 7 days.")
            % {"email": invitation.email},
        )
    return _after_change(request, invitation)


@login_required
@require_POST
def revoke(request, invitation_id: int):
    invitation = _managed_invitation(request, invitation_id)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except (DomainError, ValidationError) as exc:
        report_refusal(request, exc)
    else:
        messages.success(
            request,
            gettext("The invitation to %(email)s is revoked.") % {"email": invitation.email},
        )
    return _after_change(request, invitation)


# --- Accepting --------------------------------------------------------------------------------


def _invalid(request, exc: services.InvalidLink):
    """A link that can do nothing: a page saying why (never a 500, nothing created)."""
    status = 400 if exc.reason == "forged" else 410
    return render(request, "invitations/invalid.html", {"error": exc}, status=status)


@require_http_methods(["GET", "POST"])
def accept(request, key: str):
    """Open to everyone: the link's key is what grants it (core.access open views)."""
    try:
        invitation = services.invitation_from_key(key)
    except services.InvalidLink as exc:
        return _invalid(request, exc)
    user = request.user
    signed_in = user.is_authenticated
    wrong_account = signed_in and (user.email or "").lower() != invitation.email.lower()
    has_account = (
        not signed_in and get_user_model().objects.filter(email__iexact=invitation.email).exists()
    )
    form = AcceptForm(posted(request)) if not signed_in and not has_account else None
    may_accept = not wrong_account and not has_account
    if request.method == "POST" and may_accept and (form is None or form.is_valid()):
        data = {} if form is None else dict(form.cleaned_data)
        data.pop("password2", None)
        try:
            invitation, membership = services.invitation_accept(
                key=key, user=user if signed_in else None, **data
            )
        except services.InvalidLink as exc:
            return _invalid(request, exc)
        except (DomainError, ValidationError) as exc:
            if form is None:
                report_refusal(request, exc)
            else:
                _form_errors(form, exc)
        else:
            if not signed_in:
                login(request, membership.user, backend=AUTH_BACKEND)
            remember_roles(request, membership.user)
            messages.success(
                request,
                gettext("Welcome: you now work for %(city)s as %(role)s.")
                % {
                    "city": invitation.city.name,
                    "role": str(membership.get_role_display()).lower(),
                },
            )
            if invitation.partnership_id:
                return redirect("partnerships:detail", pk=invitation.partnership_id)
            return redirect("partnerships:city_detail", pk=invitation.city_id)
    login_url = f"{reverse('login')}?{urlencode({'next': request.path})}"
    return render(
        request,
        "invitations/accept.html",
        {
            "invitation": invitation,
            "form": form,
            "wrong_account": wrong_account,
            "has_account": has_account,
            "login_url": login_url,
        },
    )


# --- Asking to join a city ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@throttle_posts("invitations.join")  # public: account creation per client address
def join(request):
    """Ask to work for a city as its officer: signed in, or with a new account."""
    user = request.user
    form_class = JoinForm if user.is_authenticated else JoinSignupForm
    initial = {}
    if request.GET.get("city", "").isdigit():
        initial["city"] = int(request.GET["city"])
    form = form_class(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("password2", None)
        try:
            join_request = services.join_request_create(
                user=user if user.is_authenticated else None, **data
            )
        except (DomainError, ValidationError) as exc:
            _form_errors(form, exc)
        else:
            if not user.is_authenticated:
                login(request, join_request.user, backend=AUTH_BACKEND)
            remember_roles(request, join_request.user)
            messages.success(
                request,
                gettext(
                    "Your request to join %(city)s is sent. Its coordinators (or the portal's "
                    "admins) will decide; this page shows the answer."
                )
                % {"city": join_request.city.name},
            )
            return redirect(settings.ACCOUNT_STATUS_VIEW)
    return render(
        request, "invitations/join.html", {"form": form, "new_account": not user.is_authenticated}
    )


@login_required
@require_http_methods(["GET", "POST"])
def join_decide(request, join_request_id: int):
    """A coordinator of the city (or an admin) approves or rejects a request to join it."""
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("city", "user", "decided_by"), pk=join_request_id
    )
    require(permissions.can_decide(request.user, join_request))
    form = DecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            decided = services.join_request_decide(
                join_request=join_request,
                by=request.user,
                approve=approve,
                reason=form.cleaned_data["reason"],
            )
        except (DomainError, ValidationError) as exc:
            _form_errors(form, exc)
        else:
            who = decided.user.get_full_name() or decided.user.username
            if approve:
                messages.success(
                    request,
                    gettext("%(who)s now works for %(city)s.")
                    % {"who": who, "city": decided.city.name},
                )
            else:
                messages.success(
                    request,
                    gettext("The request of %(who)s is rejected; they are told why.")
                    % {"who": who},
                )
            return redirect("partnerships:officers", pk=decided.city_id)
    return render(
        request, "invitations/join_decide.html", {"join_request": join_request, "form": form}
    )
