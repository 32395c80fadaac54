"""Chamber staff accounts: the public sign-up, the status page (all a pending account may see),
and the requests officers of the association's city (or admins) approve or reject."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from businesses import permissions as perms
from businesses import selectors, services
from businesses.forms import DecisionForm, JoinForm, SignupForm
from businesses.models import ChamberMembership
from config.middleware import throttle_posts
from core import hooks
from core.access import remember_roles
from core.errors import DomainError
from core.views import apply_errors, posted, require
from partnerships import permissions as core

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


FIND_CITY = "find_city"  # the button that finds the places of the city typed
NOT_KEPT = {"password", "password2", "csrfmiddlewaretoken", FIND_CITY}


@require_http_methods(["GET", "POST"])
def signup(request):
    """Public: a new account, or a signed-in user's request, to join an association, or to
    propose one that is not listed.

    "Find the city" works with and without JavaScript: with htmx it asks this page with
    `?city=` and swaps in the places found; without, it posts the form, which comes back with
    the places and everything typed (but the passwords). Neither is a sign-up, so neither is
    counted by the sign-up's throttle."""
    user = request.user
    if user.is_authenticated and (core.is_admin(user) or core.is_officer(user)):
        return render(request, "businesses/chamber/signup.html", {"works_for_city": True})
    form_class = JoinForm if user.is_authenticated else SignupForm
    if request.method == "POST" and FIND_CITY in request.POST:
        kept = {k: v for k, v in request.POST.items() if k not in NOT_KEPT}
        return _signup_page(request, form_class(initial={**kept, "not_listed": True}))
    if request.method == "GET":
        city = request.GET.get("city")
        initial = {"city": city, "not_listed": True} if city is not None else None
        return _signup_page(request, form_class(initial=initial))
    return _signup_post(request, form_class)


def _signup_page(request, form):
    return render(
        request,
        "businesses/chamber/signup.html",
        {"form": form, "new_account": not request.user.is_authenticated},
    )


@throttle_posts("businesses.signup")  # public: account creation per client address
def _signup_post(request, form_class):
    user = request.user
    form = form_class(request.POST)
    if form.is_valid():
        account = {} if user.is_authenticated else form.account()
        applicant = user if user.is_authenticated else None
        try:
            if form.cleaned_data["not_listed"]:
                membership = services.chamber_propose(**form.proposal(), user=applicant, **account)
            else:
                membership = services.chamber_signup(
                    association=form.cleaned_data["association"], user=applicant, **account
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if user.is_authenticated:
                remember_roles(request, user)
            else:
                login(request, membership.user, backend=AUTH_BACKEND)
            association = membership.association
            messages.success(
                request,
                _(
                    "Your request to join %(association)s is sent. %(deciders_label)s "
                    "will decide; this page shows the answer, and you will get an e-mail."
                )
                % {
                    "association": association.name,
                    "deciders_label": selectors.deciders_label(association, capital=True),
                },
            )
            return redirect("businesses:status")
    return _signup_page(request, form)


@login_required
@require_GET
def status(request):
    """The user's requests to join associations and their answers: the pending account's page."""
    memberships = list(selectors.memberships_of(request.user))
    pending = [m for m in memberships if m.status == ChamberMembership.Status.PENDING]
    officers = selectors.cities_with_officers(
        {m.association.organisation.partner_id for m in pending}
    )
    for m in pending:  # who decides, truthfully: the city's officers, else the admins
        m.deciders = selectors.deciders_label(m.association, officers)
    return render(
        request,
        "businesses/chamber/status.html",
        {
            "memberships": memberships,
            "is_pending": perms.is_pending_chamber(request.user),
            "is_staff": perms.is_chamber_staff(request.user),
            "works_for_city": core.is_admin(request.user) or core.is_officer(request.user),
            # Other apps' panels (requests to join a city: invitations).
            "panels": hooks.collect("account.status_panels", request),
        },
    )


def _require_decider(user) -> None:
    require(core.is_admin(user) or core.is_officer(user))


@login_required
@require_GET
def staff_requests(request):
    """Officers: the pending requests to join the associations of their cities."""
    _require_decider(request.user)
    requests = list(selectors.memberships_to_decide(request.user)[:200])
    officers = selectors.cities_with_officers(
        {m.association.organisation.partner_id for m in requests}
    )
    for m in requests:  # an admin sees which requests wait for them (no officer in the city)
        m.city_has_officer = m.association.organisation.partner_id in officers
    return render(
        request,
        "businesses/chamber/staff_requests.html",
        {"requests": [(m, _decision_form(auto_id=f"request-{m.pk}-%s")) for m in requests]},
    )


def _decision_form(data=None, auto_id="id_%s") -> DecisionForm:
    return DecisionForm(
        data,
        yes=_("Approve"),
        no=_("Reject"),
        note_label=_("Note to the applicant"),
        auto_id=auto_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_request_decide(request, membership_id: int):
    _require_decider(request.user)
    membership = get_object_or_404(
        ChamberMembership.objects.select_related(
            "user", "association__organisation__partner", "decided_by"
        ),
        pk=membership_id,
    )
    require(perms.can_decide_membership(request.user, membership))
    form = _decision_form(posted(request))
    pending = membership.status == ChamberMembership.Status.PENDING
    if request.method == "POST" and pending and form.is_valid():
        try:
            services.chamber_membership_decide(
                membership=membership,
                user=request.user,
                approve=form.approve,
                note=form.cleaned_data["note"].strip(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            who = membership.user.get_full_name() or membership.user.username
            if form.approve:
                text = _("%(who)s's request to join %(association)s is approved.")
            else:
                text = _("%(who)s's request to join %(association)s is rejected.")
            messages.success(
                request,
                text % {"who": who, "association": membership.association.name},
            )
            return redirect("businesses:staff_requests")
    elif request.method == "POST" and not pending:
        messages.info(request, _("This request was decided already."))
        return redirect("businesses:staff_requests")
    return render(
        request,
        "businesses/chamber/staff_request_decide.html",
        {
            "membership": membership,
            "form": form if pending else None,
            "cancel": reverse("businesses:staff_requests"),
        },
    )


urlpatterns = [
    path("chamber/signup/", signup, name="signup"),
    path("chamber/status/", status, name="status"),
    path("chamber/requests/", staff_requests, name="staff_requests"),
    path(
        "chamber/requests/<id:membership_id>/",
        staff_request_decide,
        name="staff_request_decide",
    ),
]
