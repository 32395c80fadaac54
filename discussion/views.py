"""The discussion's pages: a record's whole thread, where a new comment is posted (asked by
htmx, the thread's address answers with the panel alone: panels.py), and the edit and removal
of a comment (POST, from the thread). Who may not see the record gets a 404, as for the record
itself.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from alliances.models import SubAlliance
from core.errors import DomainError
from core.views import apply_errors, posted, report_refusal, require
from discussion import panels, permissions, selectors, services
from discussion.forms import CommentForm
from discussion.models import Comment
from partnerships.selectors import partnerships_of_my_cities, with_members


def _tell_mentions(request, mentions: services.Mentions) -> None:
    def names(users):
        return format_html_join(", ", "@{}", ((u.username,) for u in users))

    def sentence(text: str, people) -> str:
        """The translated sentence, escaped, with the (escaped) names put in."""
        return mark_safe(conditional_escape(text) % {"names": people})

    if mentions.notified:
        messages.info(request, sentence(gettext("Told: %(names)s"), names(mentions.notified)))
    if mentions.not_notified:
        messages.warning(
            request,
            sentence(
                gettext("Not told, as they cannot see this record: %(names)s"),
                names(mentions.not_notified),
            ),
        )
    if mentions.unknown:
        messages.warning(
            request,
            sentence(
                gettext("No one has the username: %(names)s"),
                format_html_join(", ", "@{}", ((n,) for n in mentions.unknown)),
            ),
        )


def _thread_page(request, partnership, sub_alliance, form):
    """The whole thread, oldest first, on pages; the last page unless one is asked for (the
    newest comments, where a new one appears)."""
    paginator = Paginator(selectors.thread(partnership, sub_alliance), selectors.THREAD_PAGE)
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    page.object_list = panels.rows(request.user, page.object_list)
    if sub_alliance is not None:
        back = reverse("alliances:sub_alliance_detail", args=[sub_alliance.pk])
    else:
        back = reverse("partnerships:detail", args=[partnership.pk])
    return render(
        request,
        "discussion/thread.html",
        {
            "partnership": partnership,
            "sub_alliance": sub_alliance,
            "record": sub_alliance or partnership,
            "back": back,
            "post_url": panels.thread_url(partnership, sub_alliance),
            "form": form,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number),
            "ellipsis": Paginator.ELLIPSIS,
        },
    )


def _panel(request, partnership, sub_alliance, form=None):
    """The panel alone, for htmx: the partnership page's deferred thread, or the panel again
    after a comment posted from it (with its messages, or the form's errors)."""
    panel = panels.panel(request, partnership, sub_alliance, form)
    context = {"panel": panel, "form": panel["form"], "fragment": True}
    return render(request, "discussion/_panel.html", context)


def _thread(request, partnership, sub_alliance=None):
    require(permissions.can_see_thread(request.user, partnership, sub_alliance))
    form = CommentForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            result = services.comment_post(
                user=request.user,
                partnership=partnership,
                sub_alliance=sub_alliance,
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            report_refusal(request, exc)
        else:
            _tell_mentions(request, result.mentions)
            if request.htmx:
                return _panel(request, partnership, sub_alliance)
            return redirect(services.comment_url(result.comment))
    if request.htmx:
        return _panel(request, partnership, sub_alliance, form if form.is_bound else None)
    return _thread_page(request, partnership, sub_alliance, form)


@login_required
@require_http_methods(["GET", "POST"])
def partnership_thread(request, pk: int):
    partnership = get_object_or_404(with_members(partnerships_of_my_cities(request.user)), pk=pk)
    return _thread(request, partnership)


@login_required
@require_http_methods(["GET", "POST"])
def sub_alliance_thread(request, sub_alliance_id: int):
    sub_alliance = get_object_or_404(
        SubAlliance.objects.select_related("partnership"), pk=sub_alliance_id
    )
    prefetch_related_objects([sub_alliance.partnership], "members")
    return _thread(request, sub_alliance.partnership, sub_alliance)


def _comment(request, comment_id: int) -> Comment:
    """The comment, if the user may see its thread; else 404."""
    try:
        comment = selectors.comment_for_page(comment_id)
    except Comment.DoesNotExist:
        raise Http404 from None
    require(permissions.can_see_thread(request.user, comment.partnership, comment.sub_alliance))
    return comment


@login_required
@require_POST
def comment_edit(request, comment_id: int):
    comment = _comment(request, comment_id)
    require(permissions.can_edit_comment(request.user, comment))
    form = CommentForm(request.POST, prefix_id=f"edit-{comment.pk}")
    if form.is_valid():
        try:
            result = services.comment_edit(
                user=request.user, comment=comment, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            report_refusal(request, exc)
            return redirect(services.comment_url(comment))
        else:
            messages.success(request, gettext("Your comment is saved."))
            _tell_mentions(request, result.mentions)
            return redirect(services.comment_url(result.comment))
    # The text as written, with what is wrong with it: nothing typed is lost.
    return render(
        request,
        "discussion/comment_edit.html",
        {"comment": comment, "form": form, "back": services.comment_url(comment)},
    )


@login_required
@require_POST
def comment_remove(request, comment_id: int):
    comment = _comment(request, comment_id)
    require(permissions.can_remove_comment(request.user, comment))
    try:
        services.comment_remove(user=request.user, comment=comment)
    except DomainError as exc:
        report_refusal(request, exc)
    else:
        messages.success(
            request, gettext("The comment is removed; the thread shows who removed it.")
        )
    return redirect(services.comment_url(comment))


urlpatterns = [
    path("partnerships/<id:pk>/discussion/", partnership_thread, name="partnership_thread"),
    path(
        "alliances/<id:sub_alliance_id>/discussion/",
        sub_alliance_thread,
        name="sub_alliance_thread",
    ),
    path("comments/<id:comment_id>/edit/", comment_edit, name="comment_edit"),
    path("comments/<id:comment_id>/remove/", comment_remove, name="comment_remove"),
]
