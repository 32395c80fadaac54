"""Forms of the chamber pages: sign-up, staff decisions, business profiles and their import,
interest in partnerships, leads, matchmaking and outcomes.

They expose only what the person may set: never the association's city, who decided, the
status of a registration, or anything of a partnership itself. Choices are limited to what the
user may pick (their own associations and businesses, partnerships open to their interest), and
the services check everything again.
"""

from businesses.forms.chambers import (
    CHAMBER_FIELDS,
    PLACES_OFFERED,
    ChamberFields,
    DecisionForm,
    JoinForm,
    SignupForm,
    find_places,
    place_label,
)
from businesses.forms.common import (
    AssociationChoiceField,
    AssociationMixin,
    association_label,
    associations_qs,
)
from businesses.forms.directory import BusinessFilterForm, BusinessForm, ImportForm
from businesses.forms.interest import (
    BusinessChoiceField,
    InterestForm,
    LeadDecisionForm,
    LeadForm,
    partnerships_open_to,
)
from businesses.forms.matches import (
    PICK_A_MATCH,
    MatchDecisionForm,
    MatchProposalForm,
    OutcomeForm,
    PairForm,
)
from businesses.forms.registry import RegistryFilterForm

__all__ = [
    "CHAMBER_FIELDS",
    "PICK_A_MATCH",
    "PLACES_OFFERED",
    "AssociationChoiceField",
    "AssociationMixin",
    "BusinessChoiceField",
    "BusinessFilterForm",
    "BusinessForm",
    "ChamberFields",
    "DecisionForm",
    "ImportForm",
    "InterestForm",
    "JoinForm",
    "LeadDecisionForm",
    "LeadForm",
    "MatchDecisionForm",
    "MatchProposalForm",
    "OutcomeForm",
    "PairForm",
    "RegistryFilterForm",
    "SignupForm",
    "association_label",
    "associations_qs",
    "find_places",
    "partnerships_open_to",
    "place_label",
]
