"""Reads for the chamber, registry, interest and outcome pages, shaped so that each page asks a
fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from alliances.models import Grouping, Organisation, SubAlliance, SubAllianceParty
from alliances.selectors import with_progress
from businesses import permissions as perms
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    ChamberMembership,
    InterestRegistration,
    MatchProposal,
    Outcome,
    PartnershipLead,
)
from partnerships import permissions as core
from partnerships import reference_data
from partnerships.models import (
    MOU,
    Champion,
    CityMembership,
    Partner,
    Partnership,
    PartnershipMember,
    Sector,
    Step,
)
from partnerships.selectors import (
    GroupConcat,
    area_names,
    count_of,
    partnerships_of_my_cities,
    partnerships_published,
    with_members,
)

# --- The public partnership registry (no login) -----------------------------------------------


def published_registry() -> QuerySet[Partnership]:
    """The partnerships whose officers published them (archived ones leave the registry).

    Each row carries: `area_names` (in the row); members with their cities; `signed_mous`
    (the MOU in force, with its areas: its summary and whether a document can be downloaded);
    `contacts` (the active champions of the sides that publish their contacts, each with its
    side) — five queries in all. Filter it further (city, country, category, area) before
    evaluating.
    """
    return with_members(
        partnerships_published().annotate(area_names=area_names())
    ).prefetch_related(
        Prefetch(
            "mous",
            queryset=MOU.objects.filter(status=MOU.Status.SIGNED).prefetch_related("areas"),
            to_attr="signed_mous",
        ),
        Prefetch(
            "champions",
            queryset=Champion.objects.filter(
                is_active=True,
                # Each side decides whether its own people are shown.
                partner__memberships__partnership=F("partnership"),
                partner__memberships__publish_contacts=True,
            )
            .select_related("partner")
            .order_by("partner__name", "name"),
            to_attr="contacts",
        ),
    )


# --- Associations and businesses ---------------------------------------------------------------


def _business_rows(qs: QuerySet[BusinessProfile]) -> QuerySet[BusinessProfile]:
    """A business list's rows: name, city and association in the row; sectors, seeks and
    offers in one query each."""
    return qs.select_related("organisation__partner", "association__organisation").prefetch_related(
        Prefetch("organisation__sectors", queryset=Sector.objects.order_by("code")),
        "seeks",
        "offers",
    )


def businesses_of_association(association: BusinessAssociation | int) -> QuerySet[BusinessProfile]:
    return _business_rows(BusinessProfile.objects.filter(association=association)).order_by(
        "organisation__name"
    )


def businesses_visible_to(user) -> QuerySet[BusinessProfile]:
    """Admins: all; chamber staff: their associations'; officers: their cities'."""
    qs = BusinessProfile.objects.all()
    if not core.is_admin(user):
        qs = qs.filter(association_id__in=perms.association_ids(user)) | qs.filter(
            organisation__partner_id__in=core.city_ids(user)
        )
    return _business_rows(qs).order_by("organisation__name")


def associations_visible_to(user) -> QuerySet[BusinessAssociation]:
    """The chambers whose businesses the user sees (`businesses_visible_to`): admins all,
    staff their own associations, officers their cities'."""
    qs = BusinessAssociation.objects.all()
    if not core.is_admin(user):
        own = Q(pk__in=perms.association_ids(user))
        qs = qs.filter(own | Q(organisation__partner_id__in=core.city_ids(user)))
    return qs.select_related("organisation__partner").order_by("organisation__name")


def associations_of_cities(city_ids: Iterable[int]) -> QuerySet[BusinessAssociation]:
    """Associations of some cities, with their number of member businesses (in the row)."""
    return (
        BusinessAssociation.objects.filter(organisation__partner_id__in=list(city_ids))
        .select_related("organisation__partner")
        .annotate(
            n_businesses=Count("businesses", distinct=True),
        )
        .order_by("organisation__name")
    )


def cities_with_officers(city_ids: Iterable[int]) -> set[int]:
    """Which of these cities have an active officer (who decides its chambers' sign-ups; the
    admins decide where there is none). One query."""
    return set(
        CityMembership.objects.filter(partner_id__in=list(city_ids), user__is_active=True)
        .values_list("partner_id", flat=True)
        .distinct()
    )


