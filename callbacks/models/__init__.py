from callbacks.models.message import Attempt, CallLog, CallType, Message, MessageEvent, Outcome, Priority, Status, Tone
from callbacks.models.notification import DigestSent, Notification
from callbacks.models.policy import DEFAULT_CHECK_MOMENTS, CheckMoment, ClosureDay, HandlingPolicy, OpeningHours

__all__ = [
    "DEFAULT_CHECK_MOMENTS", "Attempt", "CallLog", "CallType", "CheckMoment", "ClosureDay", "DigestSent",
    "HandlingPolicy", "Message", "MessageEvent", "Notification", "OpeningHours", "Outcome", "Priority", "Status",
    "Tone",
]
