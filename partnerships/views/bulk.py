"""Bulk actions on the partnership list (partnerships/bulk.py holds the actions and the run).

The list's form posts the ticked ids and the action here. An action with parameters first
shows a confirmation page (the partnerships selected and the action's form), which posts back
with the ids in hidden fields and `confirm`; then the action is applied row by row and the
report (what was done, what was refused and why) is kept in the session and shown by the
report page (Post/Redirect/Get: a reload shows it again and applies nothing). The export
answers its file at once. Bad input (no selection, an unknown action, ids that are not
numbers or come twice, too many) is said in a message on the list, and nothing is done.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core.access import holds_a_role
from core.forms import MAX_ID
from partnerships import bulk, selectors

REPORT_KEY = "partnerships.bulk_report"


def _list_url(query: str) -> str:
    """The list with the filters it was shown with (re-encoded: only a query string)."""
    params = QueryDict(query or "")
    url = reverse("partnerships:list")
    return f"{url}?{params.urlencode()}" if params else url


def _ids(values: list[str]) -> tuple[list[int], str | None]:
    """The ticked ids in their order, or what is wrong with them."""
    if not values:
        return [], _("Tick at least one partnership.")
    if len(values) > bulk.MAX_SELECTED:
        return [], _(
            "At most %(max)d partnerships at a time: %(n)d are ticked. Narrow the selection."
        ) % {"max": bulk.MAX_SELECTED, "n": len(values)}
    ids = []
    for value in values:
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
            return [], _("The selection is not understood: tick the partnerships again.")
        ids.append(int(text))
    if len(set(ids)) != len(ids):
        return [], _("A partnership is ticked twice: tick the partnerships again.")
    return ids, None


def list_context(request) -> dict:
    """What the list page needs for its bulk form (no query): the actions, for people with a
    role only, and the list's query, so that the form comes back to the list as it was."""
    return {
        "bulk_actions": bulk.actions() if holds_a_role(request) else [],
        "bulk_max": bulk.MAX_SELECTED,
        "list_query": request.GET.urlencode(),
    }


@login_required
@require_POST
def bulk_apply(request):
    post = request.POST
    back = _list_url(post.get("query", ""))
    chosen = bulk.action_for(post.get("action", ""))
    if chosen is None:
        messages.error(request, _("Choose an action from the list."))
        return redirect(back)
    ids, problem = _ids(post.getlist("ids"))
    if problem:
        messages.error(request, problem)
        return redirect(back)
    found = bulk.selected(request.user, ids)
    if chosen.download is not None and found:
        left_out = len(ids) - len(found)
        if left_out:
            messages.warning(
                request,
                ngettext(
                    "%(n)d selected partnership was not found or is not visible to you: it is "
                    "not in the file.",
                    "%(n)d selected partnerships were not found or are not visible to you: "
                    "they are not in the file.",
                    left_out,
                )
                % {"n": left_out},
            )
        qs = selectors.partnerships_visible_to(request.user).filter(pk__in=list(found))
        return chosen.download(request.user, qs)

    data = {}
    if chosen.form is not None and found:
        visible = [found[pk] for pk in ids if pk in found]
        form = chosen.form(
            post if "confirm" in post else None,
            prefix="params",
            user=request.user,
            partnerships=visible,
        )
        if not form.is_bound or not form.is_valid():
            if not form.is_bound:
                messages.info(request, _("Nothing is changed until you confirm."))
            return render(
                request,
                "partnerships/bulk_confirm.html",
                {
                    "action": chosen,
                    "form": form,
                    "ids": ids,
                    "partnerships": visible,
                    "not_visible": len(ids) - len(visible),
                    "query": post.get("query", ""),
                    "back": back,
                },
            )
        data = form.cleaned_data
    if chosen.download is not None:  # nothing the person may see was selected
        report = {"action": str(chosen.label), "done": [], "refused": []}
        report["refused"] = [bulk.not_visible_entry(pk) for pk in ids]
    else:
        report = bulk.run(chosen, request.user, ids, found, data)
    report["back"] = back
    request.session[REPORT_KEY] = report
    done, refused = len(report["done"]), len(report["refused"])
    summary = _("%(action)s: done for %(done)d, refused for %(refused)d.") % {
        "action": report["action"],
        "done": done,
        "refused": refused,
    }
    # Something done is a success (what was refused is on the report); nothing done, a warning.
    (messages.success if done else messages.warning)(request, summary)
    return redirect("partnerships:bulk_report")


@login_required
@require_GET
def bulk_report(request):
    """The report of the last bulk action of this session (it changes nothing)."""
    report = request.session.get(REPORT_KEY)
    if not isinstance(report, dict):
        report = None
    return render(
        request,
        "partnerships/bulk_report.html",
        {"report": report, "back": report.get("back") if report else _list_url("")},
    )


urlpatterns = [
    path("partnerships/bulk/", bulk_apply, name="bulk"),
    path("partnerships/bulk/report/", bulk_report, name="bulk_report"),
]
