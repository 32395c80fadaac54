"""The moves between steps: advance, return, and a city's confirmation of a joint move.

Every move goes through `services.partnership_move` (the one function that changes a step),
with the step the page showed (`from_step`), so that a move made from a stale page is refused.

The advance and the return answer JSON to a request that asks for it (`Accept:
application/json`: the dashboard's board, static/js/board.js): `{"ok": true, "step", "label",
"message"}`, or `{"ok": false, "message", "reasons", "step"}` with 400 (the request itself is
wrong: a form out of date, a return without a reason), 404 (a partnership the person may not
change, as for a page) or 409 (the move is refused: the gate's missing list, someone moved it
meanwhile, a drop two steps ahead). `step` is where the partnership stands after the answer.
A form post keeps its redirect: to the partnership's page, or to the local `next` it carries
(the board's buttons come back to the dashboard).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.views import local_next, report_refusal
from partnerships import services, workflow
from partnerships.forms.partnerships import AdvanceForm, MoveForm, ReturnForm
from partnerships.models import Partnership, Step, StepTransition
from partnerships.views.common import editable_partnership_or_404


def wants_json(request) -> bool:
    """Asked for explicitly: a browser's form post accepts `*/*` too, and gets its redirect."""
    return "application/json" in request.headers.get("Accept", "")


def _refused(status: int, message, reasons=(), step: int | None = None) -> JsonResponse:
    body = {"ok": False, "message": str(message), "reasons": [str(r) for r in reasons]}
    if step is not None:
        body["step"] = int(step)
    return JsonResponse(body, status=status)


def _moved(step: Step, message: str) -> JsonResponse:
    return JsonResponse(
        {"ok": True, "step": step.value, "label": str(step.label), "message": str(message)}
    )


def _done(request, as_json: bool, back: str, step: Step, message: str):
    """A move made: JSON for the board, else the message and the redirect back."""
    message = message % {"number": step.value, "step": step.label}
    if as_json:
        return _moved(step, message)
    messages.success(request, message)
    return redirect(back)


def _editable(request, pk: int) -> tuple[Partnership | None, JsonResponse | None]:
    """The partnership the user may change; to a JSON request the 404 is JSON as well."""
    try:
        return editable_partnership_or_404(request, pk), None
    except Http404:
        if not wants_json(request):
            raise
        return None, _refused(404, _("There is no such partnership, or you may not change it."))


def _stale_error(partnership: Partnership) -> DomainError:
    return DomainError(
        _(
            "Someone else moved this partnership to “%(step)s” meanwhile; here is where it "
            "stands now."
        )
        % {"step": partnership.step_label}
    )


def _out_of_date() -> DomainError:
    return DomainError(_("The page was out of date; try again."))


@login_required
@require_POST
def partnership_advance(request, pk: int):
    as_json = wants_json(request)
    partnership, refusal = _editable(request, pk)
    if refusal:
        return refusal
    back = local_next(request, reverse("partnerships:detail", args=[partnership.pk]))
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        if as_json:
            return _refused(400, _out_of_date().message, step=partnership.step)
        report_refusal(request, _out_of_date())
        return redirect(back)
    from_step = form.cleaned_data["from_step"]
    to_step = form.cleaned_data["to_step"] or from_step + 1
    try:
        services.partnership_move(
            partnership_id=partnership.pk,
            from_step=from_step,
            to_step=to_step,
            kind=StepTransition.Kind.ADVANCE,
            user=request.user,
        )
    except DomainError as exc:
        # Nothing changed by this request; but another may have moved it meanwhile (the one
        # that won a race): the step is read again, so the board puts the card where it is.
        if as_json:
            return _refused(409, exc.message, exc.missing, step=_step_now(partnership))
        report_refusal(request, exc)
        return redirect(back)
    message = _("The partnership moved on to step %(number)s: %(step)s.")
    return _done(request, as_json, back, Step(to_step), message)


