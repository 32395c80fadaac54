"""Everything that writes partnership data, one module per area. Each function is one
transaction (`<entity>_<verb>(*, keyword-only) -> result`), re-checks who may do it, and raises
DomainError (a message fit for a person) or ValidationError (per field) when it refuses.

Views, the admin, management commands and tasks call these; none of them write another way,
and nothing changes a partnership's step but `walk.partnership_move`. The names below are the
package's whole public surface, so callers may write `services.partnership_move`:

- common: the edit check and the locks every service shares
- cities: strategies (step 1) and the officers of a city
- walk: the partnership's own record and its moves between the eight steps
- search: candidates, their evaluation and scores, the selection (steps 2-4)
- planning: letter of intent, business plan, KPIs, the MOU (steps 5-6)
- delivery: activities (step 7)
- measurement: reviews and lessons (step 8)
- signoff: confirmations of a joint sign-off given outside the portal (record, endorse,
  dispute)
- imports: partner cities from a spreadsheet
- places: a partner city added from the gazetteer
- saved_views: the partnership list's saved views and each person's default
- uploads: a checked PDF held while its form is corrected
"""

from partnerships.services.cities import (
    CRITERION_FIELDS,
    STRATEGY_TEXT_FIELDS,
    officer_add,
    officer_remove,
    officer_set_role,
    strategy_approve,
    strategy_create,
    strategy_criteria_save,
    strategy_draft_discard,
    strategy_draft_start,
    strategy_in_force,
    strategy_put_in_force,
    strategy_update_draft,
)
from partnerships.services.delivery import (
    ACTIVITY_MAX_DAYS_AHEAD,
    activity_date_problem,
    activity_log,
)
from partnerships.services.imports import may_import_partner_cities, partner_city_upsert
from partnerships.services.measurement import (
    REVIEW_FIELDS,
    add_months,
    factor_field,
    kpi_field,
    lesson_add,
    lesson_adopt_into_strategy,
    review_complete,
    review_create_draft,
    review_update_draft,
)
from partnerships.services.places import global_region_for, may_add_city, partner_city_add
from partnerships.services.planning import (
    business_plan_save,
    kpi_add,
    letter_of_intent_save,
    mou_save,
    mou_sign,
    plan_action_add,
    plan_action_set_status,
)
from partnerships.services.saved_views import (
    default_view_set,
    saved_view_delete,
    saved_view_save,
)
from partnerships.services.search import (
    CANDIDATE_STATUSES_BY_HAND,
    approach_contact_add,
    candidate_add,
    candidate_set_status,
    criterion_scores_save,
    due_diligence_save,
    feasibility_save,
    selection_criteria,
    selection_decide,
)
from partnerships.services.signoff import (
    offline_confirmation_dispute,
    offline_confirmation_endorse,
    offline_confirmation_record,
)
from partnerships.services.uploads import (
    HELD_UPLOAD_HOURS,
    held_file,
    held_uploads_purge,
    upload_held,
    upload_hold,
    upload_release,
)
from partnerships.services.walk import (
    PARTNERSHIP_EDITABLE_FIELDS,
    PAUSE_REASON_MAX,
    champion_add,
    derive_orientation,
    member_publish_contacts,
    partnership_add_partner,
    partnership_advance,
    partnership_confirm_move,
    partnership_create,
    partnership_move,
    partnership_pause,
    partnership_refresh_orientation,
    partnership_return,
    partnership_update,
)

__all__ = [
    "ACTIVITY_MAX_DAYS_AHEAD",
    "CANDIDATE_STATUSES_BY_HAND",
    "CRITERION_FIELDS",
    "HELD_UPLOAD_HOURS",
    "PARTNERSHIP_EDITABLE_FIELDS",
    "PAUSE_REASON_MAX",
    "REVIEW_FIELDS",
    "STRATEGY_TEXT_FIELDS",
    "activity_date_problem",
    "activity_log",
    "add_months",
    "approach_contact_add",
    "business_plan_save",
    "candidate_add",
    "candidate_set_status",
    "champion_add",
    "criterion_scores_save",
    "default_view_set",
    "derive_orientation",
    "due_diligence_save",
    "factor_field",
    "feasibility_save",
    "global_region_for",
    "held_file",
    "held_uploads_purge",
    "kpi_add",
    "kpi_field",
    "lesson_add",
    "lesson_adopt_into_strategy",
    "letter_of_intent_save",
    "may_add_city",
    "may_import_partner_cities",
    "member_publish_contacts",
    "mou_save",
    "mou_sign",
    "officer_add",
    "officer_remove",
    "officer_set_role",
    "offline_confirmation_dispute",
    "offline_confirmation_endorse",
    "offline_confirmation_record",
    "partner_city_add",
    "partner_city_upsert",
    "partnership_add_partner",
    "partnership_advance",
    "partnership_confirm_move",
    "partnership_create",
    "partnership_move",
    "partnership_pause",
    "partnership_refresh_orientation",
    "partnership_return",
    "partnership_update",
    "plan_action_add",
    "plan_action_set_status",
    "review_complete",
    "review_create_draft",
    "review_update_draft",
    "saved_view_delete",
    "saved_view_save",
    "selection_criteria",
    "selection_decide",
    "strategy_approve",
    "strategy_create",
    "strategy_criteria_save",
    "strategy_draft_discard",
    "strategy_draft_start",
    "strategy_in_force",
    "strategy_put_in_force",
    "strategy_update_draft",
    "upload_held",
    "upload_hold",
    "upload_release",
]