def deciders_label(
    association: BusinessAssociation, officers: set[int] | None = None, *, capital: bool = False
) -> str:
    """Who decides a sign-up to the association, in words: "the officers of X", or "the
    portal's administrators" where X has no officer (`officers`: the cities with officers, as
    `cities_with_officers` gives them; read here when not given)."""
    city = association.organisation.partner
    if officers is None:
        officers = cities_with_officers([city.pk])
    if city.pk in officers:
        who = _("the officers of %(city)s") % {"city": city.name}
    else:
        who = _("the portal's administrators (%(city)s has no officer in the portal yet)") % {
            "city": city.name
        }
    return capfirst(who) if capital else who


def memberships_of(user) -> QuerySet[ChamberMembership]:
    """The user's own requests to join associations: their status page."""
    return (
        ChamberMembership.objects.filter(user=user)
        .select_related("association__organisation__partner", "decided_by")
        .order_by("-created_at")
    )


def memberships_to_decide(user) -> QuerySet[ChamberMembership]:
    """Pending staff requests of the associations of the officer's cities (all for admins)."""
    qs = ChamberMembership.objects.filter(status=ChamberMembership.Status.PENDING)
    if not core.is_admin(user):
        qs = qs.filter(association__organisation__partner_id__in=core.city_ids(user))
    return qs.select_related("user", "association__organisation__partner").order_by("created_at")


# --- Interest registrations -----------------------------------------------------------------------


def _registration_rows(qs: QuerySet[InterestRegistration]) -> QuerySet[InterestRegistration]:
    """Registration rows: association, partnership and who decided in the row; businesses and
    sectors in one query each."""
    return qs.select_related(
        "association__organisation__partner", "partnership", "created_by", "decided_by"
    ).prefetch_related(
        Prefetch(
            "businesses",
            queryset=BusinessProfile.objects.select_related("organisation").order_by(
                "organisation__name"
            ),
        ),
        Prefetch("sectors", queryset=Sector.objects.order_by("code")),
    )


def registrations_for_officer(
    user, *, status: str | None = InterestRegistration.Status.PENDING
) -> QuerySet[InterestRegistration]:
    """Interest registered in the partnerships of the officer's cities: by default the new
    (pending) ones for the dashboard, oldest first; `status=None` gives all, newest first."""
    qs = InterestRegistration.objects.filter(partnership__in=partnerships_of_my_cities(user))
    if status:
        qs = qs.filter(status=status).order_by("created_at", "id")
    else:
        qs = qs.order_by("-created_at", "-id")
    return _registration_rows(qs)


def new_registrations_count(user) -> int:
    return InterestRegistration.objects.filter(
        partnership__in=partnerships_of_my_cities(user),
        status=InterestRegistration.Status.PENDING,
    ).count()


def registrations_for_chamber(user) -> QuerySet[InterestRegistration]:
    """The registrations of the user's associations (all for admins), newest first."""
    qs = InterestRegistration.objects.all()
    if not core.is_admin(user):
        qs = qs.filter(association_id__in=perms.association_ids(user))
    return _registration_rows(qs.order_by("-created_at", "-id"))


def registrations_of_partnership(partnership: Partnership) -> QuerySet[InterestRegistration]:
    return _registration_rows(
        InterestRegistration.objects.filter(partnership=partnership).order_by("-created_at", "-id")
    )


# --- Leads ----------------------------------------------------------------------------------------


def _lead_rows(qs: QuerySet[PartnershipLead]) -> QuerySet[PartnershipLead]:
    """Lead rows: association, cities, candidate and decider in the row; the businesses behind
    each in one query."""
    return qs.select_related(
        "association__organisation", "home", "target", "candidate__partnership", "decided_by"
    ).prefetch_related(
        Prefetch(
            "businesses",
            queryset=BusinessProfile.objects.select_related("organisation").order_by(
                "organisation__name"
            ),
        )
    )


def leads_for_officer(
    user, *, status: str | None = PartnershipLead.Status.NEW
) -> QuerySet[PartnershipLead]:
    """Proposals from the chambers of the officer's cities, for their search step."""
    qs = PartnershipLead.objects.all()
    if not core.is_admin(user):
        qs = qs.filter(home_id__in=core.city_ids(user))
    if status:
        qs = qs.filter(status=status)
    return _lead_rows(qs.order_by("-created_at", "-id"))


