"""All models, importable from one place."""

from mediation.models.audit import AuditEntry
from mediation.models.calendar import CalendarDay, CalendarYear
from mediation.models.case import Case, CaseCounter
from mediation.models.deadline import Deadline
from mediation.models.event import Event
from mediation.models.notification import Notification
from mediation.models.party import CaseParty, Party
from mediation.models.setting import Setting
from mediation.models.sign_in import SignInSession
from mediation.models.station import Agency, Station, agency_station
from mediation.models.station_log import DutyShift, VisitLogEntry
from mediation.models.submission import Submission
from mediation.models.supervision import Supervision, SupervisionAnswer
from mediation.models.user import User, user_station
from mediation.models.work import Agreement, Attachment, FollowUpVisit, MediationSession, Referral

__all__ = [
    "Agency",
    "Agreement",
    "AuditEntry",
    "CalendarDay",
    "CalendarYear",
    "Attachment",
    "Case",
    "CaseCounter",
    "CaseParty",
    "Deadline",
    "DutyShift",
    "Event",
    "FollowUpVisit",
    "MediationSession",
    "Notification",
    "Party",
    "Referral",
    "Setting",
    "SignInSession",
    "Station",
    "Submission",
    "Supervision",
    "SupervisionAnswer",
    "User",
    "VisitLogEntry",
    "user_station",
    "agency_station",
]
