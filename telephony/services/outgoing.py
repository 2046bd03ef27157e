"""Outgoing calls by a colleague: an attempt on their open message for that number, and a question.

telephony.services.events calls outgoing_call_ended once per ended call (twice when the PBX repeats its
event). Nothing is ticked off here: on their next page view the colleague is asked to tick off or add a note.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from callbacks.models import Attempt, Message
from callbacks.services.phone_attempts import attempt_note_add, attempt_record
from callbacks.services.work import attempt_log
from telephony.models import CallResult, Direction, PhoneCall

REACHED_CAUSE = "normalClearing"


def attempt_result(call: PhoneCall) -> str:
    """Reached when the call was answered and hung up normally after a conversation; no answer otherwise."""
    if call.result == CallResult.TALKED and call.answered_at is not None and call.cause == REACHED_CAUSE:
        return Attempt.Result.REACHED
    return Attempt.Result.NO_ANSWER


def outgoing_call_ended(*, call: PhoneCall) -> None:
    """An outgoing call ended (hangup, or closed by the sweep for calls that never finish). Inside the
    event's transaction; may run twice for the same call when the PBX repeats its event."""
    agent = call.agent
    if call.direction != Direction.OUT or agent is None or not call.party_number:
        return
    message = Message.objects.owed_by(agent).open_for_number(str(call.party_number)).order_by("deadline", "pk").first()
    if message is None:
        return
    with transaction.atomic():
        # The claim: the first run links the message, a repeat finds it linked and logs nothing.
        if PhoneCall.objects.filter(pk=call.pk, message__isnull=True).update(message=message) != 1:
            return
        made_at = call.started_at
        with translation.override(agent.preferred_language):
            note = _("Called from the phone system at %(time)s") % {
                "time": timezone.localtime(made_at).strftime("%H:%M")
            }
        attempt = attempt_record(message=message, by=agent, result=attempt_result(call), note=note, made_at=made_at)
        PhoneCall.objects.filter(pk=call.pk).update(attempt=attempt)
        # The caller's copy of the call, should it be saved again, must not write the links back to empty.
        call.message, call.attempt = message, attempt


def call_review(*, call: PhoneCall, now: datetime) -> bool:
    """The colleague answered the question about their call (ticked off, added a note). False when already."""
    return PhoneCall.objects.filter(pk=call.pk, reviewed_at__isnull=True).update(reviewed_at=now) == 1


def call_note_add(*, call: PhoneCall, by: User, note: str, now: datetime) -> bool:
    """The colleague's note on the attempt their call logged; it answers the question. Once only."""
    with transaction.atomic():
        if not call_review(call=call, now=now):
            return False
        if call.attempt_id is not None and note:
            attempt_note_add(attempt=call.attempt, by=by, note=note, at=now)
    return True


def call_tick_off(
    *, call: PhoneCall, by: User, version: int, outcome: str, note: str, follow_up_on: date | None, now: datetime
) -> bool:
    """The colleague ticks off the message their call was about, from the question. False when answered
    before; raises MessageChanged (and answers nothing) when the message changed since the question showed."""
    with transaction.atomic():
        if not call_review(call=call, now=now):
            return False
        attempt_log(
            message=call.message,
            version=version,
            by=by,
            result=Attempt.Result.REACHED,
            note=note,
            outcome=outcome,
            follow_up_on=follow_up_on,
        )
    return True