def new_leads_of_city(city_id: int) -> QuerySet[PartnershipLead]:
    """The new leads for a city's search step, oldest first."""
    return _lead_rows(
        PartnershipLead.objects.filter(home_id=city_id, status=PartnershipLead.Status.NEW)
    ).order_by("created_at", "id")


def new_leads_count():
    """The number of new leads of the city of the outer row (`OuterRef("pk")`), as a column."""
    return count_of(
        PartnershipLead.objects.filter(home=OuterRef("pk"), status=PartnershipLead.Status.NEW)
    )


def leads_for_chamber(user) -> QuerySet[PartnershipLead]:
    qs = PartnershipLead.objects.all()
    if not core.is_admin(user):
        qs = qs.filter(association_id__in=perms.association_ids(user))
    return _lead_rows(qs.order_by("-created_at", "-id"))


# --- Match proposals ------------------------------------------------------------------------------


def _proposal_rows(qs: QuerySet[MatchProposal]) -> QuerySet[MatchProposal]:
    """Proposal rows: the partnership, both businesses with their cities, the association,
    who decided and the sub-alliance, all in the row."""
    return qs.select_related(
        "partnership",
        "first__organisation__partner",
        "second__organisation__partner",
        "association__organisation",
        "created_by",
        "decided_by",
        "sub_alliance",
    )


def match_proposals_of(user) -> QuerySet[MatchProposal]:
    """The matches the user's associations proposed, or that name one of their businesses
    (another chamber's proposal), all for admins; newest first."""
    qs = MatchProposal.objects.all()
    if not core.is_admin(user):
        mine = perms.association_ids(user)
        qs = qs.filter(Q(association_id__in=mine) | Q(second__association_id__in=mine))
    return _proposal_rows(qs.order_by("-created_at", "-id"))


def match_proposals_for_officer(user) -> QuerySet[MatchProposal]:
    """Pending proposals in the partnerships the officer may edit (all for admins), oldest
    first: what waits for their answer."""
    qs = MatchProposal.objects.filter(status=MatchProposal.Status.PENDING)
    if not core.is_admin(user):
        qs = qs.filter(
            partnership__members__partner_id__in=core.city_ids(user),
        ).exclude(partnership__status=Partnership.Status.ARCHIVED)
    return _proposal_rows(qs.distinct().order_by("created_at", "id"))


def match_proposal_page() -> QuerySet[MatchProposal]:
    """One proposal for its page: its rows, and the partnership's members for the permission
    check."""
    return _proposal_rows(MatchProposal.objects.all()).prefetch_related("partnership__members")


def match_proposals_of_partnership(
    partnership: Partnership | int, *, status: str | None = MatchProposal.Status.PENDING
) -> QuerySet[MatchProposal]:
    qs = MatchProposal.objects.filter(partnership=partnership)
    if status:
        return _proposal_rows(qs.filter(status=status).order_by("created_at", "id"))
    return _proposal_rows(qs.order_by("-created_at", "-id"))


# --- Outcomes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeTotal:
    """The sum of one kind of outcome (in one currency, for money)."""

    kind: str
    currency: str
    total: Decimal
    records: int

    @property
    def label(self) -> str:
        return Outcome.Kind(self.kind).label

    @property
    def is_money(self) -> bool:
        return self.kind in Outcome.MONEY_KINDS


_KIND_ORDER = {kind: i for i, kind in enumerate(Outcome.Kind.values)}


def _totals(rows) -> list[OutcomeTotal]:
    totals = [
        OutcomeTotal(kind=r["kind"], currency=r["currency"], total=r["total"], records=r["n"])
        for r in rows
    ]
    return sorted(totals, key=lambda t: (_KIND_ORDER[t.kind], t.currency))


def outcomes_summary(partnership: Partnership | int) -> list[OutcomeTotal]:
    """The partnership's outcomes added up per kind (and per currency: amounts in different
    currencies are never added together), in the order of `Outcome.Kind`. One query."""
    rows = (
        Outcome.objects.filter(sub_alliance__partnership=partnership)
        .order_by()
        .values("kind", "currency")
        .annotate(total=Sum("amount"), n=Count("pk"))
    )
    return _totals(rows)


