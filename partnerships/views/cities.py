"""Partner cities: the directory, a city's profile and alliance history, its twinning strategy
(versions, drafts, approval) and its officers.

Cities are reference data every signed-in user may read. A city's partnerships are listed only
where the viewer may see them; their counts by status are not private. Coordinators (and
admins) edit the strategy and manage the officers; for anyone else those forms are absent and
their POSTs answer 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import hooks
from core.errors import DomainError
from core.page_cache import cached_page
from core.views import apply_errors, paginate, report_refusal, require
from partnerships import permissions, selectors, services
from partnerships.forms.cities import (
    ApproveStrategyForm,
    CityFilter,
    CriterionFormSet,
    OfficerAddForm,
    OfficerRoleForm,
    StrategyForm,
    criteria_initial,
)
from partnerships.models import (
    CityMembership,
    Partner,
    Partnership,
    StrategyCriterion,
    TwinningStrategy,
)

CITIES_PER_PAGE = 25


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# --- The directory ---------------------------------------------------------------------------


@login_required
@require_GET
@cached_page
def city_list(request):
    filters = CityFilter(request.GET)
    paged = paginate(request, filters.qs, CITIES_PER_PAGE)
    context = {
        "filters": filters,
        **paged,
        "cities": paged["page"].object_list,
        "can_add_city": services.may_add_city(request.user),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "partnerships/cities/_city_results.html", context)
    return render(request, "partnerships/cities/city_list.html", context)


# --- A city's profile and alliance history ------------------------------------------------


@login_required
@require_GET
@cached_page
def city_detail(request, pk: int):
    city = get_object_or_404(Partner.objects.prefetch_related("sectors"), pk=pk)
    user = request.user
    sees_staff = permissions.is_admin(user) or city.pk in permissions.city_ids(user)

    # Its partnerships whose inside the user may open, and those the registry publishes.
    visible = selectors.partnerships_visible_to(user).values("pk")
    shown = selectors.with_members(
        Partnership.objects.filter(
            Q(pk__in=visible) | Q(pk__in=selectors.partnerships_published().values("pk"))
        )
        .filter(members__partner=city)
        .order_by(F("established_on").desc(nulls_last=True), "title", "pk")
    )
    shown = list(shown)
    urls = selectors.reading_urls(user, shown)
    history = []
    for partnership in shown:
        others, role = [], ""
        for member in partnership.members.all():
            if member.partner_id == city.pk:
                role = member.get_role_display()
            else:
                others.append(member.partner)
        history.append(
            {
                "partnership": partnership,
                "others": others,
                "role": role,
                "url": urls[partnership.pk],
                # Read on its public face: the user may not open its inside.
                "public": urls[partnership.pk]
                != reverse("partnerships:detail", args=[partnership.pk]),
            }
        )

    by_status = dict(
        Partnership.objects.filter(members__partner=city)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    total = sum(by_status.values())
    status_counts = [
        (label, by_status[value])
        for value, label in Partnership.Status.choices
        if value in by_status
    ]
    staff = (
        list(
            city.staff.select_related("user").order_by("role", "user__last_name", "user__username")
        )
        if sees_staff
        else None
    )
    return render(
        request,
        "partnerships/cities/city_detail.html",
        {
            "city": city,
            "strategy": services.strategy_in_force(city.pk),
            "can_edit_strategy": permissions.is_coordinator_of(user, city),
            "can_manage_officers": permissions.can_manage_officers(user, city),
            "staff": staff,
            "history": history,
            "total": total,
            "status_counts": status_counts,
            "not_listed": total - len(history),
        },
    )


# --- The strategy ----------------------------------------------------------------------------


def _strategy_page(
    request,
    city: Partner,
    *,
    edit_form: StrategyForm | None = None,
    edit_criteria=None,
    new_form: StrategyForm | None = None,
    new_criteria=None,
    approve_form: ApproveStrategyForm | None = None,
    approve_target: int | None = None,
    version_pk: int | None = None,
):
    """The strategy page: a version (the one in force unless ?version= names another), the
    version history and, for coordinators, the draft's forms (bound ones when re-rendering)."""
    can_edit = permissions.is_coordinator_of(request.user, city)
    versions = list(
        city.strategies.order_by("-version").prefetch_related(
            Prefetch("criteria", queryset=StrategyCriterion.objects.order_by("-weight", "name"))
        )
    )
    if not can_edit:
        # Drafts are work in progress of the city's coordinators.
        versions = [v for v in versions if v.status != TwinningStrategy.Status.DRAFT]
    in_force = next((v for v in versions if v.status == TwinningStrategy.Status.IN_FORCE), None)
    shown = in_force
    if version_pk is None and "version" in request.GET:
        version_pk = _int_or_404(request.GET["version"])
    if version_pk is not None:
        shown = next((v for v in versions if v.pk == version_pk), None)
        if shown is None:
            raise Http404
    draft = None
    if can_edit:
        drafts = [v for v in versions if v.status == TwinningStrategy.Status.DRAFT]
        if shown is not None and shown.status == TwinningStrategy.Status.DRAFT:
            draft = shown
        elif drafts:
            draft = drafts[0]
        if draft is not None:
            if edit_form is None:
                edit_form = StrategyForm(instance=draft, prefix="draft")
            if edit_criteria is None:
                edit_criteria = CriterionFormSet(prefix="criteria", initial=criteria_initial(draft))
            approve_form = (
                approve_form
                if approve_form is not None and approve_target == draft.pk
                else ApproveStrategyForm(prefix="approve")
            )
        elif not versions:
            if new_form is None:
                new_form = StrategyForm(prefix="draft")
            if new_criteria is None:
                new_criteria = CriterionFormSet(prefix="criteria")
    next_version = (versions[0].version + 1) if versions else 1
    coordinators = []
    if not can_edit:
        # Who writes it: an officer who may not is told whom to ask.
        coordinators = [
            m.user
            for m in city.staff.filter(role=CityMembership.Role.COORDINATOR)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__username")
        ]
    return render(
        request,
        "partnerships/cities/strategy.html",
        {
            "city": city,
            "can_edit": can_edit,
            "versions": versions,
            "in_force": in_force,
            "shown": shown,
            "draft": draft,
            "edit_form": edit_form,
            "edit_criteria": edit_criteria,
            "approve_form": approve_form,
            "new_form": new_form,
            "new_criteria": new_criteria,
            "can_start": can_edit and draft is None and in_force is not None,
            "next_version": next_version,
            "coordinators": coordinators,
            "is_officer_here": not can_edit and city.pk in permissions.city_ids(request.user),
        },
    )


