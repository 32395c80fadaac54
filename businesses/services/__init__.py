"""Everything that writes chambers, businesses, interest, leads and outcomes, one module per area.
Each function is one transaction; it re-checks that `user` may do it (`None` means a trusted
caller: a command, a task, the demo data) and raises `DomainError` with a message fit for a
person; field errors come out of `full_clean()` as `ValidationError`, for forms to show on
their fields.

- chambers: associations and their staff (sign-up, decisions)
- directory: member businesses (add, change, import)
- interest: interest in partnerships, and leads for new ones
- outcomes: outcomes of business sub-alliances, matchmaking into one
- matches: matches chambers propose to the officers, and their decision
"""

from businesses.services.chambers import (
    association_create,
    chamber_membership_decide,
    chamber_propose,
    chamber_signup,
)
from businesses.services.common import CLOSED_PARTNERSHIP_STATUSES
from businesses.services.directory import (
    IMPORT_BATCH_SIZE,
    ORGANISATION_FIELDS,
    PROFILE_FIELDS,
    business_create,
    business_update,
    businesses_import_csv,
)
from businesses.services.interest import (
    interest_decide,
    interest_register,
    interest_withdraw,
    lead_decline,
    lead_propose,
    lead_take_up,
    partnered_city_ids,
)
from businesses.services.matches import match_decide, match_propose, match_withdraw
from businesses.services.outcomes import (
    OUTCOME_GROUPINGS,
    matchmaking_to_sub_alliance,
    outcome_record,
)

__all__ = [
    "CLOSED_PARTNERSHIP_STATUSES",
    "IMPORT_BATCH_SIZE",
    "ORGANISATION_FIELDS",
    "OUTCOME_GROUPINGS",
    "PROFILE_FIELDS",
    "association_create",
    "business_create",
    "business_update",
    "businesses_import_csv",
    "chamber_membership_decide",
    "chamber_propose",
    "chamber_signup",
    "interest_decide",
    "interest_register",
    "interest_withdraw",
    "lead_decline",
    "lead_propose",
    "lead_take_up",
    "match_decide",
    "match_propose",
    "match_withdraw",
    "matchmaking_to_sub_alliance",
    "outcome_record",
    "partnered_city_ids",
]
