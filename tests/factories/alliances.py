"""Factories for organisations and sub-alliances."""

import factory

from alliances.models import (
    Grouping,
    Organisation,
    ScorecardMeasure,
    StartUpTask,
    StrengthRecord,
    SubAlliance,
    SubAllianceParty,
)
from tests.factories.partnerships import PartnerFactory, PartnershipFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    kind = Organisation.Kind.MUNICIPAL
    name = factory.Sequence(lambda n: f"Organisation {n}")
    partner = factory.SubFactory(PartnerFactory)

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sectors.set(extracted)


class SubAllianceFactory(factory.django.DjangoModelFactory):
    """A bare sub-alliance row (no parties, tasks or history: use the services for those)."""

    class Meta:
        model = SubAlliance

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Sub-alliance {n}")
    purpose = "Exchange of know-how between the two cities' water utilities."
    grouping = Grouping.GOVERNMENT
    form = SubAlliance.Form.KNOWLEDGE_NETWORK
    strength = 3

    class Params:
        business = factory.Trait(
            grouping=Grouping.BUSINESS,
            form=SubAlliance.Form.PARTNERSHIP,
            linkage_scope=SubAlliance.LinkageScope.BILATERAL,
            linkage_locus=SubAlliance.LinkageLocus.EXTERNAL,
            linkage_direction=SubAlliance.LinkageDirection.VERTICAL,
        )


class SubAlliancePartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubAllianceParty

    sub_alliance = factory.SubFactory(SubAllianceFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    partner = factory.SelfAttribute("organisation.partner")


class StrengthRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrengthRecord

    sub_alliance = factory.SubFactory(SubAllianceFactory)
    strength = 5
    previous = 3


class StartUpTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StartUpTask

    sub_alliance = factory.SubFactory(SubAllianceFactory)
    kind = StartUpTask.Kind.ROLES


class ScorecardMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScorecardMeasure

    sub_alliance = factory.SubFactory(SubAllianceFactory)
    dimension = ScorecardMeasure.Dimension.EFFECTIVENESS
    name = factory.Sequence(lambda n: f"Joint projects {n}")
    unit = "projects"
    target = 4
    added_by_partner = factory.SubFactory(PartnerFactory)


# --- A partnership between two cities, with an officer on each side ----------------------


class Twinned:
    """Gqeberha (South Africa, home) and Gävle (Sweden) in a published partnership, an officer
    of each, and an officer of a third city that is no member."""

    def __init__(self, **partnership_fields):
        from partnerships.models import Partner
        from tests.factories.partnerships import (
            CityMembershipFactory,
            NorthPartnerFactory,
            PartnershipMemberFactory,
        )

        self.home = PartnerFactory(name="Gqeberha", province="Eastern Cape", country="ZA")
        self.away = NorthPartnerFactory(
            name="Gävle",
            province="Gävleborg",
            country="SE",
            global_region=Partner.GlobalRegion.NORTH,
        )
        self.third = PartnerFactory(name="Polokwane", province="Limpopo")
        fields = {"published": True, "title": "Gqeberha – Gävle", **partnership_fields}
        self.partnership = PartnershipFactory(home=self.home, **fields)
        PartnershipMemberFactory(partnership=self.partnership, partner=self.away)
        self.home_officer = CityMembershipFactory(partner=self.home).user
        self.away_officer = CityMembershipFactory(partner=self.away).user
        self.stranger_officer = CityMembershipFactory(partner=self.third).user

    def organisation(self, side: str = "home", **fields):
        partner = self.home if side == "home" else self.away
        return OrganisationFactory(partner=partner, **fields)