def _strategy_url(city: Partner, version: TwinningStrategy | None = None) -> str:
    url = reverse("partnerships:strategy", args=[city.pk])
    return f"{url}?version={version.pk}" if version is not None else url


@login_required
@require_http_methods(["GET", "POST"])
def strategy(request, pk: int):
    city = get_object_or_404(Partner, pk=pk)
    if request.method == "GET":
        return _strategy_page(request, city)

    require(permissions.is_coordinator_of(request.user, city))
    action = request.POST.get("action")
    if action == "start":
        try:
            draft = services.strategy_draft_start(partner=city, user=request.user)
        except DomainError as exc:
            report_refusal(request, exc)
            return redirect(_strategy_url(city))
        messages.success(
            request,
            _("Version %(version)s started as a draft, copied from the one in force.")
            % {"version": draft.version},
        )
        return redirect(_strategy_url(city, draft))

    if action == "create":
        form = StrategyForm(request.POST, prefix="draft")
        criteria = CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and criteria.is_valid():
            try:
                draft = services.strategy_draft_start(
                    partner=city,
                    user=request.user,
                    criteria=criteria.criteria(),
                    **form.cleaned_data,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Draft version %(version)s saved.") % {"version": draft.version}
                )
                return redirect(_strategy_url(city, draft))
        return _strategy_page(request, city, new_form=form, new_criteria=criteria)

    if action in ("save", "discard"):
        draft = get_object_or_404(
            TwinningStrategy, pk=_int_or_404(request.POST.get("draft")), partner=city
        )
        if action == "discard":
            try:
                services.strategy_draft_discard(strategy=draft, user=request.user)
            except DomainError as exc:
                report_refusal(request, exc)
            else:
                messages.success(
                    request,
                    _("Draft version %(version)s discarded.") % {"version": draft.version},
                )
            return redirect(_strategy_url(city))
        form = StrategyForm(request.POST, instance=draft, prefix="draft")
        criteria = CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and criteria.is_valid():
            try:
                services.strategy_update_draft(
                    strategy=draft,
                    user=request.user,
                    criteria=criteria.criteria(),
                    **form.cleaned_data,
                )
            except DomainError as exc:
                report_refusal(request, exc)
                return redirect(_strategy_url(city))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Draft version %(version)s saved.") % {"version": draft.version}
                )
                return redirect(_strategy_url(city, draft))
        return _strategy_page(
            request, city, edit_form=form, edit_criteria=criteria, version_pk=draft.pk
        )

    return HttpResponseBadRequest(_("Unknown action."))


