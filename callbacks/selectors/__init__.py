"""Reads, one module a part of the product; the names every caller uses are importable from here."""

from callbacks.selectors.access import can_act_on, can_correct, can_see, messages_visible_to, with_may_act
from callbacks.selectors.intake import (
    Availability,
    CallerProfile,
    OpenMessage,
    Recipient,
    availabilities,
    availability_of,
    caller_history,
    caller_profile,
    open_message,
    open_messages_for,
    recipients_all,
    rules_of,
    team_of,
)
from callbacks.selectors.navigation import NavigationCounts, inbox_of, navigation_counts, unread_count
from callbacks.selectors.timeline import DETAIL_RELATIONS, EARLIER_SHOWN, changes_since, message_timeline
from callbacks.selectors.worklist import (
    FOLLOW_UP,
    LATER,
    OVERDUE,
    TODAY,
    WORKLIST_CAPS,
    WorkFilter,
    WorkGroup,
    Worklist,
    member_teams,
    work_messages,
    worklist,
)

__all__ = [
    "DETAIL_RELATIONS", "EARLIER_SHOWN", "FOLLOW_UP", "LATER", "OVERDUE", "TODAY", "WORKLIST_CAPS", "Availability", "CallerProfile", "NavigationCounts",
    "OpenMessage", "Recipient", "WorkFilter", "WorkGroup", "Worklist", "availabilities", "availability_of",
    "caller_history", "caller_profile", "can_act_on", "can_correct", "can_see", "changes_since", "inbox_of", "member_teams",
    "message_timeline", "messages_visible_to", "navigation_counts", "unread_count", "open_message", "open_messages_for", "recipients_all", "rules_of", "team_of",
    "with_may_act", "work_messages", "worklist",
]
