"""Writes of the intake. Each one is safe to repeat: a wizard run carries a token.

A save deletes the call's draft (services.drafts) in its own transaction: the call is either saved and its
draft gone, or not saved and everything typed still in the draft."""

import uuid
from dataclasses import dataclass
from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from accounts.models import Team, User
from callbacks.models import CallLog, Message, MessageEvent, Notification, Priority, Status
from callbacks.selectors.policies import escalation_moment
from callbacks.services.caller_mail import caller_confirmation_queue
from callbacks.services.drafts import draft_discard
from callbacks.services.notifications import notification_queue

URGENT_FROM_CALL = 3


@dataclass(frozen=True)
class CallerDetails:
    name: str
    number: str
    company: str = ""
    email: str = ""
    # The language of the confirmation mail the caller agreed to (services/caller_mail.py); empty: none.
    confirmation_language: str = ""


@dataclass(frozen=True)
class Promise:
    deadline: datetime
    policy_deadline: datetime
    later_reason: str = ""
    between: tuple[time, time] | None = None
    not_between: tuple[time, time] | None = None
    not_before: object = None  # a date
    # Why the deadline lies outside the team's hours or the caller's wishes (PromiseForm), if it does.
    exception_reason: str = ""


@dataclass(frozen=True)
class Taken:
    """A message the intake saved, and the notification rows that save wrote: what the receptionist is told
    (selectors.notified). None when an earlier save with the same token took the message (a double click):
    its rows are in the outbox."""

    message: Message
    notifications: list[Notification] | None


def message_take(
    *,
    token: uuid.UUID,
    taken_by: User,
    intended_user: User | None,
    owner_user: User | None,
    owner_team: Team | None,
    caller: CallerDetails,
    reason: str,
    call_type: str,
    tone: str,
    promise: Promise | None,
) -> Taken:
    """Save a new message with its first call-log line, notify the owner and delete the call's draft.

    Without a promise the caller wants no callback and the message is informational.
    The same token always yields the same single message (double clicks, resubmits): the token is
    unique, so a repeat fails to insert and returns the message saved first.
    """
    now = timezone.now()
    fields = dict(
        intake_token=token,
        taken_by=taken_by,
        taken_at=now,
        intended_user=intended_user,
        owner_user=owner_user,
        owner_team=owner_team,
        caller_name=caller.name,
        caller_number=caller.number,
        caller_company=caller.company,
        caller_email=caller.email,
        reason=reason,
        call_type=call_type,
        tone=tone,
        wants_callback=promise is not None,
        status=Status.OPEN if promise is not None else Status.INFORMATIONAL,
    )
    if promise is not None:
        fields.update(
            deadline=promise.deadline,
            policy_deadline=promise.policy_deadline,
            later_reason=promise.later_reason,
            window_between_start=promise.between[0] if promise.between else None,
            window_between_end=promise.between[1] if promise.between else None,
            window_not_between_start=promise.not_between[0] if promise.not_between else None,
            window_not_between_end=promise.not_between[1] if promise.not_between else None,
            window_not_before=promise.not_before,
            promise_exception_reason=promise.exception_reason,
            escalate_at=escalation_moment(team=owner_team, deadline=promise.deadline),
        )
    try:
        with transaction.atomic():
            message = Message.objects.create(**fields)
            CallLog.objects.create(message=message, called_at=now, taken_by=taken_by, intake_token=token)
            exception = message.promise_exception_reason
            MessageEvent.objects.create(
                message=message,
                actor=taken_by,
                at=now,
                kind=MessageEvent.Kind.TAKEN,
                changes={"promise_exception_reason": ["", exception]} if exception else {},
            )
            notified = notification_queue(
                message=message, recipients=recipients_of(message), kind=Notification.Kind.NEW_MESSAGE
            )
            if caller.confirmation_language and promise is not None:
                caller_confirmation_queue(message=message, language=caller.confirmation_language)
            draft_discard(token=token, taken_by=taken_by)
    except IntegrityError:
        # A repeat, or another request with the same token won the race: theirs is the message.
        return Taken(Message.objects.get(intake_token=token), None)
    return Taken(message, notified)


def message_record_helped(
    *, token: uuid.UUID, taken_by: User, intended_user: User | None, owner_team: Team | None, note: str
) -> Message:
    """A call the receptionist answered directly: counted in statistics, nobody to call back.

    Repeating it returns the first one: the token is unique.
    """
    return _record_finished_call(
        token=token,
        taken_by=taken_by,
        intended_user=intended_user,
        owner_team=owner_team,
        note=note,
        status=Status.HANDLED_AT_INTAKE,
        event=MessageEvent.Kind.HELPED,
    )


