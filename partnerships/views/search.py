"""Steps 2-3 of the partnering process: search, approach and evaluation (step 4, the
selection, is views/selection.py).

Every page here writes (or is the form of a write), so each one asks
`editable_partnership_or_404`. The partnership's current step does not restrict these pages:
officers iterate between search, approach and selection, so a notice only says where the
partnership stands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Window,
)
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import hooks
from core.errors import DomainError
from core.formatting import number
from core.forms import MAX_ID
from core.views import apply_errors, report_refusal
from partnerships import selectors, services, suggestions
from partnerships.forms.search import (
    CandidateAddForm,
    CandidateStatusForm,
    CitySearchForm,
    ContactForm,
    DueDiligenceForm,
    FeasibilityForm,
)
from partnerships.models import (
    Candidate,
    Partner,
    Partnership,
    PartnershipMember,
    Sector,
    Step,
    TwinningStrategy,
)
from partnerships.views.common import editable_partnership_or_404

# Ten rows a page: with the suggestions above them, twenty made a page ~5,000 px tall.
PAGE_SIZE = 10
# The highest ?page= taken as asked (its OFFSET fits a bigint); a higher one is this one.
LAST_PAGE_ASKED = MAX_ID // PAGE_SIZE


def step_notice(partnership: Partnership, step: Step) -> str:
    """Say so when the partnership is at another step; its artefacts stay editable here."""
    if partnership.step == step:
        return ""
    return _(
        "This partnership is at step %(number)s, “%(current)s”. You can still work on "
        "“%(step)s” here: officers often go back and forth."
    ) % {"number": partnership.step, "current": partnership.step_label, "step": step.label}


# --- Step 2: search ------------------------------------------------------------------------


@dataclass
class Related:
    """The partnership's member cities and candidates, read in one query."""

    home: Partner | None
    member_ids: set[int]
    candidates: list[Partner]  # each with .candidate_pk and .candidate_status

    @property
    def excluded_ids(self) -> set[int]:
        return self.member_ids | {p.pk for p in self.candidates}


def members_and_candidates(partnership: Partnership, **annotations) -> Related:
    members = PartnershipMember.objects.filter(partnership=partnership).order_by()
    candidacies = Candidate.objects.filter(partnership=partnership).order_by()
    rows = (
        Partner.objects.filter(
            Q(pk__in=members.values("partner_id")) | Q(pk__in=candidacies.values("partner_id"))
        )
        .annotate(
            member_role=Subquery(members.filter(partner=OuterRef("pk")).values("role")[:1]),
            candidate_pk=Subquery(candidacies.filter(partner=OuterRef("pk")).values("pk")[:1]),
            candidate_status=Subquery(
                candidacies.filter(partner=OuterRef("pk")).values("status")[:1]
            ),
            **annotations,
        )
        .order_by("name")
    )
    home, member_ids, candidates = None, set(), []
    for partner in rows:
        if partner.member_role:
            member_ids.add(partner.pk)
            if partner.member_role == PartnershipMember.Role.HOME:
                home = partner
        if partner.candidate_pk:  # the selected one too, now also a member
            partner.candidate_status_label = Candidate.Status(partner.candidate_status).label
            candidates.append(partner)
    return Related(home=home, member_ids=member_ids, candidates=candidates)