@login_required
@require_POST
def strategy_approve(request, pk: int, strategy_id: int):
    city = get_object_or_404(Partner, pk=pk)
    require(permissions.is_coordinator_of(request.user, city))
    version = get_object_or_404(TwinningStrategy, pk=strategy_id, partner=city)
    form = ApproveStrategyForm(request.POST, prefix="approve")
    if not form.is_valid():
        return _strategy_page(
            request, city, approve_form=form, approve_target=version.pk, version_pk=version.pk
        )
    try:
        approved = services.strategy_approve(
            strategy=version, user=request.user, approved_on=form.cleaned_data["approved_on"]
        )
    except DomainError as exc:
        report_refusal(request, exc)
        return redirect(_strategy_url(city, version))
    if approved.superseded:
        message = _("Version %(version)s is now in force; the previous one is superseded.")
    else:
        message = _("Version %(version)s is now in force.")
    messages.success(request, message % {"version": version.version})
    return redirect(_strategy_url(city))


# --- Officers --------------------------------------------------------------------------------


def _officers_page(request, city: Partner, add_form: OfficerAddForm):
    staff = list(
        city.staff.select_related("user").order_by("role", "user__last_name", "user__username")
    )
    coordinators = sum(1 for m in staff if m.role == CityMembership.Role.COORDINATOR)
    rows = [
        {
            "membership": m,
            "is_me": m.user_id == request.user.pk,
            "last_coordinator": m.role == CityMembership.Role.COORDINATOR and coordinators == 1,
            "role_choices": CityMembership.Role.choices,
        }
        for m in staff
    ]
    return render(
        request,
        "partnerships/cities/officers.html",
        {
            "city": city,
            "rows": rows,
            "add_form": add_form,
            # Other apps' panels (pending invitations and requests to join: invitations).
            "panels": hooks.collect("city.officers_panels", request, city),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def officers(request, pk: int):
    city = get_object_or_404(Partner, pk=pk)
    require(permissions.can_manage_officers(request.user, city))
    if request.method == "GET":
        return _officers_page(request, city, OfficerAddForm(partner=city))

    action = request.POST.get("action")
    if action == "add":
        form = OfficerAddForm(request.POST, partner=city)
        if form.is_valid():
            try:
                membership = services.officer_add(
                    partner=city,
                    user=form.cleaned_data["user"],
                    role=form.cleaned_data["role"],
                    by=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("%(person)s now works for %(city)s as %(role)s.")
                    % {
                        "person": membership.user,
                        "city": city.name,
                        "role": membership.get_role_display().lower(),
                    },
                )
                return redirect("partnerships:officers", pk=city.pk)
        return _officers_page(request, city, form)

    if action not in ("role", "remove"):
        return HttpResponseBadRequest(_("Unknown action."))
    membership = get_object_or_404(
        CityMembership.objects.select_related("user"),
        pk=_int_or_404(request.POST.get("membership")),
        partner=city,
    )
    myself = membership.user_id == request.user.pk and not permissions.is_admin(request.user)
    try:
        if action == "remove":
            services.officer_remove(membership=membership, by=request.user)
            messages.success(
                request,
                _("%(person)s no longer works for %(city)s.")
                % {"person": membership.user, "city": city.name},
            )
        else:
            form = OfficerRoleForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose officer or coordinator."))
                return _officers_page(request, city, OfficerAddForm(partner=city))
            changed = services.officer_set_role(
                membership=membership, role=form.cleaned_data["role"], by=request.user
            )
            messages.success(
                request,
                _("%(person)s is now %(role)s.")
                % {"person": changed.user, "role": changed.get_role_display().lower()},
            )
            myself = myself and changed.role != CityMembership.Role.COORDINATOR
    except (DomainError, ValidationError) as exc:
        report_refusal(request, exc)
        return redirect("partnerships:officers", pk=city.pk)
    if myself:
        # They just gave up managing this city's officers: the page would now be a 404.
        return redirect("partnerships:city_detail", pk=city.pk)
    return redirect("partnerships:officers", pk=city.pk)


urlpatterns = [
    path("cities/", city_list, name="city_list"),
    path("cities/<id:pk>/", city_detail, name="city_detail"),
    path("cities/<id:pk>/strategy/", strategy, name="strategy"),
    path(
        "cities/<id:pk>/strategy/<id:strategy_id>/approve/",
        strategy_approve,
        name="strategy_approve",
    ),
    path("cities/<id:pk>/officers/", officers, name="officers"),
]
