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
from voicebox.models.concerns import (
    Category,
    Concern,
    ConcernFlag,
    ConcernStatus,
    ConcernStatusChange,
    ConcernSupport,
    FollowupMessage,
)
from voicebox.models.petitions import (
    Cosponsorship,
    Petition,
    PetitionDayTally,
    PetitionGroupDayTally,
    PetitionStatus,
    Signature,
)

__all__ = [
    "PARTICIPANT_ROLES",
    "AuditEvent",
    "Base",
    "Category",
    "Concern",
    "ConcernFlag",
    "ConcernStatus",
    "ConcernStatusChange",
    "ConcernSupport",
    "Cosponsorship",
    "FollowupMessage",
    "Group",
    "InstanceSettings",
    "Invite",
    "Petition",
    "PetitionDayTally",
    "PetitionGroupDayTally",
    "PetitionStatus",
    "Role",
    "Signature",
    "User",
]