def _step_now(partnership: Partnership) -> int:
    return Partnership.objects.values_list("step", flat=True).get(pk=partnership.pk)


def _return_problems(request, form: ReturnForm, partnership: Partnership) -> list[str]:
    """Why the posted return is refused, in the workflow's words where it has them."""
    to_step = form.cleaned_data.get("to_step") if "to_step" not in form.errors else None
    problems = workflow.problems_with_return(
        partnership, to_step or 0, request.POST.get("reason", "")
    )
    errors = [m for name, found in form.errors.items() if name != "from_step" for m in found]
    return problems or errors


@login_required
@require_http_methods(["GET", "POST"])
def partnership_return(request, pk: int):
    as_json = wants_json(request) and request.method == "POST"
    partnership, refusal = _editable(request, pk)
    if refusal:
        return refusal
    back = local_next(request, reverse("partnerships:detail", args=[partnership.pk]))
    if partnership.step == Step.STRATEGY:
        error = DomainError(_("The partnership is at the first step already."))
        if as_json:
            return _refused(409, error.message, step=partnership.step)
        report_refusal(request, error)
        return redirect(back)
    form = ReturnForm(request.POST if request.method == "POST" else None, partnership=partnership)
    if request.method == "POST":
        moved = MoveForm(request.POST)
        if not moved.is_valid():
            if as_json:
                return _refused(400, _out_of_date().message, step=partnership.step)
            report_refusal(request, _out_of_date())
            return redirect(back)
        if moved.cleaned_data["from_step"] != partnership.step:
            if as_json:
                return _refused(409, _stale_error(partnership).message, step=partnership.step)
            report_refusal(request, _stale_error(partnership))
            return redirect(back)
        if form.is_valid():
            to_step = form.cleaned_data["to_step"]
            try:
                services.partnership_move(
                    partnership_id=partnership.pk,
                    from_step=form.cleaned_data["from_step"],
                    to_step=to_step,
                    kind=StepTransition.Kind.RETURN,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                if as_json:
                    return _refused(409, exc.message, exc.missing, step=_step_now(partnership))
                report_refusal(request, exc)
                return redirect(back)
            message = _("The partnership returned to step %(number)s: %(step)s.")
            return _done(request, as_json, back, Step(to_step), message)
        if as_json:
            return _refused(
                400,
                _("The partnership cannot return there."),
                _return_problems(request, form, partnership),
                step=partnership.step,
            )
    return render(
        request,
        "partnerships/return_form.html",
        {"partnership": partnership, "form": form, "next": local_next(request, ""), "cancel": back},
    )


@login_required
@require_POST
def partnership_confirm(request, pk: int):
    partnership = editable_partnership_or_404(request, pk)
    detail = reverse("partnerships:detail", args=[partnership.pk])
    form = MoveForm(request.POST)
    # The page says which step it showed; never confirm a step the officer did not see.
    if not form.is_valid():
        report_refusal(request, _out_of_date())
        return redirect(detail)
    if form.cleaned_data["from_step"] != partnership.step:
        report_refusal(request, _stale_error(partnership))
        return redirect(detail)
    try:
        created = services.partnership_confirm_move(partnership=partnership, user=request.user)
    except DomainError as exc:
        report_refusal(request, exc)
        return redirect(detail)
    if created:
        cities = ", ".join(c.partner.name for c in created)
        messages.success(
            request,
            _("You confirmed leaving “%(step)s” for %(cities)s.")
            % {"step": partnership.step_label, "cities": cities},
        )
    else:
        messages.info(request, _("Your city has confirmed this move already."))
    return redirect(detail)


urlpatterns = [
    path("partnerships/<id:pk>/advance/", partnership_advance, name="advance"),
    path("partnerships/<id:pk>/return/", partnership_return, name="return"),
    path("partnerships/<id:pk>/confirm/", partnership_confirm, name="confirm"),
]
