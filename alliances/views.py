"""The sub-alliance pages: a partnership's sub-alliances, forming one, and a sub-alliance's page
with its parties, strength and its history, the five start-up tasks and the shared scorecard.

Sub-alliances belong to the partnership's own record: the officers of its member cities (and
admins) see and manage them; everyone else gets a 404, as for a private partnership. Chamber
staff edit nothing of a partnership.

Apps above this one (businesses: outcomes, matchmaking, interest) add panels to these pages
on the hooks `alliances.partnership_panels` and `alliances.sub_alliance_panels` (core.hooks),
registered from their `AppConfig.ready`,
so that this app never imports them. A panel function returns a dict with the `template` to
include and its data, or None.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliances import permissions, selectors, services
from alliances.forms import (
    MeasureForm,
    MeasureUpdateForm,
    OrganisationForm,
    StrengthForm,
    SubAllianceForm,
    TaskForm,
)
from alliances.models import Organisation, ScorecardMeasure, StartUpTask, SubAlliance
from core import hooks
from core.errors import DomainError
from core.views import apply_errors, require
from partnerships import permissions as core
from partnerships.forms.partnerships import lendrum_label
from partnerships.models import Partner, Partnership, PartnershipMember
from partnerships.selectors import (
    partnerships_editable_by,
    partnerships_of_my_cities,
    with_members,
)


def posted(request):
    """The form data of a POST (an empty one too: it shows its field errors), else None."""
    return request.POST if request.method == "POST" else None


def _viewable_partnership(request, pk: int) -> Partnership:
    """Sub-alliances are not public: the member cities' officers and admins (archived
    partnerships included, read-only)."""
    return get_object_or_404(with_members(partnerships_of_my_cities(request.user)), pk=pk)


def _editable_partnership(request, pk: int) -> Partnership:
    return get_object_or_404(with_members(partnerships_editable_by(request.user)), pk=pk)


def _sub_alliance(request, sub_alliance_id: int, *, manage: bool = True) -> SubAlliance:
    """A sub-alliance with its partnership and the partnership's members, if the user may
    manage (or, with manage=False, see) it; else 404."""
    sub_alliance = get_object_or_404(
        SubAlliance.objects.select_related("partnership"), pk=sub_alliance_id
    )
    prefetch_related_objects([sub_alliance.partnership], "members")
    check = permissions.can_manage_sub_alliances if manage else permissions.can_view_sub_alliances
    require(check(request.user, sub_alliance.partnership))
    return sub_alliance


def _detail_url(sub_alliance: SubAlliance, anchor: str = "") -> str:
    url = reverse("alliances:sub_alliance_detail", args=[sub_alliance.pk])
    return f"{url}#{anchor}" if anchor else url


# --- A partnership's sub-alliances ---------------------------------------------------------------


@login_required
@require_GET
def partnership_sub_alliances(request, pk: int):
    partnership = _viewable_partnership(request, pk)
    can_manage = permissions.can_manage_sub_alliances(request.user, partnership)
    sub_alliances = list(selectors.sub_alliances_of(partnership))
    rows = []
    for s in sub_alliances:
        rows.append(
            {
                "s": s,
                "parties": list(s.parties.all()),
                "strength": lendrum_label(s.strength),
            }
        )
    return render(
        request,
        "alliances/partnership_sub_alliances.html",
        {
            "partnership": partnership,
            "members": list(partnership.members.all()),
            "rows": rows,
            "can_manage": can_manage,
            "panels": hooks.collect(
                "alliances.partnership_panels", request, partnership, sub_alliances, can_manage
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sub_alliance_create(request, pk: int):
    partnership = _editable_partnership(request, pk)
    member_ids = [m.partner_id for m in partnership.members.all()]
    organisations = list(
        Organisation.objects.filter(partner_id__in=member_ids)
        .select_related("partner")
        .order_by("partner__name", "name")
    )
    form = SubAllianceForm(posted(request), organisations=organisations, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            sub_alliance = services.sub_alliance_create(
                partnership=partnership,
                user=request.user,
                organisations=list(data.pop("organisations")),
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Sub-alliance “%(sub_alliance)s” formed, with its five start-up tasks.")
                % {"sub_alliance": sub_alliance.name},
            )
            return redirect(_detail_url(sub_alliance))
    return render(
        request,
        "alliances/sub_alliance_form.html",
        {
            "partnership": partnership,
            "form": form,
            "no_organisations": not organisations,
            "cancel": reverse("alliances:partnership_sub_alliances", args=[partnership.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_add(request, pk: int):
    """An organisation of one of the partnership's cities, to become a party."""
    partnership = _editable_partnership(request, pk)
    member_ids = [m.partner_id for m in partnership.members.all()]
    if not core.is_admin(request.user):
        member_ids = [i for i in member_ids if i in core.city_ids(request.user)]
    cities = Partner.objects.filter(pk__in=member_ids).order_by("name")
    form = OrganisationForm(posted(request), cities=cities)
    back = reverse("alliances:sub_alliance_create", args=[partnership.pk])
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(organisation)s is added: choose it as a party.")
                % {"organisation": organisation.name},
            )
            return redirect(back)
    return render(
        request,
        "alliances/form_page.html",
        {
            "partnership": partnership,
            "form": form,
            "heading": _("Add an organisation"),
            "intro": _(
                "A municipal department, civil society organisation, school or donor "
                "agency of one of the partner cities. Businesses are added by their chamber."
            ),
            "submit": _("Add organisation"),
            "cancel": back,
        },
    )


