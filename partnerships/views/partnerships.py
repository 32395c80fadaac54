"""The partnership pages: the list, create and edit, the partnership's own page (its walk
through the eight steps), champions and its documents (the moves between steps: moves.py).

Reading needs a partnership the user may see (`visible_partnership_or_404`); anything that
writes, the GET of a form included, needs one they may edit (`editable_partnership_or_404`).
Both answer 404 for another city's private partnership.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import CharField, DecimalField, F, QuerySet, Value
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import hooks
from core.documents import pdf_attachment
from core.errors import DomainError
from core.page_cache import cached_page
from core.querysets import compiled_once
from core.views import apply_errors, paginate, report_refusal, require
from partnerships import permissions, selectors, services, workflow
from partnerships.filters import SCOPE_MINE, PartnershipFilter
from partnerships.forms.partnerships import (
    ChampionForm,
    PartnershipCreateForm,
    PartnershipEditForm,
    PublishContactsForm,
    ReturnForm,
    lendrum_label,
)
from partnerships.forms.saved_views import SavedViewForm
from partnerships.health import stored as stored_health
from partnerships.models import (
    KPI,
    MOU,
    CooperationArea,
    LetterOfIntent,
    OfflineConfirmation,
    Partner,
    Partnership,
    PlanAction,
    SavedView,
    Step,
)
from partnerships.selectors import saved_views
from partnerships.selectors.signoff import offline_confirmations_for_page, sign_off_box
from partnerships.views.bulk import list_context as bulk_context
from partnerships.views.common import editable_partnership_or_404, visible_partnership_or_404
from partnerships.views.measurement import step_records

PER_PAGE = 25

# Links other apps add to a partnership's own page (partnerships never imports them): each is
# called with `(request, partnership, can_edit)` and returns a list of `{label, url, icon}`
# (a bootstrap-icons name). They run in the view, so the template asks no query.


def _detail_url(partnership: Partnership, step: int | None = None) -> str:
    url = reverse("partnerships:detail", args=[partnership.pk])
    return f"{url}?step={int(step)}#step-{int(step)}" if step else url


# --- The list ------------------------------------------------------------------------------


@login_required
@require_GET
@cached_page(portfolio=True)  # the reader's cities' partnerships only
def partnership_list(request):
    views, default = saved_views.views_and_default(request.user)
    data, view = _list_filters(request, views, default)
    today = timezone.localdate()
    # The rows come with their stored health: the score is read from the page's own query.
    rows = selectors.rows_visible_to(request.user)
    filters = PartnershipFilter(data, queryset=rows, request=request)
    paged = paginate(
        request, filters.qs, PER_PAGE, read=lambda page: stored_health.attach(page, today)
    )
    return render(
        request,
        "partnerships/partnership_list.html",
        {
            "filters": filters,
            **paged,
            "partnerships": paged["page"].object_list,
            "scope_mine": data.get("scope") == SCOPE_MINE,
            "can_create": permissions.is_admin(request.user)
            or permissions.is_officer(request.user),
            **_saved_views_context(request, data, view, views, default),
            **bulk_context(request),
        },
    )


def _list_filters(request, views: list[SavedView], default: SavedView | None):
    """The filters the list shows, and the saved view they come from: the view `?view=<id>`,
    else the person's default view when the list is asked for with nothing, else the page's
    own. `?view=` (empty) is the list with no filter, default or not; a view the person may
    not use is ignored."""
    params = request.GET
    view = None
    if "view" in params:
        view = next((v for v in views if str(v.pk) == params.get("view")), None)
    elif not params:
        view = default
    return (QueryDict(view.query), view) if view else (params, None)


def _with_scope(query: str, scope: str | None) -> str:
    params = QueryDict(query, mutable=True)
    params.pop("scope", None)
    if scope:
        params["scope"] = scope
    return params.urlencode() or "view="


def _saved_views_context(request, data, view, views, default) -> dict:
    query = saved_views.query_of(data)
    return {
        # The pills keep the filters shown (a view's too); "?view=" when none is left, so
        # that the person's default view does not come back in their place.
        "scope_all_query": _with_scope(query, None),
        "scope_mine_query": _with_scope(query, SCOPE_MINE),
        "saved_views": views,
        "active_view": view,
        "default_view": default,
        "view_form": SavedViewForm(
            user=request.user,
            initial={"query": query, "name": view.name if view else ""},
        ),
    }


# --- Create and edit -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def partnership_create(request):
    require(permissions.is_admin(request.user) or permissions.is_officer(request.user))
    form = PartnershipCreateForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        home = data.pop("home")
        try:
            partnership = services.partnership_create(home=home, user=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("“%(title)s” is created, in step 1: Strategy.") % {"title": partnership.title},
            )
            return redirect("partnerships:detail", pk=partnership.pk)
    return render(
        request,
        "partnerships/partnership_form.html",
        {"form": form, "heading": _("New partnership"), "submit": _("Create partnership")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request, pk: int):
    partnership = editable_partnership_or_404(request, pk)
    form = PartnershipEditForm(
        request.POST if request.method == "POST" else None, instance=partnership
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        areas = data.pop("areas")
        try:
            services.partnership_update(
                partnership=partnership, user=request.user, areas=areas, **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The partnership is saved."))
            return redirect("partnerships:detail", pk=partnership.pk)
    return render(
        request,
        "partnerships/partnership_form.html",
        {
            "form": form,
            "partnership": partnership,
            "heading": _("Edit “%(title)s”") % {"title": partnership.title},
            "submit": _("Save"),
            "cancel": reverse("partnerships:detail", args=[partnership.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def champion_add(request, pk: int):
    partnership = editable_partnership_or_404(request, pk)
    form = ChampionForm(request.POST if request.method == "POST" else None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            services.champion_add(partnership=partnership, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("%(name)s is a champion now.") % {"name": form.cleaned_data["name"]}
            )
            return redirect(_detail_url(partnership, Step.STRATEGY))
    return render(
        request,
        "partnerships/partnership_form.html",
        {
            "form": form,
            "partnership": partnership,
            "heading": _("Add a champion"),
            "intro": _(
                "A champion is a senior person on one side who keeps the partnership "
                "alive: name a deputy too, so that it survives elections and staff moving on."
            ),
            "submit": _("Add champion"),
            "cancel": _detail_url(partnership, Step.STRATEGY),
        },
    )


# --- The partnership's page ----------------------------------------------------------------


def _steps(partnership: Partnership, checklists: dict, shown: int) -> list[dict]:
    """The eight steps as the page draws them: open are the one shown and the current one;
    the others' bodies are loaded when opened (`?panel=N`, by htmx), their summary line is
    drawn with the page."""
    steps = []
    for step in Step:
        checklist = checklists[step]
        steps.append(
            {
                "step": step,
                "purpose": workflow.STEPS[step].purpose,
                "panel": workflow.STEPS[step].template,
                "state": "done"
                if step < partnership.step
                else "current"
                if step == partnership.step
                else "todo",
                "checklist": checklist,
                "met": sum(r.met for r in checklist),
                "shown": step == shown,
                "open": step in (shown, partnership.step),
            }
        )
    return steps


def _agreements(partnership: Partnership) -> dict:
    """The one-to-one records the steps' panels show, read with the page's row."""
    return {
        "decision": _one(partnership, "selection_decision"),
        "letter": _one(partnership, "letter_of_intent"),
        "plan": _one(partnership, "business_plan"),
    }


def _one(obj, name: str):
    """A reverse one-to-one (loaded with select_related) or None."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _shown_step(value, current: int) -> int:
    try:
        step = int(value)
    except (TypeError, ValueError):
        return current
    return step if step in Step.values else current


