"""Models of the petitions app, one module per subject: petitions and the reception roster
(issue 3), online appeals and the daily bulletin (issue 4)."""

from __future__ import annotations

from .appeals.models import (  # noqa: F401
    Appeal,
    AppealAttachment,
    AppealCategory,
    AppealPlatform,
    AppealReply,
    AppealSource,
    AppealStatus,
    AppealStep,
    Bulletin,
    StepKind,
)
from .matters.models import (  # noqa: F401
    AssignmentRole,
    AssignmentState,
    Category,
    Channel,
    Petition,
    PetitionAssignment,
    PetitionAttachment,
    Petitioner,
    PetitionerAccess,
    PetitionEvent,
    PetitionRepeat,
    PetitionStatus,
    RevealedField,
    Satisfaction,
    Supervision,
    SupervisionMode,
)
from .roster.models import (  # noqa: F401
    Appointment,
    AppointmentMatter,
    ContactKind,
    DayPart,
    Leave,
    MatterOutcome,
    MissedContact,
    NoticeKind,
    OfficeVisit,
    Reception,
    ReceptionKind,
    ReceptionStatus,
    RescheduledMeeting,
    RosterNotice,
    SpecialPeriod,
)
