"""Each rule of the businesses models gives a clear error, and the database refuses what must
never be stored."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

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
from tests.factories.accounts import UserFactory
from tests.factories.alliances import OrganisationFactory, SubAllianceFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    ChamberMembershipFactory,
    InterestRegistrationFactory,
    PartnershipLeadFactory,
)
from tests.factories.partnerships import PartnerFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict:
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    return error.value.message_dict


def test_the_needs_are_seeded():
    assert list(Need.objects.values_list("code", flat=True)) == [
        "buyers",
        "suppliers",
        "investment",
        "technology",
        "students",
        "tourism",
    ]


def test_an_association_wraps_an_organisation_of_kind_chamber():
    association = BusinessAssociation(organisation=OrganisationFactory(kind="municipal"))
    assert errors_of(association) == {
        "organisation": ["Choose an organisation of kind business association or chamber."]
    }


def test_a_business_profile_wraps_an_organisation_of_kind_business():
    profile = BusinessProfile(
        organisation=OrganisationFactory(kind="civil_society"),
        association=BusinessAssociationFactory(),
        size_band="small",
    )
    assert errors_of(profile) == {"organisation": ["Choose an organisation of kind business."]}


def test_a_business_belongs_to_an_association_of_its_own_city():
    profile = BusinessProfile(
        organisation=OrganisationFactory(kind="business"),
        association=BusinessAssociationFactory(),
        size_band="small",
    )
    assert errors_of(profile) == {
        "association": ["A business belongs to an association of its own city."]
    }


def test_the_same_business_name_and_city_is_refused_whatever_the_case():
    business = BusinessProfileFactory(organisation__name="Eastern Cape Citrus")
    twin = Organisation(
        kind="business", name="EASTERN CAPE CITRUS", partner=business.organisation.partner
    )
    assert errors_of(twin) == {
        "__all__": ["An organisation of this name already exists in this city."]
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(
            kind="business", name="eastern cape citrus", partner=business.organisation.partner
        )


def test_one_membership_per_user_per_association():
    membership = ChamberMembershipFactory()
    twin = ChamberMembership(user=membership.user, association=membership.association)
    assert errors_of(twin) == {"__all__": ["This user has already asked to join this association."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        ChamberMembership.objects.create(user=membership.user, association=membership.association)


def test_a_decided_membership_has_its_date_and_a_pending_one_none():
    with pytest.raises(IntegrityError), transaction.atomic():
        ChamberMembershipFactory(status=ChamberMembership.Status.APPROVED, decided_at=None)
    membership = ChamberMembershipFactory.build(
        user=UserFactory(), association=BusinessAssociationFactory(), pending=True
    )
    membership.decided_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert errors_of(membership) == {
        "__all__": ["A decided membership has its decision date; a pending one has none."]
    }


def test_the_same_business_is_interested_once_per_partnership_unless_withdrawn():
    business = BusinessProfileFactory()
    partnership = PartnershipFactory()
    first = InterestRegistrationFactory(
        association=business.association, partnership=partnership, businesses=[business]
    )
    second = InterestRegistrationFactory(association=business.association, partnership=partnership)
    twin = InterestedBusiness(registration=second, business=business, partnership=partnership)
    assert errors_of(twin) == {
        "__all__": ["This business has already registered interest in this partnership."]
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        InterestedBusiness.objects.create(
            registration=second, business=business, partnership=partnership
        )
    InterestedBusiness.objects.filter(registration=first).update(withdrawn=True)
    InterestedBusiness.objects.create(
        registration=second, business=business, partnership=partnership
    )


def test_an_entry_copies_its_registrations_partnership():
    registration = InterestRegistrationFactory()
    entry = InterestedBusiness(
        registration=registration,
        business=BusinessProfileFactory(),
        partnership=PartnershipFactory(),
    )
    assert errors_of(entry) == {"partnership": ["Must be the registration's partnership."]}


def test_a_declined_registration_says_why():
    registration = InterestRegistrationFactory.build(
        association=BusinessAssociationFactory(),
        partnership=PartnershipFactory(),
        status=InterestRegistration.Status.DECLINED,
        decided_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    assert errors_of(registration) == {
        "officer_message": ["Tell the chamber why the interest is declined."]
    }


def test_the_database_refuses_a_decision_without_its_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        InterestRegistrationFactory(status=InterestRegistration.Status.ACCEPTED)


def test_a_lead_never_proposes_a_city_to_itself():
    lead = PartnershipLeadFactory.build(association=BusinessAssociationFactory())
    lead.target = lead.home
    assert errors_of(lead)["target"] == ["A city cannot partner with itself."]
    with pytest.raises(IntegrityError), transaction.atomic():
        association = BusinessAssociationFactory()
        PartnershipLead.objects.create(
            association=association,
            home=association.organisation.partner,
            target=association.organisation.partner,
            rationale="x",
        )


def test_one_open_lead_per_pair_of_cities():
    lead = PartnershipLeadFactory()
    twin = PartnershipLead(
        association=lead.association, home=lead.home, target=lead.target, rationale="Again."
    )
    assert errors_of(twin) == {
        "__all__": ["A lead for this city is already waiting for the officers."]
    }


@pytest.mark.parametrize(
    ("kind", "amount", "currency", "errors"),
    [
        (
            "export_value",
            "1000",
            "",
            {"currency": ["Give the currency of this amount (e.g. ZAR, EUR)."]},
        ),
        (
            "investment",
            "1000",
            "RAND",
            {
                "currency": [
                    "Give the ISO 4217 currency code, e.g. ZAR, EUR, SEK.",
                    "Ensure this value has at most 3 characters (it has 4).",
                ]
            },
        ),
        (
            "investment",
            "1000",
            "R1",
            {"currency": ["Give the ISO 4217 currency code, e.g. ZAR, EUR, SEK."]},
        ),
        ("jobs", "12", "ZAR", {"currency": ["A count has no currency."]}),
        ("visitors", "2.5", "", {"amount": ["A count is a whole number."]}),
        ("deals", "-1", "", {"amount": ["Ensure this value is greater than or equal to 0."]}),
    ],
)
def test_outcome_amounts_and_currencies(kind, amount, currency, errors):
    outcome = Outcome(
        sub_alliance=SubAllianceFactory(business=True),
        kind=kind,
        amount=Decimal(amount),
        currency=currency,
    )
    assert errors_of(outcome) == errors


def test_a_currency_code_is_read_in_capitals():
    outcome = Outcome(
        sub_alliance=SubAllianceFactory(business=True),
        kind="export_value",
        amount=Decimal("1500000"),
        currency=" sek",
    )
    outcome.full_clean()
    assert outcome.currency == "SEK"


@pytest.mark.parametrize(
    ("kind", "currency", "amount"),
    [("export_value", "", 1), ("jobs", "ZAR", 1), ("jobs", "", -1)],
)
def test_the_database_refuses_bad_outcomes(kind, currency, amount):
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.create(
            sub_alliance=SubAllianceFactory(business=True),
            kind=kind,
            currency=currency,
            amount=amount,
        )


def test_a_business_lives_in_its_associations_city():
    business = BusinessProfileFactory()
    assert business.organisation.partner == business.association.organisation.partner
    assert business.organisation.kind == Organisation.Kind.BUSINESS
    assert str(business) == business.name
    assert PartnerFactory  # the factories module's cities are the shared ones
