"""What colleagues do with a message: attempts, tick-off, reassignment, follow-up, corrections.

Every change is a conditional UPDATE on the version the person saw, so when two people act on one
message at once exactly one wins and the other is told, instead of silently overwriting. The version
counts what people change (these actions, a repeat call, anonymising); the overdue sweep and the
routing to a stand-in leave it alone, so they never make a colleague's action fail.
"""

from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Absence, Team, User
from callbacks.domain.deadlines import end_of_next_business_day
from callbacks.models import Attempt, Message, MessageEvent, Notification, Outcome, Status
from callbacks.selectors.policies import calendar_for
from callbacks.services.intake import recipients_of
from callbacks.services.notifications import notification_queue

CORRECTABLE_FIELDS = ("caller_name", "caller_number", "caller_company", "caller_email", "reason", "call_type", "tone")


class MessageChanged(Exception):
    """Someone changed the message after this person loaded it; nothing was written."""


def _claim(*, message: Message, version: int, statuses: tuple[str, ...], **fields) -> None:
    updated = Message.objects.filter(pk=message.pk, version=version, status__in=statuses).update(
        version=F("version") + 1, **fields
    )
    if updated != 1:
        raise MessageChanged


def _display(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _changes(before: Message, after: dict[str, object]) -> dict[str, list[str]]:
    return {
        name: [_display(getattr(before, name)), _display(value)]
        for name, value in after.items()
        if _display(getattr(before, name)) != _display(value)
    }


def attempt_log(
    *,
    message: Message,
    version: int,
    by: User,
    result: str,
    note: str = "",
    next_try_at: datetime | None = None,
    outcome: str = "",
    follow_up_on: date | None = None,
    exception_reason: str = "",
) -> Message:
    """Record a call-back attempt. Reaching the caller ticks the message off with an outcome.

    `exception_reason`: why "try again at" lies outside the team's hours or the caller's wishes, if it does.
    """
    now = timezone.now()
    reached = result == Attempt.Result.REACHED
    if reached:
        if outcome not in Outcome.values:
            raise ValueError("Reaching the caller needs an outcome.")
        if outcome == Outcome.FOLLOW_UP and follow_up_on is None:
            follow_up_on = end_of_next_business_day(now, calendar_for(message.owner_team)).date()
        fields = dict(
            status=Status.HANDLED,
            handled_at=now,
            handled_by=by,
            outcome=outcome,
            handled_note=note,
            follow_up_on=follow_up_on,
            next_try_at=None,
        )
    else:
        fields = dict(next_try_at=next_try_at)
    with transaction.atomic():
        changes = _changes(message, fields)
        _claim(
            message=message, version=version, statuses=(Status.OPEN,), attempt_count=F("attempt_count") + 1, **fields
        )
        exception_reason = "" if reached else exception_reason
        Attempt.objects.create(
            message=message,
            made_by=by,
            made_at=now,
            result=result,
            note=note,
            next_try_at=None if reached else next_try_at,
            exception_reason=exception_reason,
        )
        if exception_reason:
            # Under the message's field of the same meaning, so the timeline labels it "reason for the exception".
            changes["promise_exception_reason"] = ["", exception_reason]
        MessageEvent.objects.create(
            message=message,
            actor=by,
            at=now,
            kind=MessageEvent.Kind.HANDLED if reached else MessageEvent.Kind.ATTEMPT,
            changes={"attempt": ["", str(Attempt.Result(result).label)], **changes},
            note=note,
        )
    return Message.objects.get(pk=message.pk)


def follow_up_complete(*, message: Message, version: int, by: User, note: str = "") -> Message:
    """The colleague checked back with the caller whether the solution worked."""
    now = timezone.now()
    with transaction.atomic():
        _claim(message=message, version=version, statuses=(Status.HANDLED,), follow_up_done_at=now)
        MessageEvent.objects.create(message=message, actor=by, at=now, kind=MessageEvent.Kind.FOLLOWED_UP, note=note)
    return Message.objects.get(pk=message.pk)


def message_reassign(
    *, message: Message, version: int, by: User, to_user: User | None, to_team: Team | None, reason: str
) -> Message:
    """Hand an open message to another colleague or team; the new owner is notified."""
    if to_user is None and to_team is None:
        raise ValueError("A message needs a new owner.")
    fields = {"owner_user": to_user, "owner_team": to_team or message.owner_team}
    now = timezone.now()
    with transaction.atomic():
        changes = _changes(message, fields)
        _claim(message=message, version=version, statuses=(Status.OPEN,), **fields)
        message = Message.objects.select_related("owner_user", "owner_team").get(pk=message.pk)
        MessageEvent.objects.create(
            message=message, actor=by, at=now, kind=MessageEvent.Kind.REASSIGNED, changes=changes, note=reason
        )
        notification_queue(message=message, recipients=recipients_of(message), kind=Notification.Kind.REASSIGNED)
    return message


def message_correct(*, message: Message, version: int, by: User, values: dict[str, object]) -> Message:
    """The receptionist who took a message corrects it, as long as nobody has handled it."""
    fields = {name: values[name] for name in CORRECTABLE_FIELDS if name in values}
    changes = _changes(message, fields)
    if not changes:
        return message
    with transaction.atomic():
        _claim(message=message, version=version, statuses=(Status.OPEN, Status.INFORMATIONAL), **fields)
        MessageEvent.objects.create(message=message, actor=by, kind=MessageEvent.Kind.CORRECTED, changes=changes)
    return Message.objects.get(pk=message.pk)


def messages_route_to_stand_ins(*, now: datetime) -> int:
    """While a colleague is away, their open messages go to their stand-in (each message once)."""
    moved = 0
    absences = Absence.objects.filter(starts_at__lte=now, ends_at__gt=now, stand_in__isnull=False).select_related(
        "user", "stand_in"
    )
    for absence in absences:
        if absence.stand_in.absences.filter(starts_at__lte=now, ends_at__gt=now).exists():
            continue  # The stand-in is away too: leave the messages where the manager will see them.
        for message in Message.objects.open().filter(owner_user=absence.user).select_related("owner_team"):
            with transaction.atomic():
                # No new version: routing is the system's doing, so whoever has the message open can still
                # act on it (the person away ticking off a call they made just before leaving).
                claimed = (
                    Message.objects.open()
                    .filter(pk=message.pk, owner_user=absence.user)
                    .update(owner_user=absence.stand_in)
                )
                if claimed != 1:
                    continue
                message.owner_user = absence.stand_in
                MessageEvent.objects.create(
                    message=message,
                    at=now,
                    kind=MessageEvent.Kind.ROUTED,
                    changes={"owner_user": [str(absence.user), str(absence.stand_in)]},
                )
                notification_queue(message=message, recipients=[absence.stand_in], kind=Notification.Kind.REASSIGNED)
                moved += 1
    return moved


def notifications_mark_read(*, user: User, now: datetime | None = None) -> int:
    """Mark all of a person's in-app notifications read; repeating it changes nothing more."""
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.IN_APP, read_at__isnull=True
    ).update(read_at=now or timezone.now())