def outcomes_by_sub_alliance(partnership: Partnership | int) -> dict[int, list[OutcomeTotal]]:
    """The same totals per sub-alliance, for the list of sub-alliances. One query."""
    rows = (
        Outcome.objects.filter(sub_alliance__partnership=partnership)
        .order_by()
        .values("sub_alliance_id", "kind", "currency")
        .annotate(total=Sum("amount"), n=Count("pk"))
    )
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row["sub_alliance_id"], []).append(row)
    return {pk: _totals(group) for pk, group in grouped.items()}


def outcomes_of(sub_alliance: SubAlliance | int) -> QuerySet[Outcome]:
    return (
        Outcome.objects.filter(sub_alliance=sub_alliance)
        .select_related("partner", "recorded_by")
        .order_by("-occurred_on", "-id")
    )


# --- For the partnership health score (asked by the core through this selector) ------------------


def business_involvement_partnership_ids(ids: Iterable[int]) -> set[int]:
    """Which of these partnerships involve business: a business sub-alliance that has not
    ended, or accepted interest from a chamber. Two queries."""
    ids = list(ids)
    with_alliance = SubAlliance.objects.filter(
        partnership_id__in=ids, grouping=Grouping.BUSINESS
    ).exclude(status=SubAlliance.Status.ENDED)
    with_interest = InterestRegistration.objects.filter(
        partnership_id__in=ids, status=InterestRegistration.Status.ACCEPTED
    )
    return set(with_alliance.values_list("partnership_id", flat=True)) | set(
        with_interest.values_list("partnership_id", flat=True)
    )


def business_involvement_rows() -> list[QuerySet]:
    """The same test for the health module to read in the page's own query (no query of its
    own): the rows, filtered on the outer partnership (`OuterRef("pk")`), of which one is
    enough to show business involvement."""
    of_it = {"partnership": OuterRef("pk")}
    return [
        SubAlliance.objects.filter(**of_it, grouping=Grouping.BUSINESS).exclude(
            status=SubAlliance.Status.ENDED
        ),
        InterestRegistration.objects.filter(**of_it, status=InterestRegistration.Status.ACCEPTED),
    ]


business_involvement_partnership_ids.involving_rows = business_involvement_rows


def sub_alliances_open_to_business(partnership: Partnership) -> QuerySet[SubAlliance]:
    """The partnership's business (and mixed) sub-alliances still forming or active, with their
    parties: what a chamber could join. Two queries."""
    return (
        SubAlliance.objects.filter(
            partnership=partnership,
            grouping__in=[Grouping.BUSINESS, Grouping.MIXED],
            status__in=[SubAlliance.Status.FORMING, SubAlliance.Status.ACTIVE],
        )
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=SubAllianceParty.objects.select_related(
                    "organisation", "partner"
                ).order_by("partner__name", "organisation__name"),
            )
        )
        .order_by("name")
    )


def registrations_of_chamber_in(user, partnership: Partnership) -> QuerySet[InterestRegistration]:
    """The user's associations' registrations in this partnership (not withdrawn): one query."""
    return (
        InterestRegistration.objects.filter(
            partnership=partnership, association_id__in=perms.association_ids(user)
        )
        .exclude(status=InterestRegistration.Status.WITHDRAWN)
        .select_related("association__organisation")
        .order_by("-created_at")
    )


def chamber_home_url(user) -> str | None:
    """Chamber staff's home page (the hook `dashboard.home`); None for anyone else."""
    return reverse("businesses:chamber_home") if perms.is_chamber_staff(user) else None


def registry_url(partnership: Partnership) -> str | None:
    """The registry page of a published partnership (None for an unpublished one)."""
    if not partnership.published or partnership.status == Partnership.Status.ARCHIVED:
        return None
    return reverse("businesses:registry_detail", args=[partnership.pk])


# --- The chamber's workspace ------------------------------------------------------------------


def names_of(qs: QuerySet, group_by: str, name: str) -> Subquery:
    """The `name`s of the rows of `qs` (filtered on an OuterRef) joined in one column: a short
    list carried by the outer row, without a query of its own."""
    return Subquery(
        qs.order_by().values(group_by).annotate(names=GroupConcat(name)).values("names"),
        output_field=CharField(),
    )


