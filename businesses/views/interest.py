"""Interest in partnerships and leads for new ones.

Chamber staff register their member businesses' interest in a partnership (published, or one
of their own city's) and follow the officers' answers; they may propose a partnership with a
city their city has none with (a lead). Officers of a partnership's member cities see the
interest registered in it and accept or decline it with a message; officers of the chamber's
city take a lead up as a candidate in a partnership's search step, or decline it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from businesses import permissions as perms
from businesses import selectors, services
from businesses.forms import (
    DecisionForm,
    InterestForm,
    LeadDecisionForm,
    LeadForm,
    partnerships_open_to,
)
from businesses.models import BusinessProfile, InterestRegistration, PartnershipLead
from businesses.views.common import association_city_ids, require_association_manager
from core.errors import DomainError
from core.views import apply_errors, paginate, posted, report_refusal, require
from partnerships import permissions as core
from partnerships.models import Partner, Partnership, Step
from partnerships.selectors import (
    partnerships_editable_by,
    partnerships_of_my_cities,
    with_members,
)

NO_BUSINESSES = gettext_lazy(
    "Your chamber has no member businesses yet: add the businesses that want to take part "
    "first, then register their interest."
)
WITHDRAWABLE = {InterestRegistration.Status.PENDING, InterestRegistration.Status.ACCEPTED}


def _refuse(form, exc: DomainError) -> None:
    form.add_error(None, exc.message)
    for item in exc.missing:
        form.add_error(None, item)


# --- The chamber's side --------------------------------------------------------------------------


@login_required
@require_GET
def my_registrations(request):
    """The chamber's registrations with the officers' answers, and its leads."""
    require_association_manager(request.user)
    context = paginate(request, selectors.registrations_for_chamber(request.user))
    rows = [{"r": r, "can_withdraw": r.status in WITHDRAWABLE} for r in context["page"].object_list]
    return render(
        request,
        "businesses/interest/my_registrations.html",
        {**context, "rows": rows, "leads": list(selectors.leads_for_chamber(request.user)[:50])},
    )


def _interest_form(request, associations):
    cities = association_city_ids(request.user)
    if cities is None:
        businesses = BusinessProfile.objects.all()
    else:
        businesses = BusinessProfile.objects.filter(association__in=associations)
    initial = {}
    wanted = request.GET.get("partnership", "")
    if wanted.isdigit() and len(wanted) < 19:
        initial["partnership"] = int(wanted)
    return InterestForm(
        posted(request),
        initial=initial,
        associations=associations,
        partnerships=partnerships_open_to(cities),
        businesses=businesses.select_related("organisation").order_by("organisation__name"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def interest_register(request):
    associations = require_association_manager(request.user)
    form = _interest_form(request, associations)
    # No member business to name: said plainly, with a link to add one (what was typed stays).
    no_businesses = not form.fields["businesses"].choices
    if request.method == "POST" and no_businesses:
        form.add_error(None, NO_BUSINESSES)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.interest_register(
                association=form.association(),
                partnership=data["partnership"],
                user=request.user,
                businesses=list(data["businesses"]),
                objectives=data["objectives"],
                sectors=list(data["sectors"]),
                offers=data["offers"],
                seeks=data["seeks"],
                timeframe=data["timeframe"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(
                request,
                _("Interest registered in “%(partnership)s”: its officers will answer here.")
                % {"partnership": registration.partnership.title},
            )
            return redirect("businesses:my_registrations")
    return render(
        request,
        "businesses/interest/interest_form.html",
        {
            "form": form,
            "no_businesses": no_businesses,
            "cancel": reverse("businesses:my_registrations"),
        },
    )


@login_required
@require_POST
def interest_withdraw(request, registration_id: int):
    registration = get_object_or_404(
        InterestRegistration.objects.select_related("partnership"), pk=registration_id
    )
    require(perms.can_withdraw_interest(request.user, registration))
    try:
        services.interest_withdraw(registration=registration, user=request.user)
    except DomainError as exc:
        report_refusal(request, exc)
    else:
        messages.success(
            request,
            _("Your interest in “%(partnership)s” is withdrawn.")
            % {"partnership": registration.partnership.title},
        )
    return redirect("businesses:my_registrations")


@login_required
@require_http_methods(["GET", "POST"])
def lead_propose(request):
    associations = require_association_manager(request.user)
    cities = association_city_ids(request.user)
    targets = Partner.objects.order_by("name")
    if cities is not None:
        excluded = set(cities)
        if len(cities) == 1:
            excluded |= services.partnered_city_ids(next(iter(cities)))
        targets = targets.exclude(pk__in=excluded)
    form = LeadForm(
        posted(request),
        associations=associations,
        targets=targets,
        businesses=BusinessProfile.objects.filter(association__in=associations)
        .select_related("organisation")
        .order_by("organisation__name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_propose(
                association=form.association(),
                user=request.user,
                target=form.cleaned_data["target"],
                rationale=form.cleaned_data["rationale"],
                trade=form.cleaned_data["trade"],
                businesses=form.cleaned_data["businesses"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(
                request,
                _("Your proposal of %(target)s is sent to the officers of %(home)s.")
                % {"target": lead.target.name, "home": lead.home.name},
            )
            return redirect("businesses:my_registrations")
    return render(
        request,
        "businesses/interest/lead_form.html",
        {"form": form, "cancel": reverse("businesses:my_registrations")},
    )


# --- The officers' side --------------------------------------------------------------------------


def _decision_form(data=None, auto_id="id_%s") -> DecisionForm:
    return DecisionForm(
        data,
        yes=_("Accept"),
        no=_("Decline"),
        note_label=_("Message to the chamber"),
        no_reason=_("Say why: the message is required to decline."),
        auto_id=auto_id,
    )


@login_required
@require_GET
def interest_inbox(request, pk: int):
    """The interest registered in one of the officer's partnerships, with the decisions."""
    partnership = get_object_or_404(with_members(partnerships_of_my_cities(request.user)), pk=pk)
    can_decide = core.can_edit_partnership(request.user, partnership)
    context = paginate(request, selectors.registrations_of_partnership(partnership))
    rows = [
        {
            "r": r,
            "form": _decision_form(auto_id=f"registration-{r.pk}-%s")
            if can_decide and r.status == InterestRegistration.Status.PENDING
            else None,
        }
        for r in context["page"].object_list
    ]
    return render(
        request,
        "businesses/interest/inbox.html",
        {**context, "partnership": partnership, "rows": rows, "can_decide": can_decide},
    )


