"""A person's notifications (the reminders sent to them), snoozing one, how reminders come by
email, and their personal calendar feed.

A notification is the person's own: another's gives 404, admins included (they have the
admin's reminder list). The calendar feed itself needs no login — its address is the secret —
and answers 404 for anything but a current address.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from core.views import apply_errors, paginate, require
from notifications import calendar, emails, follows, selectors, services
from notifications.forms import FollowForm, PreferenceForm, SnoozeForm
from notifications.models import CalendarFeed, NotificationPreference, Reminder
from partnerships import permissions
from partnerships import selectors as partnership_selectors

PER_PAGE = 25
SHOW_UNREAD = "unread"
# What else a snooze quiets: the other reminders about the same…
_SNOOZE_NOTES = {
    "review": _(
        "Until the date you choose, neither this reminder nor others about the same review "
        "will be sent to you."
    ),
    "MOU": _(
        "Until the date you choose, neither this reminder nor others about the same MOU will "
        "be sent to you."
    ),
    "step": _(
        "Until the date you choose, neither this reminder nor others about the same step will "
        "be sent to you."
    ),
    "action": _(
        "Until the date you choose, neither this reminder nor others about the same action "
        "will be sent to you."
    ),
    "subject": _(
        "Until the date you choose, neither this reminder nor others about the same subject "
        "will be sent to you."
    ),
}
SUBJECTS = {
    **dict.fromkeys(Reminder.REVIEW_KINDS, "review"),
    **dict.fromkeys(Reminder.MOU_KINDS, "MOU"),
    Reminder.Kind.STALLED: "step",
    Reminder.Kind.ACTION_OVERDUE: "action",
}


def _own(request, reminder_id: int) -> Reminder:
    return get_object_or_404(
        Reminder.objects.select_related("partnership"), pk=reminder_id, recipient=request.user
    )


def _back(request) -> str:
    """Back where the button was pressed (a page of this site), else the notifications."""
    target = request.POST.get("next", "")
    # A path of this site only: redirect() would take any other word for a URL name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("notifications:list")


@login_required
@require_GET
def notification_list(request):
    show_unread = request.GET.get("show") == SHOW_UNREAD
    rows = selectors.unread(request.user) if show_unread else selectors.inbox(request.user)
    rows = rows.select_related("partnership").order_by("-created_at", "-id")
    paged = paginate(request, rows, PER_PAGE)
    for reminder in paged["page"].object_list:
        reminder.link = emails.partnership_path(reminder)
    user = request.user
    failed = None
    if permissions.is_admin(user) or permissions.is_officer(user):
        failed = selectors.failed_in_partnerships(
            partnership_selectors.partnerships_editable_by(user)
        )
    return render(
        request,
        "notifications/list.html",
        {
            **paged,
            "notifications": paged["page"].object_list,
            "show_unread": show_unread,
            "failed": failed,
            "here": request.get_full_path(),
        },
    )


@login_required
@require_POST
def notification_read(request, reminder_id: int):
    reminder = _own(request, reminder_id)
    services.notification_mark_read(reminder=reminder, user=request.user)
    return redirect(_back(request))


@login_required
@require_POST
def notifications_read_all(request):
    n = services.notifications_mark_all_read(user=request.user)
    messages.success(
        request,
        ngettext("%(n)s notification marked as read.", "%(n)s notifications marked as read.", n)
        % {"n": n},
    )
    return redirect(_back(request))


@login_required
@require_http_methods(["GET", "POST"])
def notification_snooze(request, reminder_id: int):
    reminder = _own(request, reminder_id)
    require(not reminder.is_event)  # what happened is read, not snoozed
    initial = {"until": reminder.snoozed_until, "reason": reminder.snooze_reason}
    data = request.POST if request.method == "POST" else None
    form = SnoozeForm(data, initial=initial if reminder.snoozed_until else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reminder_snooze(reminder=reminder, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            until = form.cleaned_data["until"]
            messages.success(
                request, gettext("Snoozed until %(day)s.") % {"day": date_format(until, "d M Y")}
            )
            return redirect("notifications:list")
    return render(
        request,
        "notifications/snooze.html",
        {
            "reminder": reminder,
            "form": form,
            "subject": SUBJECTS.get(reminder.kind, "subject"),
            "snooze_note": _SNOOZE_NOTES[SUBJECTS.get(reminder.kind, "subject")],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    pref = NotificationPreference.objects.filter(user=request.user).first()
    pref = pref or NotificationPreference(user=request.user)
    data = request.POST if request.method == "POST" else None
    form = PreferenceForm(data, pref=pref)
    if request.method == "POST" and form.is_valid():
        try:
            pref = services.notification_preference_set(
                user=request.user,
                delivery=form.cleaned_data["delivery"],
                events=form.event_choices(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("Your email preferences are saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# --- Following a partnership ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def follow_partnership(request, pk: int):
    """Whether the person follows the partnership, and a button to change it. Only for a
    partnership they may open (404 otherwise, like its page)."""
    partnership = get_object_or_404(
        partnership_selectors.partnerships_visible_to(request.user), pk=pk
    )
    form = FollowForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["follow"] == "yes":
                services.follow(request.user, partnership)
                messages.success(
                    request, gettext("You follow this partnership: you hear of its moves.")
                )
            elif services.unfollow(request.user, partnership):
                messages.success(request, gettext("You no longer follow this partnership."))
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("partnerships:detail", partnership.pk)
    return render(
        request,
        "notifications/follow.html",
        {
            "partnership": partnership,
            "following": follows.is_following(request.user, partnership),
            "form": form,
        },
    )


def follow_link(request, partnership, can_edit: bool) -> list[dict]:
    """The partnership page's link to follow it (hook `partnership.links`)."""
    if not request.user.is_authenticated:
        return []
    following = follows.is_following(request.user, partnership)
    return [
        {
            "label": gettext("Following") if following else gettext("Follow"),
            "url": reverse("notifications:follow", args=[partnership.pk]),
            "icon": "bell-fill" if following else "bell",
        }
    ]


# --- The calendar feed ---------------------------------------------------------------------


@login_required
@require_GET
def calendar_page(request):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    address = None
    if feed is not None:
        path = reverse("notifications:calendar_feed", kwargs={"token": calendar.token_for(feed)})
        address = request.build_absolute_uri(path)
    return render(
        request,
        "notifications/calendar.html",
        {"feed": feed, "feed_url": address},
    )


@login_required
@require_POST
def calendar_renew(request):
    had_one = CalendarFeed.objects.filter(user=request.user).exists()
    calendar.calendar_feed_renew(user=request.user)
    if had_one:
        messages.success(
            request,
            gettext("Here is your new calendar address. The old one no longer works."),
        )
    else:
        messages.success(
            request, gettext("Your calendar address is ready: add it to your calendar.")
        )
    return redirect("notifications:calendar")


@login_required
@require_POST
def calendar_revoke(request):
    if calendar.calendar_feed_revoke(user=request.user):
        messages.success(request, gettext("Your calendar address is switched off."))
    return redirect("notifications:calendar")


@require_GET
def calendar_feed(request, token: str):
    feed = calendar.feed_for_token(token)
    if feed is None:
        raise Http404
    calendar.calendar_feed_fetched(feed)
    # A calendar program sends no language and no session: the feed's owner's language.
    with translation.override(feed.user.language or settings.LANGUAGE_CODE):
        body = calendar.to_ical(feed.user, calendar.events_for(feed.user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="twinning-portal.ics"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response