def message_record_put_through(
    *, token: uuid.UUID, taken_by: User, intended_user: User | None, owner_team: Team | None, note: str = ""
) -> Message:
    """A call the receptionist put through to the colleague: counted in statistics, nobody to call back.

    Repeating it returns the first one: the token is unique.
    """
    return _record_finished_call(
        token=token,
        taken_by=taken_by,
        intended_user=intended_user,
        owner_team=owner_team,
        note=note,
        status=Status.PUT_THROUGH,
        event=MessageEvent.Kind.PUT_THROUGH,
    )


def _record_finished_call(
    *,
    token: uuid.UUID,
    taken_by: User,
    intended_user: User | None,
    owner_team: Team | None,
    note: str,
    status: str,
    event: str,
) -> Message:
    """A call that ended at the intake (helped or put through): a handled row, its call-log line and event."""
    now = timezone.now()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                intake_token=token,
                taken_by=taken_by,
                taken_at=now,
                intended_user=intended_user,
                owner_user=intended_user,
                owner_team=owner_team,
                reason=note,
                wants_callback=False,
                status=status,
                handled_at=now,
            )
            CallLog.objects.create(message=message, called_at=now, taken_by=taken_by, intake_token=token, note=note)
            MessageEvent.objects.create(message=message, actor=taken_by, at=now, kind=event)
            draft_discard(token=token, taken_by=taken_by)
    except IntegrityError:
        return Message.objects.get(intake_token=token)
    return message


def message_add_call(
    *, token: uuid.UUID, message_id: int, taken_by: User, note: str, earlier_deadline: datetime | None = None
) -> Message | None:
    """Record a repeat call on an open message instead of a duplicate, and tell its owner the caller rang again.

    `note` is what the caller said this time. `earlier_deadline` brings the promise forward (an urgent
    call); a moment that is not earlier than the promise already made leaves it alone, never later.
    Urgent from the third call. Returns None when the message is no longer open (handled in the
    meantime). The same token adds the call once and notifies once (a double submit).
    """
    if CallLog.objects.filter(intake_token=token).exists():
        return Message.objects.get(pk=message_id)
    now = timezone.now()
    if earlier_deadline is not None and earlier_deadline <= now:
        raise ValueError("A deadline brought forward must lie in the future (RepeatCallForm checks it).")
    try:
        with transaction.atomic():
            updated = (
                Message.objects.open()
                .filter(pk=message_id)
                .update(
                    call_count=F("call_count") + 1,
                    version=F("version") + 1,
                    priority=Case(
                        When(call_count__gte=URGENT_FROM_CALL - 1, then=Value(Priority.URGENT)), default=F("priority")
                    ),
                )
            )
            if updated != 1:
                return None
            message = Message.objects.select_related("owner_user", "owner_team").get(pk=message_id)
            changes = {"call_count": [message.call_count - 1, message.call_count]}
            if earlier_deadline is not None and earlier_deadline < message.deadline:
                changes["deadline"] = [message.deadline.isoformat(), earlier_deadline.isoformat()]
                _deadline_bring_forward(message=message, deadline=earlier_deadline)
            call = CallLog.objects.create(
                message=message, called_at=now, taken_by=taken_by, intake_token=token, note=note
            )
            MessageEvent.objects.create(
                message=message,
                actor=taken_by,
                at=now,
                kind=MessageEvent.Kind.CALL_ADDED,
                changes=changes,
                note=note,
            )
            notification_queue(
                message=message, recipients=recipients_of(message), kind=Notification.Kind.CALLED_AGAIN, call=call
            )
            draft_discard(token=token, taken_by=taken_by)
    except IntegrityError:
        # The same intake added this call a moment ago (double click); its update and notification stand.
        return Message.objects.get(pk=message_id)
    return message


def _deadline_bring_forward(*, message: Message, deadline: datetime) -> None:
    """An earlier promise, with its escalation moment moved along; the promise made by policy stays on record."""
    escalate_at = escalation_moment(team=message.owner_team, deadline=deadline)
    Message.objects.filter(pk=message.pk).update(deadline=deadline, escalate_at=escalate_at)
    message.deadline, message.escalate_at = deadline, escalate_at


def recipients_of(message: Message) -> list[User]:
    """Who is told about a message: its colleague, or every active member of its team."""
    if message.owner_user_id:
        return [message.owner_user]
    return list(message.owner_team.members.filter(is_active=True))
