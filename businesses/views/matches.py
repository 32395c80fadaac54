"""Matches the chamber can see and act on, and the officers' answer.

Approved chamber staff see, in a partnership they may register interest in (published, or one
of their own city's), the matchmaking's pairs of THEIR OWN businesses with businesses of the
other member cities — never a pair of two other chambers' businesses — each with its reasons,
and propose one to the partnership's officers, with a message. Their proposals are listed with
the officers' answers; a pending one may be withdrawn. The officers who may edit the
partnership (and admins) accept a proposal — the pair becomes a business sub-alliance — or
decline it with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliances.models import SubAlliance
from businesses import matching, selectors, services
from businesses import permissions as perms
from businesses.forms import PICK_A_MATCH, MatchDecisionForm, MatchProposalForm
from businesses.models import BusinessAssociation, MatchProposal
from businesses.services.common import CLOSED_PARTNERSHIP_STATUSES
from businesses.views.common import require_association_manager
from businesses.views.matchmaking import pair_row
from core.errors import DomainError
from core.page_cache import cached_page
from core.views import apply_errors, paginate, posted, report_refusal, require
from partnerships import permissions as core
from partnerships.models import Partnership, PartnershipMember
from partnerships.selectors import with_members

SUGGESTIONS = 20


def _partnership_for_chamber(request, pk: int) -> Partnership:
    """The partnership with its members and, for chamber staff, whether one of their
    associations' cities is a member (in the same query); a 404 unless they may see its
    matches."""
    user = request.user
    qs = with_members(Partnership.objects.all())
    of_own_city = False
    if not core.is_admin(user):
        own_cities = BusinessAssociation.objects.filter(pk__in=perms.association_ids(user)).values(
            "organisation__partner_id"
        )
        qs = qs.annotate(
            of_own_city=Exists(
                PartnershipMember.objects.filter(
                    partnership=OuterRef("pk"), partner_id__in=own_cities
                )
            )
        )
    partnership = get_object_or_404(qs, pk=pk)
    of_own_city = getattr(partnership, "of_own_city", False)
    require(perms.can_see_chamber_matches(user, partnership, of_own_city))
    return partnership


def _own_associations(user) -> set[int] | None:
    """The associations whose businesses are "ours" on the page: an admin sees every pair."""
    return None if core.is_admin(user) else perms.association_ids(user)


def _rows(suggestions, waiting: dict, cities: dict) -> list[dict]:
    return [
        pair_row(
            rank,
            s,
            cities,
            waiting=waiting.get(frozenset({s.first.pk, s.second.pk})),
            form=MatchProposalForm(
                initial={"first": s.first.pk, "second": s.second.pk}, auto_id=f"match-{rank}-%s"
            ),
        )
        for rank, s in enumerate(suggestions, start=1)
    ]


@login_required
@require_GET
@cached_page
def chamber_matches(request, pk: int):
    """The ranked pairs of the chamber's own businesses in one partnership (kept per session
    like the officers' matchmaking: scoring a large pool takes a moment)."""
    partnership = _partnership_for_chamber(request, pk)
    members = list(partnership.members.all())
    cities = {m.partner_id: m.partner for m in members}
    own = _own_associations(request.user)
    closed = partnership.status in CLOSED_PARTNERSHIP_STATUSES
    suggestions = []
    if not closed:
        suggestions = matching.suggest_business_pairs(
            partnership, limit=SUGGESTIONS, own_associations=own
        )
    # Pairs already waiting for the officers (whoever proposed them): no second button.
    waiting = {
        frozenset(pair): created
        for *pair, created in MatchProposal.objects.filter(
            partnership=partnership, status=MatchProposal.Status.PENDING
        ).values_list("first_id", "second_id", "created_at")
    }
    return render(
        request,
        "businesses/matches/chamber_matches.html",
        {
            "partnership": partnership,
            "members": members,
            "rows": _rows(suggestions, waiting, cities),
            "closed": closed,
            "too_few_cities": len(cities) < 2,
            # Another city's chamber in a published partnership: its members pair with nobody.
            "of_own_city": own is None or getattr(partnership, "of_own_city", False),
            "weights": matching.WEIGHTS,
        },
    )