def _advance_blockers(partnership: Partnership, checklist) -> list[str]:
    """What stands between the partnership and the next step (as `workflow.missing_to_advance`,
    from the checklist the page has read already rather than asking again)."""
    if partnership.status != Partnership.Status.ACTIVE:
        return [
            _("Reactivate the partnership first (it is %(status)s).")
            % {"status": partnership.get_status_display()}
        ]
    return [r.text for r in checklist if not r.met]


def _person(user) -> str:
    if user is None:
        return _("someone")
    return user.get_full_name() or user.username


def _step_artefacts(partnership: Partnership, step: int) -> dict:
    """The full artefacts of the one step the page shows open (a fixed number of queries)."""
    if step == Step.STRATEGY:
        return {"champions": list(partnership.champions.select_related("partner"))}
    if step in (Step.SEARCH, Step.APPROACH, Step.SELECTION):
        return {"candidates": selectors.candidates_for_page(partnership)}
    if step == Step.PLANNING:
        actions, kpis = _planning_records(partnership)
        return {"actions": actions, "kpis": kpis}
    if step == Step.AGREEMENT:
        return {"mous": selectors.mous_for_page(partnership)}
    if step == Step.IMPLEMENTATION:
        return {"activities": selectors.recent_activities(partnership)}
    reviews, lessons = step_records(partnership)
    return {"reviews": reviews, "lessons": lessons}


