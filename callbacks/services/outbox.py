"""The check every notification passes when it is delivered, not when it was queued.

Hours may lie between the two (quiet hours hold an email from Friday evening to Monday morning): the
message may have been ticked off, passed on or corrected meanwhile, and the person may have gone away.
The check answers with the current truth: send as it is (rendered from the message as it is now), send
to someone else (the new owner, a stand-in), hold (away without a stand-in), or drop with a reason.
"""

from dataclasses import dataclass
from datetime import datetime

from accounts.models import Absence, User
from callbacks.models import Message, MessageEvent, Notification, Status

Kind = Notification.Kind

# While the message is in one of these states the notification still says something true.
LIVE_STATUSES = {
    Kind.NEW_MESSAGE: {Status.OPEN, Status.INFORMATIONAL},
    Kind.REASSIGNED: {Status.OPEN},
    Kind.CALLED_AGAIN: {Status.OPEN},
    Kind.OVERDUE: {Status.OPEN},
    Kind.ESCALATED: {Status.OPEN},
}

# Someone who already has a row of one of these kinds about the message has been told what this row says.
TOLD_BY = {
    Kind.NEW_MESSAGE: {Kind.NEW_MESSAGE, Kind.REASSIGNED},
    Kind.REASSIGNED: {Kind.NEW_MESSAGE, Kind.REASSIGNED},
    Kind.CALLED_AGAIN: {Kind.CALLED_AGAIN},
    Kind.OVERDUE: {Kind.OVERDUE},
    Kind.ESCALATED: {Kind.ESCALATED},
}


@dataclass(frozen=True)
class Verdict:
    """send: deliver now; else `to` (deliver to that person instead), `hold_until`, or dropped."""

    send: bool
    outcome: str = ""
    to: User | None = None
    hold_until: datetime | None = None

    @property
    def dropped(self) -> bool:
        return not self.send and self.to is None and self.hold_until is None


def _drop(reason: str) -> Verdict:
    return Verdict(send=False, outcome=reason)


def delivery_check(*, notification: Notification, now: datetime) -> Verdict:
    """What to do with this row now; reads only, the caller writes the state."""
    if notification.kind == Kind.CALLER_CONFIRMATION:
        # The caller is told the promise while it is one; a message handled meanwhile needs no mail.
        open_now = notification.message is not None and notification.message.status == Status.OPEN
        return Verdict(send=True) if open_now else _drop("handled")
    if notification.kind not in LIVE_STATUSES and notification.kind != Kind.DIGEST:
        return Verdict(send=True)  # a reset link, or a kind with rules of its own
    if notification.message_id is None:
        return _digest_check(notification, now)
    message = notification.message
    if message.status not in LIVE_STATUSES.get(notification.kind, {Status.OPEN}):
        return _drop("handled")
    if notification.kind == Kind.OVERDUE and (message.overdue_level < 1 or message.deadline > now):
        return _drop("no_longer_overdue")
    if notification.kind == Kind.ESCALATED and message.overdue_level < 2:
        return _drop("no_longer_overdue")
    recipient = notification.recipient
    concerned = _concerned(notification.kind, message)
    if recipient.pk not in concerned and not _stands_in(recipient, concerned, now):
        new_owner = message.owner_user if notification.kind != Kind.ESCALATED else None
        if new_owner is None or _told(notification, new_owner):
            return _drop("passed_on")  # the new owner (or their team) was told when it was passed on
        return Verdict(send=False, outcome="to_new_owner", to=new_owner)
    absence = _absence_of(recipient, now)
    if absence is not None:
        stand_in = absence.stand_in
        if stand_in is not None and _absence_of(stand_in, now) is None:
            if _told(notification, stand_in):
                return _drop("away")
            return Verdict(send=False, outcome="to_stand_in", to=stand_in)
        if message.owner_user_id is None and notification.kind != Kind.ESCALATED:
            return _drop("away")  # a team message: the colleagues present were told as well
        if notification.channel == Notification.Channel.EMAIL:
            # Nobody to stand in: the mail waits until they are back (then for their team's opening hours).
            return Verdict(send=False, outcome="held_while_away", hold_until=absence.ends_at)
    corrected = MessageEvent.objects.filter(
        message=message, kind=MessageEvent.Kind.CORRECTED, at__gte=notification.created_at
    ).exists()
    return Verdict(send=True, outcome="corrected" if corrected else notification.outcome)


def _digest_check(notification: Notification, now: datetime) -> Verdict:
    """A digest lists what the person still owes now; a person away gets none (their stand-in has the messages)."""
    if notification.recipient_id is None or notification.kind != Kind.DIGEST:
        return Verdict(send=True)
    if _absence_of(notification.recipient, now) is not None:
        return _drop("away")
    if not digest_still_owed(notification):
        return _drop("nothing_open")
    return Verdict(send=True)


def digest_still_owed(notification: Notification) -> list[int]:
    """The ids a digest listed that the person still owes, in the digest's order."""
    owed = set(
        Message.objects.owed_by(notification.recipient)
        .filter(pk__in=notification.message_ids)
        .values_list("pk", flat=True)
    )
    return [pk for pk in notification.message_ids if pk in owed]


def _concerned(kind: str, message: Message) -> set[int]:
    """Who should hear it now: the owner (or the owning team's members), for an escalation the team's managers."""
    team = message.owner_team
    if kind == Kind.ESCALATED:
        return set(team.managers.filter(is_active=True).values_list("pk", flat=True)) if team else set()
    if message.owner_user_id is not None:
        return {message.owner_user_id}
    return set(team.members.filter(is_active=True).values_list("pk", flat=True)) if team else set()


def _stands_in(user: User, for_ids: set[int], now: datetime) -> bool:
    """Is this person standing in now for one of these (a row sent on to them at an earlier delivery)?"""
    return Absence.objects.filter(user_id__in=for_ids, stand_in=user, starts_at__lte=now, ends_at__gt=now).exists()


def _told(notification: Notification, user: User) -> bool:
    rows = (
        Notification.objects.filter(
            message_id=notification.message_id,
            recipient=user,
            channel=notification.channel,
            kind__in=TOLD_BY.get(notification.kind, {notification.kind}),
        )
        .exclude(pk=notification.pk)
        .exclude(state=Notification.State.DROPPED)
    )
    if notification.kind == Kind.CALLED_AGAIN:
        rows = rows.filter(call_id=notification.call_id)
    return rows.exists()


def _absence_of(user: User, now: datetime) -> Absence | None:
    """The person's current absence, the one that lasts longest."""
    return (
        Absence.objects.filter(user=user, starts_at__lte=now, ends_at__gt=now)
        .select_related("stand_in")
        .order_by("-ends_at")
        .first()
    )
