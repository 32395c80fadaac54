"""The partnerships app's models, one module per group of steps."""

from partnerships.models.agreement import MOU, MOUSignatory
from partnerships.models.choices import Step
from partnerships.models.delivery import (
    Activity,
    KPIResult,
    Lesson,
    Review,
    SuccessFactorRating,
)
from partnerships.models.health import HealthSummary
from partnerships.models.partners import CityMembership, CooperationArea, Partner, Sector
from partnerships.models.partnership import (
    Champion,
    MoveConfirmation,
    Partnership,
    PartnershipMember,
    StepTransition,
)
from partnerships.models.planning import KPI, BusinessPlan, LetterOfIntent, PlanAction
from partnerships.models.saved_views import DefaultView, SavedView
from partnerships.models.selection import (
    ApproachContact,
    Candidate,
    CriterionScore,
    DueDiligence,
    FeasibilityStudy,
    SelectionDecision,
)
from partnerships.models.signoff import OfflineConfirmation
from partnerships.models.strategy import StrategyCriterion, TwinningStrategy
from partnerships.models.uploads import HeldUpload

__all__ = [
    "KPI",
    "MOU",
    "Activity",
    "ApproachContact",
    "BusinessPlan",
    "Candidate",
    "Champion",
    "CityMembership",
    "CooperationArea",
    "CriterionScore",
    "DefaultView",
    "DueDiligence",
    "FeasibilityStudy",
    "HealthSummary",
    "HeldUpload",
    "KPIResult",
    "Lesson",
    "LetterOfIntent",
    "MOUSignatory",
    "MoveConfirmation",
    "OfflineConfirmation",
    "Partner",
    "Partnership",
    "PartnershipMember",
    "PlanAction",
    "Review",
    "SavedView",
    "Sector",
    "SelectionDecision",
    "Step",
    "StepTransition",
    "StrategyCriterion",
    "SuccessFactorRating",
    "TwinningStrategy",
]
