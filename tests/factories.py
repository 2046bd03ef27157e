"""Messages made directly in the database, for tests of what happens after the intake."""

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Team, User
from callbacks.models import CallLog, Message, MessageEvent, Status


def make_message(
    *,
    taken_by: User,
    owner: User | None = None,
    team: Team | None = None,
    deadline: datetime | None = None,
    status: str = Status.OPEN,
    caller_name: str = "Pieter de Boer",
    caller_number: str = "+31612345678",
    reason: str = "Vraag over de offerte",
    **fields,
) -> Message:
    now = timezone.now()
    if team is None and owner is not None:
        team = owner.teams.order_by("name").first()
    if deadline is None and status == Status.OPEN:
        deadline = now + timedelta(days=1)
    message = Message.objects.create(
        intake_token=uuid.uuid4(), taken_by=taken_by, taken_at=fields.pop("taken_at", now), intended_user=owner,
        owner_user=owner, owner_team=team, caller_name=caller_name, caller_number=caller_number, reason=reason,
        status=status, deadline=deadline, policy_deadline=deadline,
        escalate_at=fields.pop("escalate_at", deadline + timedelta(hours=2) if deadline else None), **fields,
    )
    CallLog.objects.create(message=message, called_at=message.taken_at, taken_by=taken_by, intake_token=uuid.uuid4())
    MessageEvent.objects.create(message=message, actor=taken_by, at=message.taken_at, kind=MessageEvent.Kind.TAKEN)
    return message


def make_messages(count: int, **kwargs) -> list[Message]:
    """Many messages at once, with their call-log lines, for query-count tests."""
    first = make_message(**kwargs)
    fields = {f.attname: getattr(first, f.attname) for f in Message._meta.concrete_fields if f.attname != "id"}
    rows = [
        Message(**{**fields, "intake_token": uuid.uuid4(), "caller_number": f"+316{10000000 + index:08d}"})
        for index in range(count - 1)
    ]
    created = Message.objects.bulk_create(rows)
    CallLog.objects.bulk_create(
        CallLog(message=m, called_at=m.taken_at, taken_by_id=m.taken_by_id, intake_token=uuid.uuid4()) for m in created
    )
    return [first, *created]