# --- One sub-alliance ----------------------------------------------------------------------------


def _measure_sides(user, sub_alliance: SubAlliance, parties) -> list[Partner]:
    """The sides the user may add measures for: their own cities among the parties' sides."""
    sides = {p.partner_id: p.partner for p in parties}
    return [
        side
        for side_id, side in sorted(sides.items(), key=lambda kv: kv[1].name)
        if permissions.can_add_measure_for(user, sub_alliance.partnership, side_id)
    ]


@login_required
@require_GET
def sub_alliance_detail(request, sub_alliance_id: int):
    try:
        sub_alliance = selectors.sub_alliance_for_page(sub_alliance_id)
    except SubAlliance.DoesNotExist:
        raise Http404 from None
    partnership = sub_alliance.partnership
    prefetch_related_objects(
        [partnership],
        Prefetch("members", queryset=PartnershipMember.objects.select_related("partner")),
    )
    require(permissions.can_view_sub_alliances(request.user, partnership))
    user = request.user
    can_manage = permissions.can_manage_sub_alliances(user, partnership)
    parties = list(sub_alliance.parties.all())
    members = list(partnership.members.all())
    sides = [
        {"city": m.partner, "parties": [p for p in parties if p.partner_id == m.partner_id]}
        for m in members
    ]
    tasks = [
        {
            "task": t,
            "form": TaskForm(
                initial={"done": t.done, "done_on": t.done_on, "notes": t.notes},
                auto_id=f"task-{t.pk}-%s",
            )
            if can_manage
            else None,
        }
        for t in sub_alliance.startup_tasks.all()
    ]
    measures = [
        {
            "m": m,
            "can_change": permissions.can_add_measure_for(user, partnership, m.added_by_partner_id),
        }
        for m in sub_alliance.scorecard.all()
    ]
    scorecard = [
        {"dimension": d, "rows": [r for r in measures if r["m"].dimension == d.value]}
        for d in ScorecardMeasure.Dimension
    ]
    measure_sides = _measure_sides(user, sub_alliance, parties) if can_manage else []
    history = [
        {
            "r": r,
            "label": lendrum_label(r.strength),
            "previous": None if r.previous is None else lendrum_label(r.previous),
        }
        for r in sub_alliance.strength_records.all()
    ]
    return render(
        request,
        "alliances/sub_alliance_detail.html",
        {
            "sa": sub_alliance,
            "partnership": partnership,
            "sides": sides,
            "can_manage": can_manage,
            "strength_label": lendrum_label(sub_alliance.strength),
            "strength_form": StrengthForm(initial={"strength": sub_alliance.strength})
            if can_manage
            else None,
            "tasks": tasks,
            "tasks_done": sum(1 for t in tasks if t["task"].done),
            "scorecard": scorecard,
            "can_add_measure": bool(measure_sides),
            "history": history,
            "panels": hooks.collect(
                "alliances.sub_alliance_panels", request, sub_alliance, can_manage
            ),
        },
    )