@login_required
@require_POST
def match_propose(request, pk: int):
    """Propose one pair to the officers. Refused, the page of the proposal shows why, with the
    message as typed."""
    partnership = _partnership_for_chamber(request, pk)
    form = MatchProposalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.match_propose(
                partnership=partnership,
                first=data["first"],
                second=data["second"],
                user=request.user,
                message=data["message"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "The match of %(first)s and %(second)s is proposed to the officers: "
                    "their answer will be on this page."
                )
                % {"first": proposal.first.name, "second": proposal.second.name},
            )
            return redirect("businesses:my_match_proposals")
    return render(
        request,
        "businesses/matches/propose.html",
        {
            "partnership": partnership,
            "form": form,
            "pair": (form.cleaned_data.get("first"), form.cleaned_data.get("second"))
            if hasattr(form, "cleaned_data")
            else (None, None),
            "cancel": reverse("businesses:chamber_matches", args=[partnership.pk]),
            "pick_a_match": PICK_A_MATCH,
        },
    )


def _partnerships_to_match(user) -> list[Partnership]:
    """Running partnerships of the chamber's cities: where its businesses can be paired."""
    own_cities = BusinessAssociation.objects.filter(pk__in=perms.association_ids(user)).values(
        "organisation__partner_id"
    )
    qs = Partnership.objects.exclude(status__in=CLOSED_PARTNERSHIP_STATUSES)
    if not core.is_admin(user):
        qs = qs.filter(
            Exists(
                PartnershipMember.objects.filter(
                    partnership=OuterRef("pk"), partner_id__in=own_cities
                )
            )
        )
    return list(qs.order_by("title")[:50])


@login_required
@require_GET
def my_match_proposals(request):
    """The chamber's proposed matches with the officers' answers."""
    require_association_manager(request.user)
    context = paginate(request, selectors.match_proposals_of(request.user))
    ours = set(perms.association_ids(request.user))
    rows = [
        {
            "p": p,
            # Another chamber's proposal naming our business is shown, not withdrawn by us.
            "can_withdraw": p.status == MatchProposal.Status.PENDING
            and (p.association_id in ours or core.is_admin(request.user)),
        }
        for p in context["page"].object_list
    ]
    return render(
        request,
        "businesses/matches/my_proposals.html",
        {**context, "rows": rows, "partnerships": _partnerships_to_match(request.user)},
    )


@login_required
@require_POST
def match_withdraw(request, proposal_id: int):
    proposal = get_object_or_404(
        MatchProposal.objects.select_related("first__organisation", "second__organisation"),
        pk=proposal_id,
    )
    require(perms.can_withdraw_match(request.user, proposal))
    try:
        services.match_withdraw(proposal=proposal, user=request.user)
    except DomainError as exc:
        report_refusal(request, exc)
    else:
        messages.success(
            request,
            _("Your proposal of %(first)s and %(second)s is withdrawn.")
            % {"first": proposal.first.name, "second": proposal.second.name},
        )
    return redirect("businesses:my_match_proposals")


# --- The officers' side --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def match_decide(request, proposal_id: int):
    """One proposed match, its reasons and the chamber's message; accept or decline."""
    proposal = get_object_or_404(selectors.match_proposal_page(), pk=proposal_id)
    require(perms.can_decide_match(request.user, proposal))
    back = reverse("businesses:matchmaking", args=[proposal.partnership_id])
    pending = proposal.status == MatchProposal.Status.PENDING
    if request.method == "POST" and not pending:
        messages.info(request, _("This proposal was decided already."))
        return redirect(back)
    form = MatchDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.match_decide(
                proposal=proposal,
                user=request.user,
                accept=form.approve,
                message=form.cleaned_data["note"],
                form=form.cleaned_data["form"] or SubAlliance.Form.PARTNERSHIP,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if decided.sub_alliance_id:
                messages.success(
                    request,
                    _(
                        "Sub-alliance “%(sub_alliance)s” formed from the match "
                        "%(association)s proposed."
                    )
                    % {
                        "sub_alliance": decided.sub_alliance.name,
                        "association": decided.association.name,
                    },
                )
                return redirect(
                    "alliances:sub_alliance_detail", sub_alliance_id=decided.sub_alliance_id
                )
            messages.success(
                request,
                _("The match %(association)s proposed is declined.")
                % {"association": decided.association.name},
            )
            return redirect(back)
    return render(
        request,
        "businesses/matches/decide.html",
        {"proposal": proposal, "form": form if pending else None, "cancel": back},
    )


urlpatterns = [
    path("partnerships/<id:pk>/matches/", chamber_matches, name="chamber_matches"),
    path("partnerships/<id:pk>/matches/propose/", match_propose, name="match_propose"),
    path("matches/", my_match_proposals, name="my_match_proposals"),
    path("matches/<id:proposal_id>/withdraw/", match_withdraw, name="match_withdraw"),
    path("matches/<id:proposal_id>/decide/", match_decide, name="match_decide"),
]
