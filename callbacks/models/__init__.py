from callbacks.models.caller import Caller, CallerLinkEvent, CallerNumber
from callbacks.models.choices import CallType, Outcome, Priority, Status, Tone
from callbacks.models.draft import CallDraft
from callbacks.models.message import Attempt, CallLog, Message, MessageEvent
from callbacks.models.notification import DigestSent, Heartbeat, Notification
from callbacks.models.rollup import DayFigures, DaySpread
from callbacks.models.privacy import PrivacyRecord, RetentionSetting
from callbacks.models.policy import (
    DEFAULT_CHECK_MOMENTS,
    DEFAULT_ESCALATION_MINUTES,
    MIDDAY,
    CheckMoment,
    ClosureDay,
    DayPart,
    HandlingPolicy,
    OpeningHours,
    PhoneDuty,
    TeamSettings,
)

__all__ = [
    "DEFAULT_CHECK_MOMENTS",
    "DEFAULT_ESCALATION_MINUTES",
    "Attempt",
    "CallDraft",
    "Caller",
    "CallerLinkEvent",
    "CallerNumber",
    "Heartbeat",
    "TeamSettings",
    "MIDDAY",
    "DayPart",
    "PhoneDuty",
    "CallLog",
    "CallType",
    "CheckMoment",
    "DayFigures",
    "DaySpread",
    "ClosureDay",
    "DigestSent",
    "HandlingPolicy",
    "Message",
    "MessageEvent",
    "Notification",
    "OpeningHours",
    "Outcome",
    "Priority",
    "PrivacyRecord",
    "RetentionSetting",
    "Status",
    "Tone",
]