@compiled_once(maxsize=1)
def _planning_rows(pk: int) -> QuerySet:
    """The UNION `_planning_records` reads, for the partnership `pk` (compiled once)."""
    columns = ("r_src", "r_id", "r_text", "r_by", "r_side", "r_due", "r_status", "r_low", "r_high")
    amount = DecimalField(max_digits=14, decimal_places=2)
    kpis = (
        KPI.objects.filter(partnership_id=pk)
        .order_by()
        .annotate(
            r_src=Value("kpi", output_field=CharField()),
            r_id=F("pk"),
            r_text=F("name"),
            r_by=F("unit"),
            r_side=F("area__name"),
            r_due=F("target_date"),
            r_status=Value("", output_field=CharField()),
            r_low=F("baseline"),
            r_high=F("target"),
        )
        .values_list(*columns)
    )
    actions = (
        PlanAction.objects.filter(plan__partnership_id=pk)
        .order_by()
        .annotate(
            r_src=Value("action", output_field=CharField()),
            r_id=F("pk"),
            r_text=F("description"),
            r_by=F("owner"),
            r_side=F("owner_partner__name"),
            r_due=F("due_on"),
            r_status=F("status"),
            r_low=Value(None, output_field=amount),
            r_high=Value(None, output_field=amount),
        )
        .values_list(*columns)
    )
    return kpis.union(actions, all=True).order_by("r_src", "r_due", "r_text", "r_id")


def _planning_records(partnership: Partnership) -> tuple[list[PlanAction], list[KPI]]:
    """The business plan's actions (by due date) and the KPIs (by name) in ONE query, a UNION
    of the two tables in the same columns: the page shows the health check too, within its
    query budget."""
    found_actions, found_kpis = [], []
    for src, pk, text, by, side, due, status, low, high in _planning_rows(partnership.pk):
        if src == "kpi":
            kpi = KPI(pk=pk, name=text, unit=by, baseline=low, target=high, target_date=due)
            kpi.area = CooperationArea(name=side) if side else None
            found_kpis.append(kpi)
        else:
            action = PlanAction(pk=pk, description=text, owner=by, due_on=due, status=status)
            action.owner_partner = Partner(name=side) if side else None
            found_actions.append(action)
    # The query orders by due date first; the KPIs read by name.
    found_kpis.sort(key=lambda k: (k.name, k.pk))
    return found_actions, found_kpis