def _form_page(request, sub_alliance, form, heading, submit, intro="", anchor=""):
    return render(
        request,
        "alliances/form_page.html",
        {
            "partnership": sub_alliance.partnership,
            "sub_alliance": sub_alliance,
            "form": form,
            "heading": heading,
            "intro": intro,
            "submit": submit,
            "cancel": _detail_url(sub_alliance, anchor),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def strength(request, sub_alliance_id: int):
    sub_alliance = _sub_alliance(request, sub_alliance_id)
    form = StrengthForm(posted(request), initial={"strength": sub_alliance.strength})
    if request.method == "POST" and form.is_valid():
        try:
            record = services.sub_alliance_set_strength(
                sub_alliance=sub_alliance,
                strength=form.cleaned_data["strength"],
                user=request.user,
                note=form.cleaned_data["note"].strip(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if record is None:
                messages.info(request, _("The strength is unchanged."))
            else:
                messages.success(
                    request,
                    _("Relationship strength set to %(strength)s.")
                    % {"strength": lendrum_label(record.strength)},
                )
            return redirect(_detail_url(sub_alliance, "strength"))
    return _form_page(
        request,
        sub_alliance,
        form,
        _("Relationship strength of “%(sub_alliance)s”") % {"sub_alliance": sub_alliance.name},
        _("Save strength"),
        anchor="strength",
    )


@login_required
@require_http_methods(["GET", "POST"])
def startup_task(request, sub_alliance_id: int, task_id: int):
    sub_alliance = _sub_alliance(request, sub_alliance_id)
    task = get_object_or_404(StartUpTask, pk=task_id, sub_alliance=sub_alliance)
    form = TaskForm(
        posted(request),
        initial={"done": task.done, "done_on": task.done_on, "notes": task.notes},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.startup_task_update(
                task=task,
                user=request.user,
                done=data["done"],
                notes=data["notes"],
                done_on=data["done_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            done_text = _("“%(task)s” is done.") if data["done"] else _("“%(task)s” is not done.")
            messages.success(request, done_text % {"task": task.get_kind_display()})
            return redirect(_detail_url(sub_alliance, "tasks"))
    return _form_page(
        request,
        sub_alliance,
        form,
        task.get_kind_display(),
        _("Save task"),
        anchor="tasks",
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_add(request, sub_alliance_id: int):
    sub_alliance = _sub_alliance(request, sub_alliance_id)
    parties = list(sub_alliance.parties.select_related("partner"))
    sides = _measure_sides(request.user, sub_alliance, parties)
    require(bool(sides))
    side_qs = Partner.objects.filter(pk__in=[s.pk for s in sides]).order_by("name")
    form = MeasureForm(posted(request), sides=side_qs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            measure = services.scorecard_measure_add(
                sub_alliance=sub_alliance,
                user=request.user,
                side=data["side"],
                dimension=data["dimension"],
                name=data["name"],
                unit=data["unit"],
                target=data["target"],
                actual=data["actual"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Measure “%(measure)s” added to the scorecard.") % {"measure": measure.name},
            )
            return redirect(_detail_url(sub_alliance, "scorecard"))
    return _form_page(
        request,
        sub_alliance,
        form,
        _("Add a measure to the shared scorecard"),
        _("Add measure"),
        intro=_("Each side adds its own measures; both sides see the whole scorecard."),
        anchor="scorecard",
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, sub_alliance_id: int, measure_id: int):
    sub_alliance = _sub_alliance(request, sub_alliance_id)
    measure = get_object_or_404(
        ScorecardMeasure.objects.select_related("added_by_partner"),
        pk=measure_id,
        sub_alliance=sub_alliance,
    )
    require(
        permissions.can_add_measure_for(
            request.user, sub_alliance.partnership, measure.added_by_partner_id
        )
    )
    form = MeasureUpdateForm(posted(request), instance=measure)
    if request.method == "POST" and form.is_valid():
        try:
            services.scorecard_measure_update(
                measure=measure, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Measure “%(name)s” saved.") % {"name": form.cleaned_data["name"]}
            )
            return redirect(_detail_url(sub_alliance, "scorecard"))
    return _form_page(
        request,
        sub_alliance,
        form,
        _("Measure of %(side)s") % {"side": measure.added_by_partner.name},
        _("Save measure"),
        anchor="scorecard",
    )


urlpatterns = [
    path(
        "partnerships/<id:pk>/",
        partnership_sub_alliances,
        name="partnership_sub_alliances",
    ),
    path("partnerships/<id:pk>/new/", sub_alliance_create, name="sub_alliance_create"),
    path("partnerships/<id:pk>/organisations/new/", organisation_add, name="organisation_add"),
    path("<id:sub_alliance_id>/", sub_alliance_detail, name="sub_alliance_detail"),
    path("<id:sub_alliance_id>/strength/", strength, name="strength"),
    path("<id:sub_alliance_id>/tasks/<id:task_id>/", startup_task, name="startup_task"),
    path("<id:sub_alliance_id>/measures/new/", measure_add, name="measure_add"),
    path("<id:sub_alliance_id>/measures/<id:measure_id>/", measure_edit, name="measure_edit"),
]