@login_required
@require_http_methods(["GET", "POST"])
def interest_decide(request, registration_id: int):
    registration = get_object_or_404(
        InterestRegistration.objects.select_related(
            "partnership", "association__organisation__partner", "created_by", "decided_by"
        ),
        pk=registration_id,
    )
    require(perms.can_decide_interest(request.user, registration))
    inbox = reverse("businesses:interest_inbox", args=[registration.partnership_id])
    pending = registration.status == InterestRegistration.Status.PENDING
    if request.method == "POST" and not pending:
        messages.info(request, _("This registration was decided already."))
        return redirect(inbox)
    form = _decision_form(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.interest_decide(
                registration=registration,
                user=request.user,
                accept=form.approve,
                message=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            _refuse(form, exc)
        else:
            if form.approve:
                text = _("The interest of %(association)s is accepted.")
            else:
                text = _("The interest of %(association)s is declined.")
            messages.success(
                request,
                text % {"association": registration.association.name},
            )
            return redirect(inbox)
    businesses = list(
        registration.businesses.select_related("organisation").order_by("organisation__name")
    )
    return render(
        request,
        "businesses/interest/decide.html",
        {
            "registration": registration,
            "businesses": businesses,
            "form": form if pending else None,
            "cancel": inbox,
        },
    )


def _search_step_partnerships(user):
    return partnerships_editable_by(user).filter(step=Step.SEARCH)


@login_required
@require_GET
def lead_list(request):
    """Proposals from the chambers of the officer's cities, new ones first."""
    require(core.is_admin(request.user) or core.is_officer(request.user))
    context = paginate(request, selectors.leads_for_officer(request.user, status=None))
    leads = list(context["page"].object_list)
    open_homes = {lead.home_id for lead in leads if lead.status == PartnershipLead.Status.NEW}
    by_home: dict[int, list[Partnership]] = {home: [] for home in open_homes}
    if open_homes:
        for p in with_members(_search_step_partnerships(request.user)).order_by("title"):
            for member in p.members.all():
                if member.partner_id in by_home:
                    by_home[member.partner_id].append(p)
    rows = []
    for lead in leads:
        form = None
        if lead.status == PartnershipLead.Status.NEW:
            form = LeadDecisionForm(auto_id=f"lead-{lead.pk}-%s")
            # Choices from the list read above: no query per lead.
            form.fields["partnership"].choices = [
                ("", _("Choose the partnership")),
                *((p.pk, p.title) for p in by_home[lead.home_id]),
            ]
        rows.append({"lead": lead, "form": form})
    return render(request, "businesses/interest/lead_list.html", {**context, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def lead_decide(request, lead_id: int):
    lead = get_object_or_404(
        PartnershipLead.objects.select_related(
            "association__organisation", "home", "target", "candidate__partnership", "decided_by"
        ).prefetch_related("businesses__organisation"),
        pk=lead_id,
    )
    require(perms.can_decide_lead(request.user, lead))
    is_new = lead.status == PartnershipLead.Status.NEW
    if request.method == "POST" and not is_new:
        messages.info(request, _("This proposal was decided already."))
        return redirect("businesses:lead_list")
    partnerships = (
        _search_step_partnerships(request.user)
        .filter(members__partner_id=lead.home_id)
        .order_by("title")
    )
    form = LeadDecisionForm(posted(request), partnerships=partnerships)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == LeadDecisionForm.TAKE_UP:
                services.lead_take_up(lead=lead, partnership=data["partnership"], user=request.user)
                done = _("%(city)s is now a candidate of “%(partnership)s”.") % {
                    "city": lead.target.name,
                    "partnership": data["partnership"].title,
                }
            else:
                services.lead_decline(lead=lead, user=request.user, message=data["message"])
                done = _("The proposal of %(city)s is declined.") % {"city": lead.target.name}
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, done)
            return redirect("businesses:lead_list")
    return render(
        request,
        "businesses/interest/lead_decide.html",
        {
            "lead": lead,
            "form": form if is_new else None,
            "cancel": reverse("businesses:lead_list"),
        },
    )


urlpatterns = [
    path("interest/", my_registrations, name="my_registrations"),
    path("interest/new/", interest_register, name="interest_register"),
    path("interest/<id:registration_id>/withdraw/", interest_withdraw, name="interest_withdraw"),
    path("interest/<id:registration_id>/decide/", interest_decide, name="interest_decide"),
    path("partnerships/<id:pk>/interest/", interest_inbox, name="interest_inbox"),
    path("leads/", lead_list, name="lead_list"),
    path("leads/new/", lead_propose, name="lead_propose"),
    path("leads/<id:lead_id>/", lead_decide, name="lead_decide"),
]