def businesses_for_home(user) -> QuerySet[BusinessProfile]:
    """The user's associations' member businesses, their sectors' codes in the row
    (`sector_codes`, for `sector_names`): one query."""
    sectors = Organisation.sectors.through.objects.filter(organisation=OuterRef("organisation"))
    return (
        BusinessProfile.objects.filter(association_id__in=perms.association_ids(user))
        .select_related("organisation")
        .annotate(sector_codes=names_of(sectors, "organisation", "sector__code"))
        .order_by("organisation__name")
    )


def chamber_sub_alliances(user) -> QuerySet[SubAlliance]:
    """The sub-alliances the user's associations take part in (themselves or through a member
    business), with their partnership, parties and progress: two queries."""
    parties = perms.party_filter(user)
    if parties is None:
        return SubAlliance.objects.none()
    taking_part = SubAllianceParty.objects.filter(parties, sub_alliance=OuterRef("pk"))
    return with_progress(
        SubAlliance.objects.filter(Exists(taking_part)).select_related("partnership")
    ).order_by("status", "partnership__title", "name")


def chamber_sub_alliances_for_home(user) -> QuerySet[SubAlliance]:
    """The same, with the parties' names in the row (`party_names`) instead of a query."""
    parties = SubAllianceParty.objects.filter(sub_alliance=OuterRef("pk"))
    return (
        chamber_sub_alliances(user)
        .prefetch_related(None)
        .annotate(party_names=names_of(parties, "sub_alliance", "organisation__name"))
    )


def chamber_outcomes(user) -> QuerySet[Outcome]:
    """The outcomes recorded for those sub-alliances, newest first (one query)."""
    return (
        Outcome.objects.filter(sub_alliance__in=chamber_sub_alliances(user).values("pk"))
        .select_related("sub_alliance__partnership", "partner", "recorded_by")
        .order_by("-occurred_on", "-id")
    )


def chamber_outcome_totals(user) -> list[OutcomeTotal]:
    """Those outcomes added up per kind and currency (one query)."""
    rows = (
        Outcome.objects.filter(sub_alliance__in=chamber_sub_alliances(user).values("pk"))
        .order_by()
        .values("kind", "currency")
        .annotate(total=Sum("amount"), n=Count("pk"))
    )
    return _totals(rows)


def partnerships_worth_a_look(user) -> QuerySet[Partnership]:
    """Published partnerships of the cities of the user's associations, those in implementation
    (or measuring) first, then those whose other cities work in most of the sectors of the
    associations' member businesses. Each row says whether the associations registered
    interest (`registered`) and how many sectors matched (`shared_sectors`). One query."""
    ids = perms.association_ids(user)
    cities = BusinessAssociation.objects.filter(pk__in=ids).values("organisation__partner_id")
    member_sectors = Sector.objects.filter(organisations__business__association__in=ids).values(
        "pk"
    )
    through = Partner.sectors.through
    shared = through.objects.filter(
        partner__memberships__partnership=OuterRef("pk"), sector__in=member_sectors
    ).exclude(partner__in=cities)
    running = Q(step__gte=Step.IMPLEMENTATION, status=Partnership.Status.ACTIVE)
    of_its_city = PartnershipMember.objects.filter(partnership=OuterRef("pk"), partner__in=cities)
    registered = InterestRegistration.objects.filter(
        partnership=OuterRef("pk"), association__in=ids
    ).exclude(status=InterestRegistration.Status.WITHDRAWN)
    return (
        partnerships_published()
        .filter(Exists(of_its_city))
        .annotate(
            running=Case(When(running, then=1), default=0, output_field=IntegerField()),
            shared_sectors=count_of(shared),
            registered=Exists(registered),
        )
        .order_by("-running", "-shared_sectors", "title", "pk")
    )


def sector_names(codes: str | None) -> str:
    """ "A, C" (a row's sector codes joined by GroupConcat) as the sectors' names in the active
    language: the names are stored in English, and hold commas themselves."""
    names = dict(reference_data.SECTORS)
    return "; ".join(_(names.get(code, code)) for code in (codes or "").split(", ") if code)
