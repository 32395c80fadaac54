"""Steps 5-7: planning (letter of intent, business plan, actions, KPIs), the MOU and its
signing, and activities. (Step 8, reviews and lessons, is in `views/measurement.py`.)

Every page here writes, so every page (its GET too) needs a partnership the user may edit.
A page may be used whatever step the partnership is at (a plan is corrected during
implementation, a lesson recorded at any time); the page says so when it is not the
partnership's current step. A successful save goes back to the step's section of the
partnership's page. (One route beyond the shared list of names: `action_status`, the
plan's inline status change, which returns to the plan, or redraws just the row with htmx.)
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.views import apply_errors, report_refusal
from partnerships import services
from partnerships.forms.delivery import (
    ActionStatusForm,
    ActivityForm,
    BusinessPlanForm,
    KPIForm,
    LetterOfIntentForm,
    MOUForm,
    MOUSignForm,
    PlanActionForm,
    SignatoryFormSet,
)
from partnerships.models import (
    KPI,
    MOU,
    BusinessPlan,
    CooperationArea,
    LetterOfIntent,
    MOUSignatory,
    Partner,
    Partnership,
    PartnershipMember,
    PlanAction,
    Step,
)
from partnerships.views.common import editable_partnership_or_404

RECENT_ROWS = 25

# The pages of each step, for the small navigation between them.
STEP_PAGES: dict[Step, list[tuple[str, Promise]]] = {
    Step.PLANNING: [
        ("letter_of_intent", gettext_lazy("Letter of intent")),
        ("business_plan", gettext_lazy("Business plan and actions")),
        ("kpi_add", gettext_lazy("KPIs")),
    ],
    Step.AGREEMENT: [("mou", gettext_lazy("Memorandum of understanding"))],
    Step.IMPLEMENTATION: [("activity_add", gettext_lazy("Activities"))],
}


# --- Shared plumbing -----------------------------------------------------------------------


def _partnership(request, pk: int) -> Partnership:
    """The partnership if the user may edit it (else 404), with its member cities loaded once
    for the permission re-check in the services and for the "side" choices."""
    partnership = editable_partnership_or_404(request, pk)
    prefetch_related_objects(
        [partnership],
        Prefetch(
            "members",
            queryset=PartnershipMember.objects.select_related("partner").order_by(
                "role", "partner__name"
            ),
        ),
    )
    return partnership


def _partners(partnership: Partnership) -> list[Partner]:
    return [member.partner for member in partnership.members.all()]


def _section(partnership: Partnership, step: Step) -> str:
    return reverse("partnerships:detail", args=[partnership.pk]) + f"#step-{int(step)}"


def _render(request, template: str, partnership: Partnership, step: Step, page: str, **context):
    context.update(
        partnership=partnership,
        page_step=step,
        page_name=page,
        page_title=dict(STEP_PAGES[step])[page],
        off_step=partnership.step != step,
        current_step_label=partnership.step_label,
        section_url=_section(partnership, step),
        step_pages=[
            (reverse(f"partnerships:{name}", args=[partnership.pk]), label, name == page)
            for name, label in STEP_PAGES[step]
        ],
    )
    return render(request, f"partnerships/delivery/{template}", context)


def _save(request, form, write: Callable[[], object], *forms_extra) -> bool:
    """Validate a POSTed form (and any formsets) and call the service; on a refusal or a
    service's ValidationError, put the messages on the form, hold its checked upload (forms
    with a document) and report failure."""
    if request.method != "POST":
        return False
    valid = form.is_valid()
    valid = all([valid, *(extra.is_valid() for extra in forms_extra)])
    if valid:
        try:
            write()
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
            for item in exc.missing:
                form.add_error(None, item)
        else:
            if hasattr(form, "upload_used"):
                form.upload_used()
            return True
    if hasattr(form, "keep_upload"):
        form.keep_upload()  # a checked PDF is not lost to another field's error
    return False


def _done(request, partnership: Partnership, step: Step, again_url: str):
    """Where a saved form goes: back to the same form, empty, when its "and another" button
    was pressed (templates/_form.html, `another`); otherwise to the step on the partnership's
    page."""
    if request.POST.get("another"):
        return redirect(again_url)
    return redirect(_section(partnership, step))


def _post(request):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


# --- Step 5: planning ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def letter_of_intent(request, pk: int):
    partnership = _partnership(request, pk)
    letter = LetterOfIntent.objects.filter(partnership=partnership).first()
    form = LetterOfIntentForm(
        *_post(request),
        instance=letter,
        holder=request.user,
        hold_scope=f"letter_of_intent:{partnership.pk}",
    )

    def write():
        data = form.cleaned_data
        services.letter_of_intent_save(
            partnership=partnership,
            user=request.user,
            signed_on=data["signed_on"],
            signed_by=data["signed_by"],
            summary=data["summary"],
            document=form.document_change(),
        )

    if _save(request, form, write):
        messages.success(request, _("Letter of intent saved."))
        return redirect(_section(partnership, Step.PLANNING))
    return _render(
        request,
        "letter_of_intent.html",
        partnership,
        Step.PLANNING,
        "letter_of_intent",
        form=form,
        letter=letter,
    )


def _plan_page(request, partnership, *, plan, plan_form=None, action_form=None, page):
    actions = list(plan.actions.select_related("owner_partner")) if plan else []
    return _render(
        request,
        "business_plan.html",
        partnership,
        Step.PLANNING,
        page,
        plan=plan,
        plan_form=plan_form or BusinessPlanForm(instance=plan),
        action_form=action_form or PlanActionForm(partners=_partners(partnership)),
        actions=actions,
        status_choices=PlanAction.Status.choices,
    )


@login_required
@require_http_methods(["GET", "POST"])
def business_plan(request, pk: int):
    partnership = _partnership(request, pk)
    plan = BusinessPlan.objects.filter(partnership=partnership).first()
    form = BusinessPlanForm(_post(request)[0], instance=plan)

    def write():
        services.business_plan_save(partnership=partnership, user=request.user, **form.cleaned_data)

    if _save(request, form, write):
        messages.success(request, _("Business plan saved."))
        return redirect(_section(partnership, Step.PLANNING))
    return _plan_page(request, partnership, plan=plan, plan_form=form, page="business_plan")


@login_required
@require_http_methods(["GET", "POST"])
def action_add(request, pk: int):
    partnership = _partnership(request, pk)
    plan = BusinessPlan.objects.filter(partnership=partnership).first()
    form = PlanActionForm(_post(request)[0], partners=_partners(partnership))

    def write():
        services.plan_action_add(partnership=partnership, user=request.user, **form.cleaned_data)

    if _save(request, form, write):
        messages.success(request, _("Action added to the business plan."))
        again = reverse("partnerships:business_plan", args=[partnership.pk]) + "#add-action"
        return _done(request, partnership, Step.PLANNING, again)
    return _plan_page(request, partnership, plan=plan, action_form=form, page="business_plan")


@login_required
@require_POST
def action_status(request, pk: int, action_id: int):
    """Change one action's status from the plan's list; with htmx, only its row is redrawn."""
    partnership = _partnership(request, pk)
    action = get_object_or_404(
        PlanAction.objects.select_related("owner_partner"),
        pk=action_id,
        plan__partnership=partnership,
    )
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            action = services.plan_action_set_status(
                action=action, status=form.cleaned_data["status"], user=request.user
            )
        except (DomainError, ValidationError) as exc:
            report_refusal(request, exc)
        else:
            if not request.htmx:
                messages.success(
                    request,
                    _("“%(action)s” is now %(status)s.")
                    % {
                        "action": action.description,
                        "status": action.get_status_display().lower(),
                    },
                )
    elif not request.htmx:
        messages.error(request, _("Choose open, done or dropped."))
    if request.htmx:
        action = PlanAction.objects.select_related("owner_partner").get(pk=action.pk)
        return render(
            request,
            "partnerships/delivery/_action_row.html",
            {
                "action": action,
                "partnership": partnership,
                "status_choices": PlanAction.Status.choices,
                "form": form,  # an invalid status is said in the row itself
            },
        )
    return redirect(reverse("partnerships:business_plan", args=[partnership.pk]) + "#actions")


@login_required
@require_http_methods(["GET", "POST"])
def kpi_add(request, pk: int):
    partnership = _partnership(request, pk)
    own_areas = CooperationArea.objects.filter(partnerships=partnership)
    # The partnership's own areas when it has named any; otherwise every area.
    areas = own_areas if own_areas.exists() else CooperationArea.objects.all()
    form = KPIForm(_post(request)[0], partnership=partnership, areas=areas.order_by("name"))

    def write():
        services.kpi_add(partnership=partnership, user=request.user, **form.cleaned_data)

    if _save(request, form, write):
        messages.success(request, _("KPI agreed."))
        again = reverse("partnerships:kpi_add", args=[partnership.pk]) + "#kpi-add-heading"
        return _done(request, partnership, Step.PLANNING, again)
    kpis = list(KPI.objects.filter(partnership=partnership).select_related("area"))
    return _render(
        request, "kpis.html", partnership, Step.PLANNING, "kpi_add", form=form, kpis=kpis
    )


# --- Step 6: the MOU -----------------------------------------------------------------------


def _mous(partnership: Partnership) -> tuple[MOU | None, MOU | None, list[MOU]]:
    """(draft, signed, every MOU) with their areas and signatories, in three queries."""
    mous = list(
        MOU.objects.filter(partnership=partnership)
        .prefetch_related(
            "areas",
            Prefetch(
                "signatories",
                queryset=MOUSignatory.objects.select_related("partner").order_by("id"),
            ),
        )
        .order_by("-id")
    )
    draft = next((m for m in mous if m.status == MOU.Status.DRAFT), None)
    signed = next((m for m in mous if m.status == MOU.Status.SIGNED), None)
    return draft, signed, mous


def _signatory_formset(partnership, draft, data=None):
    initial = [
        {"partner": s.partner_id, "name": s.name, "title": s.title}
        for s in (draft.signatories.all() if draft else [])
    ]
    return SignatoryFormSet(
        data, initial=initial, prefix="signatories", partners=_partners(partnership)
    )


def _mou_page(request, partnership, *, draft, signed, mous, form, formset, sign_form=None):
    if sign_form is None and draft is not None:
        sign_form = MOUSignForm()
    return _render(
        request,
        "mou.html",
        partnership,
        Step.AGREEMENT,
        "mou",
        draft=draft,
        signed=signed,
        past=[m for m in mous if m not in (draft, signed)],
        form=form,
        formset=formset,
        sign_form=sign_form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def mou(request, pk: int):
    partnership = _partnership(request, pk)
    draft, signed, mous = _mous(partnership)
    if draft is None and signed is not None:
        # A signed MOU is read-only: amending it is a renewal, which starts from a review.
        if request.method == "POST":
            report_refusal(
                request,
                DomainError(
                    _(
                        "This partnership's MOU is signed and cannot be edited; it is amended "
                        "by renewing it after a review."
                    )
                ),
            )
            return redirect("partnerships:mou", pk=partnership.pk)
        return _mou_page(
            request, partnership, draft=None, signed=signed, mous=mous, form=None, formset=None
        )

    form = MOUForm(
        *_post(request), instance=draft, holder=request.user, hold_scope=f"mou:{partnership.pk}"
    )
    formset = _signatory_formset(partnership, draft, _post(request)[0])

    def write():
        data = form.cleaned_data
        services.mou_save(
            partnership=partnership,
            user=request.user,
            mou=draft,
            areas=data["areas"],
            signatories=formset.signatories(),
            document=form.document_change(),
            **{
                name: data[name]
                for name in (
                    "effective_on",
                    "expires_on",
                    "termination_conditions",
                    "other_terms",
                    "ceremony_on",
                    "ceremony_place",
                )
            },
        )

    if _save(request, form, write, formset):
        messages.success(request, _("Draft MOU saved."))
        return redirect(_section(partnership, Step.AGREEMENT))
    return _mou_page(
        request, partnership, draft=draft, signed=signed, mous=mous, form=form, formset=formset
    )


@login_required
@require_POST
def mou_sign(request, pk: int):
    partnership = _partnership(request, pk)
    draft, signed, mous = _mous(partnership)
    sign_form = MOUSignForm(request.POST)
    if request.POST.get("mou"):
        # Sign the draft the person saw, when the page says which (there is normally one).
        wanted = request.POST["mou"]
        draft = next(
            (m for m in mous if m.status == MOU.Status.DRAFT and str(m.pk) == wanted), None
        )
    if draft is None:
        report_refusal(request, DomainError(_("There is no draft MOU to sign.")))
        return redirect("partnerships:mou", pk=partnership.pk)
    if not sign_form.is_valid():
        return _mou_page(
            request,
            partnership,
            draft=draft,
            signed=signed,
            mous=mous,
            form=MOUForm(instance=draft),
            formset=_signatory_formset(partnership, draft),
            sign_form=sign_form,
        )
    try:
        services.mou_sign(mou=draft, signed_on=sign_form.cleaned_data["signed_on"])
    except (DomainError, ValidationError) as exc:
        report_refusal(request, exc)
        return redirect("partnerships:mou", pk=partnership.pk)
    messages.success(request, _("The MOU is signed."))
    return redirect(_section(partnership, Step.AGREEMENT))


# --- Step 7: activities ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def activity_add(request, pk: int):
    partnership = _partnership(request, pk)
    form = ActivityForm(_post(request)[0])

    def write():
        services.activity_log(partnership=partnership, user=request.user, **form.cleaned_data)

    if _save(request, form, write):
        messages.success(request, _("Activity logged."))
        return redirect(_section(partnership, Step.IMPLEMENTATION))
    activities = list(partnership.activities.select_related("created_by")[:RECENT_ROWS])
    return _render(
        request,
        "activities.html",
        partnership,
        Step.IMPLEMENTATION,
        "activity_add",
        form=form,
        activities=activities,
    )


urlpatterns = [
    path("partnerships/<id:pk>/planning/letter/", letter_of_intent, name="letter_of_intent"),
    path("partnerships/<id:pk>/planning/plan/", business_plan, name="business_plan"),
    path("partnerships/<id:pk>/planning/actions/add/", action_add, name="action_add"),
    path(
        "partnerships/<id:pk>/planning/actions/<id:action_id>/status/",
        action_status,
        name="action_status",
    ),
    path("partnerships/<id:pk>/planning/kpis/add/", kpi_add, name="kpi_add"),
    path("partnerships/<id:pk>/mou/", mou, name="mou"),
    path("partnerships/<id:pk>/mou/sign/", mou_sign, name="mou_sign"),
    path("partnerships/<id:pk>/activities/add/", activity_add, name="activity_add"),
]
