"""All models, imported here so metadata and migrations see every table."""

from voicebox.models.accounts import (
    PARTICIPANT_ROLES,
    Group,
    InstanceSettings,
    Invite,
    Role,
    User,
)
from voicebox.models.audit import AuditEvent
from voicebox.models.base import Base
from voicebox.models.blind_tokens import ItemTokenIssuance, TokenIssuance
from voicebox.models.comments import HiddenComment
from voicebox.models.concerns import (
    Category,
    Concern,
    ConcernFlag,
    ConcernStatus,
    ConcernStatusChange,
    ConcernSupport,
    FollowupMessage,
)
from voicebox.models.pending import CountingWindow, PendingAction
from voicebox.models.petitions import (
    Cosponsorship,
    Petition,
    PetitionBreakdown,
    PetitionDayTally,
    PetitionStatus,
    Signature,
)
from voicebox.models.reports import (
    OfficialResponse,
    Report,
    ReportVersion,
    ResponseStatus,
    ResponseThreshold,
    ThresholdCrossing,
)
from voicebox.models.tokens import ApiToken

__all__ = [
    "PARTICIPANT_ROLES",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Category",
    "Concern",
    "ConcernFlag",
    "ConcernStatus",
    "ConcernStatusChange",
    "ConcernSupport",
    "Cosponsorship",
    "CountingWindow",
    "FollowupMessage",
    "Group",
    "HiddenComment",
    "InstanceSettings",
    "Invite",
    "ItemTokenIssuance",
    "OfficialResponse",
    "PendingAction",
    "Petition",
    "PetitionBreakdown",
    "PetitionDayTally",
    "PetitionStatus",
    "Report",
    "ReportVersion",
    "ResponseStatus",
    "ResponseThreshold",
    "Role",
    "Signature",
    "ThresholdCrossing",
    "TokenIssuance",
    "User",
]
