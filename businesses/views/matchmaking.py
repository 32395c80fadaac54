"""Matchmaking and outcomes: ranked pairs of businesses across a partnership's cities, each with
its reasons, turned into a business sub-alliance in one click, and the matches chambers proposed
waiting for an answer (businesses/views/matches.py); and the economic results such
sub-alliances record. Officers of the partnership's member cities (and admins) only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances import permissions as alliance_perms
from alliances.models import SubAlliance, SubAllianceParty
from businesses import matching, selectors, services
from businesses import permissions as perms
from businesses.forms import OutcomeForm, PairForm
from core.errors import DomainError
from core.page_cache import cached_page
from core.templatetags.money import money
from core.views import apply_errors, posted, report_refusal, require
from partnerships import permissions as core
from partnerships.models import CityMembership, Partner, Partnership, PartnershipMember
from partnerships.selectors import with_members

SUGGESTIONS = 20
PROPOSALS = 50  # pending proposals shown, oldest first


def _editable(request, pk: int) -> Partnership:
    """`partnerships_editable_by` in ONE query: the user's cities are a subquery rather than a
    query of their own, since the matchmaking itself needs nine of the page's twelve."""
    user = request.user
    qs = Partnership.objects.all()
    if not core.is_admin(user):
        cities = CityMembership.objects.filter(user=user).values("partner_id")
        qs = qs.filter(
            Exists(
                PartnershipMember.objects.filter(partnership=OuterRef("pk"), partner_id__in=cities)
            )
        ).exclude(status=Partnership.Status.ARCHIVED)
    return get_object_or_404(with_members(qs), pk=pk)


def pair_row(rank: int, s: matching.Suggestion, cities: dict, **extra) -> dict:
    """A suggested pair as the matchmaking pages (the officers' and the chamber's) list it:
    its rank, its cities and its direction's label, with what the page adds (`extra`)."""
    return {
        "rank": rank,
        "s": s,
        "first_city": cities.get(s.first.organisation.partner_id),
        "second_city": cities.get(s.second.organisation.partner_id),
        "direction": SubAlliance.LinkageDirection(s.direction).label,
        **extra,
    }


@login_required
@require_GET
@cached_page
def matchmaking(request, pk: int):
    partnership = _editable(request, pk)
    members = list(partnership.members.all())
    cities = {m.partner_id: m.partner for m in members}
    suggestions = matching.suggest_business_pairs(partnership, limit=SUGGESTIONS)
    proposals = list(selectors.match_proposals_of_partnership(partnership)[:PROPOSALS])
    proposed = {frozenset({p.first_id, p.second_id}): p for p in proposals}
    rows = [
        pair_row(
            rank,
            s,
            cities,
            proposal=proposed.get(frozenset({s.first.pk, s.second.pk})),
            form=PairForm(
                initial={"first": s.first.pk, "second": s.second.pk}, auto_id=f"pair-{rank}-%s"
            ),
        )
        for rank, s in enumerate(suggestions, start=1)
    ]
    return render(
        request,
        "businesses/matchmaking/matchmaking.html",
        {
            "partnership": partnership,
            "members": members,
            "rows": rows,
            "too_few_cities": len(cities) < 2,
            "weights": matching.WEIGHTS,
            "proposals": proposals,
        },
    )


@login_required
@require_POST
def matchmaking_form(request, pk: int):
    """Turn one suggested pair into a bilateral business sub-alliance (the pair is scored
    again by the service, so a stale page cannot form a pair that no longer matches)."""
    partnership = _editable(request, pk)
    back = reverse("businesses:matchmaking", args=[partnership.pk])
    form = PairForm(request.POST)
    if not form.is_valid():
        report_refusal(request, DomainError(_("Choose one of the suggested pairs.")))
        return redirect(back)
    data = form.cleaned_data
    try:
        sub_alliance = services.matchmaking_to_sub_alliance(
            partnership=partnership,
            first=data["first"],
            second=data["second"],
            user=request.user,
            form=data["form"] or SubAlliance.Form.PARTNERSHIP,
        )
    except (DomainError, ValidationError) as exc:
        report_refusal(request, exc)
        return redirect(back)
    messages.success(
        request,
        _("Sub-alliance “%(sub_alliance)s” formed, with its five start-up tasks to work through.")
        % {"sub_alliance": sub_alliance.name},
    )
    return redirect("alliances:sub_alliance_detail", sub_alliance_id=sub_alliance.pk)


# --- Outcomes ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def outcome_record(request, sub_alliance_id: int):
    sub_alliance = get_object_or_404(
        SubAlliance.objects.select_related("partnership"), pk=sub_alliance_id
    )
    prefetch_related_objects([sub_alliance.partnership], "members")
    require(perms.can_record_outcome(request.user, sub_alliance))
    # Back to the page the person works on: the officers' page, or the chamber's own view.
    officer = alliance_perms.can_view_sub_alliances(request.user, sub_alliance.partnership)
    detail = reverse(
        "alliances:sub_alliance_detail" if officer else "businesses:chamber_sub_alliance",
        args=[sub_alliance.pk],
    )
    allowed = sub_alliance.grouping in services.OUTCOME_GROUPINGS
    sides = Partner.objects.filter(
        pk__in=SubAllianceParty.objects.filter(sub_alliance=sub_alliance).values("partner_id")
    ).order_by("name")
    form = OutcomeForm(posted(request), sides=sides)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            outcome = services.outcome_record(
                sub_alliance=sub_alliance, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if outcome.is_money:
                amount = money(outcome.amount, outcome.currency)
            else:
                amount = number_format(outcome.amount, 0, force_grouping=True)
            messages.success(
                request,
                _("Outcome recorded: %(kind)s, %(amount)s.")
                % {"kind": outcome.get_kind_display(), "amount": amount},
            )
            return redirect(f"{detail}#outcomes")
    return render(
        request,
        "businesses/matchmaking/outcome_form.html",
        {
            "sub_alliance": sub_alliance,
            "form": form if allowed else None,
            "cancel": detail,
            "officer": officer,
        },
    )


urlpatterns = [
    path("partnerships/<id:pk>/matchmaking/", matchmaking, name="matchmaking"),
    path("partnerships/<id:pk>/matchmaking/form/", matchmaking_form, name="matchmaking_form"),
    path(
        "sub-alliances/<id:sub_alliance_id>/outcomes/new/",
        outcome_record,
        name="outcome_record",
    ),
]
