"""CTI events folded into calls: one PhoneCall per callId, whatever order its events arrive in.

A call's state only moves forward (ringing → answered → ended). Events that come late are used for what
they add, never to move a call back: an answer after the hangup fills who answered but does not reopen
the call, a second hangup changes nothing, and an answer or hangup without a newCall (lost, or still on
its way) makes the call from its own fields. Every event is stored as it came, a repeat marked duplicate.
The effects (missed call filed, intake offered, outgoing attempt logged) run once, at the transition.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from callbacks.domain.phone import parse
from telephony.domain.cti import VOICEMAIL, CtiEvent, is_missed
from telephony.models import CallResult, CallState, Direction, PhoneCall, PhoneCallEvent, PhoneSystem
from telephony.selectors.calls import agent_find, team_for_call
from telephony.services import missed_calls, offers, outgoing

LAST_EVENT_PRECISION = timedelta(minutes=1)


def phone_event_record(*, phone_system: PhoneSystem, event: CtiEvent, payload: dict, now: datetime) -> PhoneCall:
    """Store one event and fold it into its call, in one transaction."""
    with transaction.atomic():
        call, created = _call_locked(phone_system=phone_system, event=event, now=now)
        if call.anonymised_at is not None:
            # Erased for the caller (or past retention): a late or repeated event must not bring the number back,
            # neither into the call nor in a stored payload. The sweep closes the call if it never ended.
            PhoneCallEvent.objects.create(call=call, kind=event.kind, received_at=now, payload={}, duplicate=True)
            return call
        duplicate = not created and PhoneCallEvent.objects.filter(call=call, kind=event.kind).exists()
        PhoneCallEvent.objects.create(call=call, kind=event.kind, received_at=now, payload=payload, duplicate=duplicate)
        if not duplicate:
            _fold(call=call, event=event, now=now, created=created)
        # At most once a minute: a write per event would make every event of a busy PBX wait for the others.
        stale = Q(last_event_at__isnull=True) | Q(last_event_at__lt=now - LAST_EVENT_PRECISION)
        PhoneSystem.objects.filter(stale, pk=phone_system.pk).update(last_event_at=now)
    return call


def call_result(call: PhoneCall) -> str:
    """What an ended call came to (Zammad's rules for missed and voicemail)."""
    answered = call.answered_at is not None
    if call.direction == Direction.OUT:
        return CallResult.TALKED if answered else CallResult.NOT_REACHED
    if call.answering_number.lower() == VOICEMAIL:
        return CallResult.VOICEMAIL
    if is_missed(answered=answered, cause=call.cause):
        return CallResult.MISSED
    return CallResult.TALKED if answered else CallResult.FORWARDED


def call_ended(*, call: PhoneCall) -> None:
    """What an ended call sets off: a missed incoming call is filed, an outgoing one is logged."""
    if call.direction == Direction.OUT:
        outgoing.outgoing_call_ended(call=call)
    elif call.result in (CallResult.MISSED, CallResult.VOICEMAIL) or _unanswered_unfinished(call):
        missed_calls.missed_call_file(call=call)


def calls_unfinished_close(*, now: datetime) -> int:
    """Close the calls whose hangup never came: ringing longer than CTI_RINGING_LIMIT_MINUTES, answered longer
    than CTI_ANSWERED_LIMIT_HOURS. Each is claimed by a conditional UPDATE, so overlapping sweeps (or a hangup
    arriving meanwhile) close it once. An incoming call nobody answered counts as missed and is filed; an
    outgoing one is logged as any ended outgoing call."""
    limits = {
        CallState.RINGING: now - timedelta(minutes=settings.CTI_RINGING_LIMIT_MINUTES),
        CallState.ANSWERED: now - timedelta(hours=settings.CTI_ANSWERED_LIMIT_HOURS),
    }
    closed = 0
    for state, before in limits.items():
        ids = PhoneCall.objects.filter(state=state, started_at__lt=before).values_list("pk", flat=True)
        for pk in list(ids):
            with transaction.atomic():
                claimed = PhoneCall.objects.filter(pk=pk, state=state).update(
                    state=CallState.ENDED, result=CallResult.UNFINISHED, ended_at=now
                )
                if claimed == 1:
                    call_ended(call=PhoneCall.objects.select_related("phone_system__account").get(pk=pk))
                    closed += 1
    return closed


def _unanswered_unfinished(call: PhoneCall) -> bool:
    """A call closed by the sweep that nobody (or only the voicemail) answered: no missed call is dropped."""
    return call.result == CallResult.UNFINISHED and (
        call.answered_at is None or call.answering_number.lower() == VOICEMAIL
    )


def _call_locked(*, phone_system: PhoneSystem, event: CtiEvent, now: datetime) -> tuple[PhoneCall, bool]:
    """The call of this callId, locked for this transaction; made from the event when it is the first.

    Two first events of one call at once: one insert wins the unique constraint, the other reads its row."""
    calls = PhoneCall.objects.select_for_update().filter(phone_system=phone_system, call_id=event.call_id)
    call = calls.first()
    if call is not None:
        return call, False
    try:
        with transaction.atomic():
            return _call_create(phone_system=phone_system, event=event, now=now), True
    except IntegrityError:
        return calls.get(), False


def _call_create(*, phone_system: PhoneSystem, event: CtiEvent, now: datetime) -> PhoneCall:
    call = PhoneCall(phone_system=phone_system, call_id=event.call_id, started_at=now)
    _details_fill(call=call, event=event)
    call.save()
    return call


def _details_fill(*, call: PhoneCall, event: CtiEvent) -> None:
    """Take from the event what the call does not know yet (its newCall may come after an answer or hangup)."""
    if event.direction and (not call.direction or event.kind == "newCall"):
        call.direction = event.direction
    call.direction = call.direction or Direction.IN  # an answer or hangup without direction: Zammad's default
    call.from_number = call.from_number or event.from_number
    call.to_number = call.to_number or event.to_number
    call.queue = call.queue or event.queue
    if event.kind == "newCall" or not call.user_names:
        call.user_names = list(event.users) or call.user_names
    party = call.from_number if call.direction == Direction.IN else call.to_number
    number = parse(party) if party else None
    call.party_number = number or ""
    call.anonymous = call.direction == Direction.IN and number is None
    if call.direction == Direction.IN:
        call.team = team_for_call(phone_system=call.phone_system, to_number=call.to_number, queue=call.queue)
    else:
        call.team = None
    if call.agent_id is None and call.direction == Direction.OUT:
        call.agent = agent_find(answering_number=call.from_number, users=tuple(call.user_names))


def _fold(*, call: PhoneCall, event: CtiEvent, now: datetime, created: bool) -> None:
    if not created and (event.kind == "newCall" or not (call.from_number and call.to_number)):
        _details_fill(call=call, event=event)  # a late newCall, or an event that knows more than the first
    if event.kind == "answer":
        _answer(call=call, event=event, now=now)
    elif event.kind == "hangup":
        _answer_details(call=call, event=event)  # Zammad's hangup carries answeringNumber too
        if call.state != CallState.ENDED:
            call.state, call.ended_at, call.cause = CallState.ENDED, now, event.cause
            call.result = call_result(call)
            call.save()
            call_ended(call=call)
            return
    call.save()


def _answer(*, call: PhoneCall, event: CtiEvent, now: datetime) -> None:
    was_ringing = call.state == CallState.RINGING
    if call.answered_at is None:
        call.answered_at = now
    _answer_details(call=call, event=event)
    if not was_ringing:
        return  # an answer after the hangup: who answered is noted, the call stays ended
    call.state = CallState.ANSWERED
    call.save()
    if call.direction == Direction.IN and call.answering_number.lower() != VOICEMAIL:
        offers.incoming_call_answered(call=call)


def _answer_details(*, call: PhoneCall, event: CtiEvent) -> None:
    if event.by_voicemail:
        call.answering_number = VOICEMAIL
    elif event.answering_number and not call.answering_number:
        call.answering_number = event.answering_number
    if call.direction == Direction.IN and call.agent_id is None and call.answering_number.lower() != VOICEMAIL:
        if event.kind == "answer" or event.answering_number:
            call.agent = agent_find(answering_number=event.answering_number, users=event.users)
