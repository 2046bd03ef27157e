"""How the people a saved call concerns were told, from the notification rows that save wrote: handed over by
the save itself (services.Taken), or read back (a double click, a call added to an open message).

The receptionist's save screen says it ("Bram is op de hoogte gebracht (in Terugbel nu; per mail om 08:30
bij opening)"), so it must be what the outbox holds, not what the intake meant to do.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from accounts.models import User
from callbacks.selectors.policies import quiet_until
from callbacks.models import CallLog, Message, Notification


@dataclass(frozen=True)
class Told:
    """One person told in the app, and when their mail goes out: None for no mail (no address)."""

    recipient: User
    mail_at: datetime | None
    # True when that moment is a later opening (quiet hours), not a send right away.
    mail_held: bool = False


@dataclass(frozen=True)
class Notified:
    told: list[Told]
    # The colleague asked for, when someone else was told instead (away, with a stand-in).
    away: User | None = None


def notified_by_save(
    *, message: Message, token: uuid.UUID, now: datetime, written: list[Notification] | None = None
) -> Notified:
    """Who the save with this intake token notified about ``message``: ``written``, the rows this request's save
    just wrote (services.Taken), or else those rows read back (_written_by_save)."""
    rows = written if written is not None else _written_by_save(message, token)
    rows = sorted(rows, key=lambda row: (row.recipient.full_name, row.recipient_id, row.channel))
    in_app = [row for row in rows if row.channel == Notification.Channel.IN_APP]
    mails = {row.recipient_id: row for row in rows if row.channel == Notification.Channel.EMAIL}
    told = []
    for row in in_app:
        mail = mails.get(row.recipient_id)
        if mail is None:
            told.append(Told(recipient=row.recipient, mail_at=None))
        elif mail.state == Notification.State.SENT:
            told.append(Told(recipient=row.recipient, mail_at=mail.sent_at))
        else:
            # Waiting: held by quiet hours already, or not yet seen by a worker, which will apply the same rule.
            held = mail.not_before if mail.not_before and mail.not_before > now else quiet_until(row.recipient, now)
            told.append(Told(recipient=row.recipient, mail_at=held or now, mail_held=held is not None))
    # The colleague asked for is read only when someone else was told instead.
    asked_for = message.intended_user_id
    away = (
        message.intended_user if told and asked_for and asked_for not in {item.recipient.pk for item in told} else None
    )
    return Notified(told=told, away=away)


def _written_by_save(message: Message, token: uuid.UUID) -> list[Notification]:
    """The rows read back: the message's own when the save with this token took it, else the rows of the call
    that save added to it (a repeat call)."""
    if message.intake_token == token:
        rows = Notification.objects.filter(message=message, kind=Notification.Kind.NEW_MESSAGE)
    else:
        # By the call's id (its foreign-key index), not a join on the token: the outbox grows with every message.
        rows = Notification.objects.filter(call_id__in=CallLog.objects.filter(intake_token=token).values("pk"))
    return list(rows.select_related("recipient"))