@dataclass
class ResultsPage:
    rows: list
    number: int
    total: int

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def start(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def end(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.rows)


def _results_page(qs, page: str | None) -> ResultsPage:
    """One query for a page and the total (a window count), instead of a COUNT and a SELECT."""
    try:
        number = max(1, int(page or 1))
    except ValueError:
        number = 1
    # Beyond any real page, and the offset must still fit a bigint: the end's handling below
    # shows the last page instead.
    number = min(number, LAST_PAGE_ASKED)
    qs = qs.annotate(total_found=Window(Count("pk"))).order_by("name", "pk")
    rows = list(qs[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
    if not rows and number > 1:
        # Past the end (an old link): show the last page.
        total = qs.count()
        number = max(1, math.ceil(total / PAGE_SIZE))
        rows = list(qs[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
    return ResultsPage(rows=rows, number=number, total=rows[0].total_found if rows else 0)


def _home_criteria(
    home: Partner | None,
) -> tuple[TwinningStrategy | None, list[suggestions.Criterion]]:
    """The home city's strategy in force and its criteria, in the strategy's order: one
    query."""
    if home is None:
        return None, []
    rows = list(
        TwinningStrategy.objects.filter(partner=home, status=TwinningStrategy.Status.IN_FORCE)
        .order_by("-criteria__weight", "criteria__name")
        .values_list("pk", "version", "criteria__name", "criteria__measure", "criteria__weight")
    )
    if not rows:
        return None, []
    strategy = TwinningStrategy(pk=rows[0][0], version=rows[0][1], partner=home)
    return strategy, [
        suggestions.Criterion(name=name, measure=measure, weight=weight)
        for _pk, _version, name, measure, weight in rows
        if name
    ]


@login_required
@require_GET
def search(request, pk: int):
    partnership = editable_partnership_or_404(request, pk)
    annotations = {}
    for provided in hooks.collect("search.city_annotations"):
        annotations.update(provided)
    related = members_and_candidates(partnership, **annotations)
    home = related.home
    at_home = Partner.sectors.through.objects.filter(
        sector_id=OuterRef("pk"), partner_id=home.pk if home else None
    )
    sectors = list(Sector.objects.annotate(at_home=Exists(at_home)))
    sector_names = {s.pk: _(s.name) for s in sectors}

    form = CitySearchForm(request.GET or None, sectors=sectors)
    if form.is_bound:
        form.is_valid()  # errors show on their fields; the valid criteria still apply
    results = _results_page(
        form.filter(Partner.objects.exclude(pk__in=related.excluded_ids)), request.GET.get("page")
    )

    strategy, criteria = _home_criteria(home)
    ranking = None
    if home is not None:
        ranking = suggestions.suggest(
            partnership,
            home=home,
            home_sector_ids=[s.pk for s in sectors if s.at_home],
            exclude_ids=related.excluded_ids,
            criteria=criteria,
            sector_names=sector_names,
            also_sectors_for=[p.pk for p in results.rows],
        )
        sectors_by_city = ranking.sectors
    else:
        sectors_by_city = suggestions.sectors_of(p.pk for p in results.rows)
    for partner in results.rows:
        partner.sector_names = [
            sector_names[i] for i in sorted(sectors_by_city.get(partner.pk, ()))
        ]
    shown = [*results.rows, *(s.partner for s in (ranking.suggestions if ranking else []))]
    for partner in shown:
        partner.population_label = number(partner.population) if partner.population else ""
        km = suggestions.distance_km(home, partner) if home is not None else None
        partner.distance_label = (
            _("%(km)s km from %(city)s") % {"km": number(km), "city": home.name}
            if km is not None
            else ""
        )

    return render(
        request,
        "partnerships/search/search.html",
        {
            "partnership": partnership,
            "home": home,
            "candidates": related.candidates,
            "form": form,
            "results": results,
            "suggestions": ranking.suggestions if ranking else [],
            "strategy": strategy,
            "criteria": criteria,
            "aspects": ranking.aspects if ranking else [],
            "next": request.get_full_path() + "#find",
            "next_suggestions": reverse("partnerships:search", args=[partnership.pk])
            + "#suggestions",
            "step_notice": step_notice(partnership, Step.SEARCH),
            # Outer apps' panels (the leads the home city's chambers proposed).
            "panels": hooks.collect("search.panels", request, partnership, home),
        },
    )


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    # A path of this site only: redirect() would take any other word for a URL name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def candidate_add(request, pk: int):
    partnership = editable_partnership_or_404(request, pk)
    back = _safe_next(request, reverse("partnerships:search", args=[partnership.pk]))
    form = CandidateAddForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(back)
    partner = form.cleaned_data["partner"]
    try:
        services.candidate_add(
            partnership=partnership,
            partner=partner,
            rationale=form.cleaned_data["rationale"].strip(),
            source=form.cleaned_data["source"],
            user=request.user,
        )
    except (DomainError, ValidationError) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("%(city)s is now a candidate.") % {"city": partner.name})
    return HttpResponseRedirect(back)


# --- Step 3: approach and evaluation -------------------------------------------------------


def _candidate_or_404(partnership: Partnership, candidate_id: int) -> Candidate:
    candidate = get_object_or_404(
        Candidate.objects.select_related("partner", "added_by", "due_diligence", "feasibility"),
        pk=candidate_id,
        partnership=partnership,
    )
    candidate.partnership = partnership
    return candidate


def _one_to_one(candidate: Candidate, name: str):
    """The candidate's due diligence or feasibility study (selected with it), or None."""
    try:
        return getattr(candidate, name)
    except ObjectDoesNotExist:
        return None


ENDED = {Partnership.Status.ENDED, Partnership.Status.ARCHIVED}


def _known_partnerships(request, partnership: Partnership, partner: Partner) -> list[Partnership]:
    """The candidate city's other partnerships this user may see or the registry publishes:
    its alliance history."""
    visible = selectors.partnerships_visible_to(request.user).values("pk")
    public = selectors.partnerships_published().values("pk")
    qs = (
        Partnership.objects.filter(Q(pk__in=visible) | Q(pk__in=public))
        .filter(members__partner=partner)
        .exclude(pk=partnership.pk)
        .order_by("status", "title")
    )
    known = list(selectors.with_members(qs))
    urls = selectors.reading_urls(request.user, known)
    for p in known:
        p.others = [m.partner.name for m in p.members.all() if m.partner_id != partner.pk]
        p.url = urls[p.pk]
    return known


def _history_help(partner: Partner, known: list[Partnership]) -> str:
    if not known:
        return _("The portal knows of no partnerships of %(city)s that you may see.") % {
            "city": partner.name
        }
    existing = sum(p.status not in ENDED for p in known)
    items = format_html_join(
        "",
        "<li>{}</li>",
        (
            (
                mark_safe(  # the sentence and every value are escaped, or built by format_html
                    conditional_escape(_("%(partnership)s with %(others)s – %(status)s, %(step)s"))
                    % {
                        "partnership": format_html('<a href="{}">{}</a>', p.url, p.title)
                        if p.url
                        else conditional_escape(p.title),
                        "others": conditional_escape(
                            ", ".join(p.others) or _("no counterpart yet")
                        ),
                        "status": conditional_escape(p.get_status_display()),
                        "step": conditional_escape(p.step_label),
                    }
                ),
            )
            for p in known
        ),
    )
    return format_html(
        '{}<ul class="mb-0">{}</ul>',
        _(
            "From the portal: %(city)s has %(existing)s existing and %(ended)s ended "
            "partnerships that you may see."
        )
        % {"city": partner.name, "existing": existing, "ended": len(known) - existing},
        items,
    )


def _render_candidate(request, partnership: Partnership, candidate: Candidate, **forms):
    contacts = list(candidate.contacts.all())
    due_diligence = _one_to_one(candidate, "due_diligence")
    feasibility = _one_to_one(candidate, "feasibility")
    known = _known_partnerships(request, partnership, candidate.partner)
    sector_names = list(candidate.partner.sectors.values_list("name", flat=True))

    dd_form = forms.get("dd_form")
    if dd_form is None:
        initial = {}
        if due_diligence is None:
            existing = sum(p.status not in ENDED for p in known)
            initial = {
                "existing_partnerships": existing,
                "failed_partnerships": len(known) - existing,
            }
        dd_form = DueDiligenceForm(instance=due_diligence, initial=initial, prefix="dd")
    dd_form.fields["alliance_history"].help_text = _history_help(candidate.partner, known)

    selected = candidate.status == Candidate.Status.SELECTED
    status_form = forms.get("status_form") or (
        None
        if selected
        else CandidateStatusForm(initial={"status": candidate.status}, prefix="status")
    )
    args = [partnership.pk, candidate.pk]
    return render(
        request,
        "partnerships/search/candidate.html",
        {
            "partnership": partnership,
            "candidate": candidate,
            "partner": candidate.partner,
            "sector_names": sector_names,
            "population_label": number(candidate.partner.population)
            if candidate.partner.population
            else "",
            "contacts": contacts,
            "due_diligence": due_diligence,
            "feasibility": feasibility,
            "known": known,
            "status_form": status_form,
            "contact_form": forms.get("contact_form") or ContactForm(prefix="contact"),
            "dd_form": dd_form,
            "feasibility_form": forms.get("feasibility_form")
            or FeasibilityForm(instance=feasibility, prefix="feasibility"),
            "urls": {
                "candidate": reverse("partnerships:candidate", args=args),
                "contact_add": reverse("partnerships:contact_add", args=args),
                "due_diligence": reverse("partnerships:due_diligence", args=args),
                "feasibility": reverse("partnerships:feasibility", args=args),
            },
            "step_notice": step_notice(partnership, Step.APPROACH),
            "step": Step.APPROACH,  # the breadcrumb's step
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def candidate(request, pk: int, candidate_id: int):
    """The approach and evaluation of one candidate; a POST changes its status."""
    partnership = editable_partnership_or_404(request, pk)
    cand = _candidate_or_404(partnership, candidate_id)
    if request.method == "GET":
        return _render_candidate(request, partnership, cand)
    form = CandidateStatusForm(request.POST, prefix="status")
    if form.is_valid():
        try:
            services.candidate_set_status(
                candidate=cand, status=form.cleaned_data["status"], user=request.user
            )
        except DomainError as exc:
            report_refusal(request, exc)
            return redirect("partnerships:candidate", partnership.pk, cand.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(city)s is now %(status)s.")
                % {"city": cand.partner.name, "status": cand.get_status_display().lower()},
            )
            return redirect("partnerships:candidate", partnership.pk, cand.pk)
    return _render_candidate(request, partnership, cand, status_form=form)


def _save_candidate_form(request, pk, candidate_id, *, form_class, prefix, attr, service, done):
    """The shared body of the contact, due diligence and feasibility views.

    A GET shows the candidate's page; an invalid POST shows it again with this form's errors.
    `attr` names the candidate's one-to-one record the form edits (None: always a new row).
    """
    partnership = editable_partnership_or_404(request, pk)
    cand = _candidate_or_404(partnership, candidate_id)
    if request.method == "GET":
        return _render_candidate(request, partnership, cand)
    instance = _one_to_one(cand, attr) if attr else None
    form = form_class(request.POST, instance=instance, prefix=prefix)
    if form.is_valid():
        try:
            service(candidate=cand, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done % {"city": cand.partner.name})
            url = reverse("partnerships:candidate", args=[partnership.pk, cand.pk])
            return HttpResponseRedirect(f"{url}#{prefix}")
    return _render_candidate(request, partnership, cand, **{f"{prefix}_form": form})


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request, pk: int, candidate_id: int):
    return _save_candidate_form(
        request,
        pk,
        candidate_id,
        form_class=ContactForm,
        prefix="contact",
        attr=None,
        service=services.approach_contact_add,
        done=gettext_lazy("Contact with %(city)s recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def due_diligence(request, pk: int, candidate_id: int):
    return _save_candidate_form(
        request,
        pk,
        candidate_id,
        form_class=DueDiligenceForm,
        prefix="dd",
        attr="due_diligence",
        service=services.due_diligence_save,
        done=gettext_lazy("Due diligence on %(city)s saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def feasibility(request, pk: int, candidate_id: int):
    return _save_candidate_form(
        request,
        pk,
        candidate_id,
        form_class=FeasibilityForm,
        prefix="feasibility",
        attr="feasibility",
        service=services.feasibility_save,
        done=gettext_lazy("Feasibility study of %(city)s saved."),
    )


urlpatterns = [
    path("partnerships/<id:pk>/search/", search, name="search"),
    path("partnerships/<id:pk>/candidates/add/", candidate_add, name="candidate_add"),
    path("partnerships/<id:pk>/candidates/<id:candidate_id>/", candidate, name="candidate"),
    path(
        "partnerships/<id:pk>/candidates/<id:candidate_id>/contacts/add/",
        contact_add,
        name="contact_add",
    ),
    path(
        "partnerships/<id:pk>/candidates/<id:candidate_id>/due-diligence/",
        due_diligence,
        name="due_diligence",
    ),
    path(
        "partnerships/<id:pk>/candidates/<id:candidate_id>/feasibility/",
        feasibility,
        name="feasibility",
    ),
]
