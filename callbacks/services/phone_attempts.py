"""Attempts a phone system reports: a colleague's outgoing call to a caller with an open message.

Unlike attempt_log these never tick a message off (the colleague is asked to, afterwards) and leave the
version alone: the colleague may have the message open while calling, and what they type there must not
be thrown away as a conflict because their own call was logged.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import F

from accounts.models import User
from callbacks.models import Attempt, Message, MessageEvent


def attempt_record(*, message: Message, by: User, result: str, note: str, made_at: datetime) -> Attempt:
    """Log a call the phone system saw `by` make to the caller of `message`."""
    with transaction.atomic():
        attempt = Attempt.objects.create(message=message, made_by=by, made_at=made_at, result=result, note=note)
        Message.objects.filter(pk=message.pk).update(attempt_count=F("attempt_count") + 1)
        MessageEvent.objects.create(
            message=message,
            actor=by,
            at=made_at,
            kind=MessageEvent.Kind.ATTEMPT,
            changes={"attempt": ["", str(Attempt.Result(result).label)]},
            note=note,
        )
    return attempt


def attempt_note_add(*, attempt: Attempt, by: User, note: str, at: datetime) -> None:
    """Add the colleague's own words to an attempt the phone system logged (below its own line)."""
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        Attempt.objects.filter(pk=attempt.pk).update(note="\n".join(filter(None, [attempt.note, note])))
        MessageEvent.objects.create(
            message_id=attempt.message_id, actor=by, at=at, kind=MessageEvent.Kind.ATTEMPT, changes={}, note=note
        )
