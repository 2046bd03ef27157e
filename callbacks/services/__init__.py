"""Every write of the callback log, each safe to repeat. Views and tasks call these, nothing else writes."""

from callbacks.services.digests import digests_send
from callbacks.services.drafts import (
    draft_discard,
    draft_forget,
    draft_keep,
    draft_start,
    draft_step_store,
    drafts_expire,
)
from callbacks.services.intake import (
    URGENT_FROM_CALL,
    CallerDetails,
    Promise,
    Taken,
    message_add_call,
    message_record_helped,
    message_record_put_through,
    message_take,
)
from callbacks.services.work import (
    MessageChanged,
    attempt_log,
    follow_up_complete,
    message_correct,
    message_reassign,
    messages_route_to_stand_ins,
    notifications_mark_read,
)

__all__ = [
    "URGENT_FROM_CALL",
    "CallerDetails",
    "digests_send",
    "draft_discard",
    "draft_forget",
    "draft_keep",
    "draft_start",
    "draft_step_store",
    "drafts_expire",
    "MessageChanged",
    "Promise",
    "Taken",
    "attempt_log",
    "follow_up_complete",
    "message_add_call",
    "message_correct",
    "message_reassign",
    "message_record_helped",
    "message_record_put_through",
    "message_take",
    "messages_route_to_stand_ins",
    "notifications_mark_read",
]
