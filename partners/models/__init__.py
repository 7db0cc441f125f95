"""Partner models, one module per concept; importing them here registers them with Django."""

from partners.models.core import (
    AcquisitionCost,
    Partner,
    PartnerSegment,
    PartnerStatus,
    PartnerType,
    Program,
    Segment,
    Stage,
    StageChange,
    Tier,
    TierChange,
)
from partners.models.enablement import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Side,
    Training,
    TrainingCompletion,
    TrainingKind,
)
from partners.models.health import Answer, Assessment, Question, Questionnaire, Respondent
from partners.models.market import Campaign, MdfRequest, MdfStatus
from partners.models.recruit import (
    CriterionKind,
    IdealProfile,
    ProfileCriterion,
    Prospect,
    ProspectSegment,
    ProspectStatus,
)

__all__ = [
    "AcquisitionCost",
    "Answer",
    "Assessment",
    "Campaign",
    "ChecklistItem",
    "ChecklistTemplate",
    "ChecklistTemplateItem",
    "CriterionKind",
    "IdealProfile",
    "MdfRequest",
    "MdfStatus",
    "Partner",
    "PartnerSegment",
    "PartnerStatus",
    "PartnerType",
    "ProfileCriterion",
    "Program",
    "Prospect",
    "ProspectSegment",
    "ProspectStatus",
    "Question",
    "Questionnaire",
    "Respondent",
    "Segment",
    "Side",
    "Stage",
    "StageChange",
    "Tier",
    "TierChange",
    "Training",
    "TrainingCompletion",
    "TrainingKind",
]
