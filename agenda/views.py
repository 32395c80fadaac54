"""The pages of scheduled activities: "my activities", a partnership's and a sub-alliance's
(where new ones are scheduled), and the completion and cancelling of one (POST). Who may not
see the record gets a 404, as for the record itself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agenda import panels, permissions, selectors, services
from agenda.forms import CompleteForm, ScheduleForm
from agenda.models import LATER, OVERDUE, THIS_WEEK, TODAY, ScheduledActivity
from alliances.models import SubAlliance
from core.errors import DomainError
from core.formatting import day
from core.views import apply_errors, local_next, posted, report_refusal, require
from partnerships.models import Partnership, PartnershipMember
from partnerships.selectors import person

GROUPS = (
    (OVERDUE, gettext_lazy("Overdue")),
    (TODAY, gettext_lazy("Today")),
    (THIS_WEEK, gettext_lazy("This week")),
    (LATER, gettext_lazy("Later")),
)


def record_url(activity: ScheduledActivity) -> str:
    if activity.sub_alliance_id:
        return reverse("agenda:sub_alliance", args=[activity.sub_alliance_id])
    return reverse("agenda:partnership", args=[activity.partnership_id])


@login_required
@require_GET
def mine(request):
    if request.htmx:  # the dashboard's panel, fetched once the dashboard has loaded
        return render(
            request, "agenda/_dashboard_panel.html", {"panel": panels.my_panel(request.user)}
        )
    agenda = selectors.my_agenda(request.user)
    groups = [
        {"code": code, "label": label, "rows": [_row(request.user, a) for a in agenda.groups[code]]}
        for code, label in GROUPS
        if agenda.groups[code]
    ]
    return render(
        request,
        "agenda/mine.html",
        {"agenda": agenda, "groups": groups, "today": agenda.today},
    )


def _record_page(request, partnership: Partnership, sub_alliance=None):
    user = request.user
    require(permissions.can_see(user, partnership, sub_alliance))
    can_schedule = permissions.can_schedule(user, partnership, sub_alliance)
    form = None
    if can_schedule:
        form = ScheduleForm(
            posted(request), partnership=partnership, user=user, sub_alliance=sub_alliance
        )
    elif request.method == "POST":
        raise Http404
    if sub_alliance is not None and request.htmx and request.method == "GET":
        # The sub-alliance page's panel, fetched once that page has loaded.
        panel = panels.record_panel(sub_alliance, can_schedule)
        return render(request, "agenda/_sub_alliance_panel.html", {"panel": panel})
    if form is not None and form.is_bound and form.is_valid():
        try:
            activity = services.activity_schedule(
                user=user, partnership=partnership, sub_alliance=sub_alliance, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            report_refusal(request, exc)
        else:
            messages.success(
                request,
                _("Scheduled: %(summary)s, for %(person)s by %(day)s.")
                % {
                    "summary": activity.summary,
                    "person": person(activity.assignee),
                    "day": day(activity.due_on),
                },
            )
            return redirect(request.path)
    open_rows, done = selectors.for_record(partnership, sub_alliance)
    return render(
        request,
        "agenda/record.html",
        {
            "partnership": partnership,
            "sub_alliance": sub_alliance,
            "record": sub_alliance or partnership,
            "open_rows": [_row(user, a) for a in open_rows],
            "done": done,
            "form": form,
            "today": timezone.localdate(),
        },
    )


def _row(user, activity: ScheduledActivity) -> dict:
    return {
        "a": activity,
        "can_complete": permissions.can_complete(user, activity),
        "can_cancel": permissions.can_cancel(user, activity),
    }


def _members(partnership: Partnership) -> None:
    prefetch_related_objects(
        [partnership],
        Prefetch("members", queryset=PartnershipMember.objects.select_related("partner")),
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_activities(request, pk: int):
    partnership = get_object_or_404(Partnership, pk=pk)
    _members(partnership)
    return _record_page(request, partnership)


@login_required
@require_http_methods(["GET", "POST"])
def sub_alliance_activities(request, sub_alliance_id: int):
    sub_alliance = get_object_or_404(
        SubAlliance.objects.select_related("partnership"), pk=sub_alliance_id
    )
    _members(sub_alliance.partnership)
    return _record_page(request, sub_alliance.partnership, sub_alliance)


def _activity(request, activity_id: int) -> ScheduledActivity:
    """The activity, if the user may see its record; else 404."""
    activity = get_object_or_404(
        ScheduledActivity.objects.select_related("partnership", "sub_alliance", "assignee"),
        pk=activity_id,
    )
    _members(activity.partnership)
    require(permissions.can_see(request.user, activity.partnership, activity.sub_alliance))
    return activity


@login_required
@require_http_methods(["GET", "POST"])
def complete(request, activity_id: int):
    """Mark done with an outcome: posted from a list (which it returns to), or this page's own
    form, which keeps what was typed when something is wrong."""
    activity = _activity(request, activity_id)
    back = local_next(request, record_url(activity))
    if activity.is_done:
        report_refusal(request, DomainError(_("This activity was marked done already.")))
        return redirect(back)
    require(permissions.can_complete(request.user, activity))
    form = CompleteForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            services.activity_complete(
                user=request.user, activity=activity, outcome=form.cleaned_data["outcome"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            report_refusal(request, exc)
            return redirect(back)
        else:
            messages.success(
                request,
                _("Done: %(summary)s. It is on the partnership's timeline.")
                % {"summary": activity.summary},
            )
            return redirect(back)
    return render(
        request,
        "agenda/complete.html",
        {"activity": activity, "form": form, "next": back, "back": record_url(activity)},
    )


@login_required
@require_POST
def cancel(request, activity_id: int):
    activity = _activity(request, activity_id)
    back = local_next(request, record_url(activity))
    require(permissions.can_cancel(request.user, activity))
    try:
        services.activity_cancel(user=request.user, activity=activity)
    except DomainError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Cancelled: %(summary)s.") % {"summary": activity.summary})
    return redirect(back)


urlpatterns = [
    path("activities/", mine, name="mine"),
    path("partnerships/<id:pk>/activities/", partnership_activities, name="partnership"),
    path(
        "alliances/<id:sub_alliance_id>/activities/",
        sub_alliance_activities,
        name="sub_alliance",
    ),
    path("activities/<id:activity_id>/done/", complete, name="complete"),
    path("activities/<id:activity_id>/cancel/", cancel, name="cancel"),
]
