"""The receptionist's home ("Phone desk"): their calls in progress and the messages they took today."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID

from django.utils import timezone

from accounts.models import User
from callbacks.models import CallDraft, Message


@dataclass(frozen=True)
class DraftRow:
    token: UUID
    started_at: datetime
    step: str
    step_title: str
    recipient: str  # as typed so far
    caller: str


def drafts_in_progress(*, user: User) -> list[DraftRow]:
    """The receptionist's own unfinished calls, oldest first, with who for and who called as typed."""
    rows = CallDraft.objects.filter(taken_by=user).order_by("started_at")
    return [
        DraftRow(
            token=draft.token,
            started_at=draft.started_at,
            step=draft.step,
            step_title=draft.get_step_display(),
            recipient=draft.data.get("recipient", {}).get("recipient") or draft.prefill_for,
            caller=draft.data.get("caller", {}).get("name")
            or draft.data.get("caller", {}).get("number")
            or draft.prefill_number,
        )
        for draft in rows
    ]


def messages_taken_today(*, user: User, now: datetime) -> list[Message]:
    """What this receptionist took since local midnight, newest first (one query)."""
    day = timezone.localtime(now).date()
    start = timezone.make_aware(datetime.combine(day, time.min))
    return list(
        Message.objects.filter(taken_by=user, taken_at__gte=start, taken_at__lt=start + timedelta(days=1))
        .select_related("owner_user", "owner_team")
        .order_by("-taken_at")
    )
