"""Factories for chambers, their staff, businesses, interest, leads and outcomes."""

import datetime as dt

import factory

from alliances.models import Organisation
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    ChamberMembership,
    InterestedBusiness,
    InterestRegistration,
    Need,
    Outcome,
    PartnershipLead,
)
from partnerships.models import Sector
from tests.factories.accounts import UserFactory
from tests.factories.alliances import OrganisationFactory, SubAllianceFactory
from tests.factories.partnerships import NorthPartnerFactory, PartnerFactory


def sectors(*codes):
    """The seeded ISIC sections with these codes."""
    return list(Sector.objects.filter(code__in=codes))


def needs(*codes):
    """The seeded needs with these codes."""
    return list(Need.objects.filter(code__in=codes))


class BusinessAssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessAssociation

    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=Organisation.Kind.CHAMBER,
        name=factory.Sequence(lambda n: f"Chamber of Commerce {n}"),
    )
    email = "info@chamber.example.org"


class ChamberMembershipFactory(factory.django.DjangoModelFactory):
    """Approved staff by default (with its decision date, as the database requires)."""

    class Meta:
        model = ChamberMembership

    user = factory.SubFactory(UserFactory)
    association = factory.SubFactory(BusinessAssociationFactory)
    status = ChamberMembership.Status.APPROVED
    decided_at = factory.LazyFunction(lambda: dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC))

    class Params:
        pending = factory.Trait(status=ChamberMembership.Status.PENDING, decided_at=None)


def chamber_staff(association=None, **kwargs):
    """A user who is approved staff of `association` (a new one if not given)."""
    membership = ChamberMembershipFactory(
        association=association or BusinessAssociationFactory(), **kwargs
    )
    return membership.user


class BusinessProfileFactory(factory.django.DjangoModelFactory):
    """A member business; its organisation is in its association's city."""

    class Meta:
        model = BusinessProfile
        skip_postgeneration_save = True

    association = factory.SubFactory(BusinessAssociationFactory)
    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=Organisation.Kind.BUSINESS,
        name=factory.Sequence(lambda n: f"Business {n}"),
        partner=factory.SelfAttribute("..association.organisation.partner"),
    )
    size_band = BusinessProfile.SizeBand.SMALL
    products_services = "Components"
    export_readiness = BusinessProfile.ExportReadiness.NONE

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisation.sectors.set(extracted)

    @factory.post_generation
    def seeks(self, create, extracted, **kwargs):
        if create and extracted:
            self.seeks.set(extracted)

    @factory.post_generation
    def offers(self, create, extracted, **kwargs):
        if create and extracted:
            self.offers.set(extracted)


class InterestRegistrationFactory(factory.django.DjangoModelFactory):
    """A pending registration; pass `businesses=[...]` to name them (kept consistent)."""

    class Meta:
        model = InterestRegistration
        skip_postgeneration_save = True

    association = factory.SubFactory(BusinessAssociationFactory)
    partnership = factory.SubFactory("tests.factories.partnerships.PartnershipFactory")
    objectives = "Find buyers for processed fruit in the partner city."

    @factory.post_generation
    def businesses(self, create, extracted, **kwargs):
        if create and extracted:
            for business in extracted:
                InterestedBusiness.objects.create(
                    registration=self,
                    business=business,
                    partnership=self.partnership,
                    withdrawn=self.status == InterestRegistration.Status.WITHDRAWN,
                )


class PartnershipLeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipLead

    association = factory.SubFactory(BusinessAssociationFactory)
    home = factory.SelfAttribute("association.organisation.partner")
    target = factory.SubFactory(NorthPartnerFactory)
    rationale = "Its port and food-processing cluster buy what our farmers grow."


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    sub_alliance = factory.SubFactory(SubAllianceFactory, business=True)
    kind = Outcome.Kind.DEALS
    amount = 1
    occurred_on = dt.date(2025, 3, 1)


__all__ = [
    "BusinessAssociationFactory",
    "BusinessProfileFactory",
    "ChamberMembershipFactory",
    "InterestRegistrationFactory",
    "OutcomeFactory",
    "PartnerFactory",
    "PartnershipLeadFactory",
    "chamber_staff",
    "needs",
    "sectors",
]
