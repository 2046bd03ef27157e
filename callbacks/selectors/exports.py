"""The rows of the managers' message export (callbacks.views.statistics.messages_csv)."""

from django.db.models import QuerySet

from accounts.models import Team
from callbacks.domain.figures import Period
from callbacks.selectors.statistics import messages_in

# One tuple a message, in this order; the caller's name, number, company, email and the reason are left
# out on purpose (see the view's docstring).
MESSAGE_EXPORT_FIELDS = (
    "pk",
    "taken_at",
    "taken_by__full_name",
    "taken_by__username",
    "owner_user__full_name",
    "owner_user__username",
    "owner_team__name",
    "call_type",
    "tone",
    "status",
    "wants_callback",
    "deadline",
    "handled_at",
    "attempt_count",
    "call_count",
)


def message_export_rows(*, period: Period, team: Team | None) -> QuerySet:
    """The period's messages (of one team, or all) as tuples of MESSAGE_EXPORT_FIELDS, oldest first."""
    return messages_in(period, team).order_by("taken_at", "pk").values_list(*MESSAGE_EXPORT_FIELDS)
