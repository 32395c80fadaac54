"""The businesses app's models: chambers and their staff, business profiles, interest in
partnerships, leads for new partnerships, and the measured outcomes of business sub-alliances."""

from businesses.models.chambers import (
    BusinessAssociation,
    BusinessProfile,
    ChamberMembership,
    Need,
)
from businesses.models.interest import InterestedBusiness, InterestRegistration, PartnershipLead
from businesses.models.matches import MatchProposal
from businesses.models.outcomes import Outcome

__all__ = [
    "BusinessAssociation",
    "BusinessProfile",
    "ChamberMembership",
    "InterestRegistration",
    "InterestedBusiness",
    "MatchProposal",
    "Need",
    "Outcome",
    "PartnershipLead",
]