@login_required
@require_GET
@cached_page(portfolio=True)  # visible only to its own cities' officers
def partnership_detail(request, pk: int):
    partnership = selectors.partnership_for_page(request.user, pk)
    can_edit = permissions.can_edit_partnership(request.user, partnership)
    checklists = workflow.all_requirements(partnership)
    shown = _shown_step(request.GET.get("step"), partnership.step)
    members = list(partnership.members.all())
    home = next((m for m in members if m.role == m.Role.HOME), None)
    steps = _steps(partnership, checklists, shown)
    panel = _shown_step(request.GET.get("panel"), 0) if request.htmx else 0
    if panel:
        # A closed step opened in the browser: its body alone, as the page draws an open step
        # that is not shown in full (its records are one link further, `?step=N`).
        return render(
            request,
            "partnerships/_step_panel.html",
            {
                "s": {**steps[panel - 1], "open": True, "shown": False},
                "partnership": partnership,
                "can_edit": can_edit,
                "home": home,
                "artefacts": {},
                **_agreements(partnership),
            },
        )
    at_last_step = partnership.step >= workflow.LAST_STEP
    context = {
        "partnership": partnership,
        "members": members,
        "home": home,
        "can_edit": can_edit,
        "steps": steps,
        "shown": shown,
        "artefacts": _step_artefacts(partnership, shown),
        **_agreements(partnership),
        "strength_label": lendrum_label(partnership.relationship_strength),
        "at_last_step": at_last_step,
        "blockers": []
        if at_last_step
        else _advance_blockers(partnership, checklists[partnership.step]),
        "next_step": None if at_last_step else Step(partnership.step + 1),
        "return_form": ReturnForm(partnership=partnership) if partnership.step > 1 else None,
        "sign_off": sign_off_box(
            partnership, request.user, can_edit, offline_confirmations_for_page(partnership)
        ),
        "timeline": selectors.timeline(partnership),
        "history": selectors.history_entries(partnership),
        "health": stored_health.attach([partnership], timezone.localdate())[0].health,
        "my_city_ids": permissions.city_ids(request.user),
        "is_admin": permissions.is_admin(request.user),
        "panels": hooks.collect("partnership.panels", request, partnership, can_edit),
        "extra_links": [
            link
            for links in hooks.collect("partnership.links", request, partnership, can_edit)
            for link in links
        ],
    }
    return render(request, "partnerships/partnership_detail.html", context)


# --- Documents -----------------------------------------------------------------------------

# The evidence of a confirmation given outside the portal is as private as the agreements.
DOCUMENTS = {"mou": MOU, "loi": LetterOfIntent, "offline": OfflineConfirmation}


@login_required
@require_GET
def document(request, pk: int, kind: str, doc_id: int):
    """An agreement's PDF, only to those who may see the partnership it belongs to."""
    partnership = visible_partnership_or_404(request, pk)
    model = DOCUMENTS.get(kind)
    require(model is not None)
    record = get_object_or_404(model, pk=doc_id, partnership=partnership)
    require(bool(record.document))
    try:
        handle = record.document.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    name = slugify(partnership.title) or f"partnership-{partnership.pk}"
    return pdf_attachment(handle, f"{name}-{kind}.pdf", cache_control="private, no-store")


@login_required
@require_POST
def publish_contacts(request, pk: int):
    """A side's officers show (or hide) their own champions in the registry."""
    partnership = editable_partnership_or_404(request, pk)
    form = PublishContactsForm(request.POST)
    require(form.is_valid())
    partner = get_object_or_404(
        Partner.objects.filter(memberships__partnership=partnership),
        pk=form.cleaned_data["partner"],
    )
    publish = form.cleaned_data["publish"]
    try:
        services.member_publish_contacts(
            partnership=partnership, partner=partner, publish=publish, user=request.user
        )
    except DomainError as exc:
        report_refusal(request, exc)
    else:
        if publish:
            text = _("%(city)s's contacts are shown in the registry.")
        else:
            text = _("%(city)s's contacts are no longer shown in the registry.")
        messages.success(request, text % {"city": partner.name})
    return redirect("partnerships:detail", pk=partnership.pk)


urlpatterns = [
    path("partnerships/", partnership_list, name="list"),
    path("partnerships/new/", partnership_create, name="create"),
    path("partnerships/<id:pk>/", partnership_detail, name="detail"),
    path("partnerships/<id:pk>/edit/", partnership_edit, name="edit"),
    path("partnerships/<id:pk>/champions/add/", champion_add, name="champion_add"),
    path("partnerships/<id:pk>/publish-contacts/", publish_contacts, name="publish_contacts"),
    path(
        "partnerships/<id:pk>/documents/<str:kind>/<id:doc_id>/",
        document,
        name="document",
    ),
]
