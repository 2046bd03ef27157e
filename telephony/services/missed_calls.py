"""Missed incoming calls become callback messages, with the same promise and overdue rules as any message.

A call from a number that already has an open message adds a call to it (the call's team's message first,
else the one due first, whichever team it is for: the caller is waiting for one callback, not two). Else a
new message "missed call" for the call's team, taken by the phone system's account. Anonymous calls only
stay in the call log (and the statistics): there is nobody to call back.

Each call has its own intake token (uuid5 of the phone system and the callId), so a PBX repeating its
hangup, or the sweep closing a call the PBX ends later, files it once.
"""

import uuid

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from callbacks.models import CallType, Message, Tone
from callbacks.selectors.intake import caller_history
from callbacks.selectors.policies import proposed_deadline
from callbacks.services.intake import CallerDetails, Promise, message_add_call, message_take
from telephony.models import CallResult, PhoneCall

# The namespace of the intake tokens of missed calls (any fixed UUID; never change it).
MISSED_CALL_NAMESPACE = uuid.UUID("5f0c8a52-8d0e-4d6b-9a57-3c1b2f6e7d11")


def missed_call_token(call: PhoneCall) -> uuid.UUID:
    return uuid.uuid5(MISSED_CALL_NAMESPACE, f"{call.phone_system_id}:{call.call_id}")


def missed_call_file(*, call: PhoneCall) -> Message | None:
    """File a missed (or voicemail, or never ended) incoming call; None for an anonymous one."""
    if call.anonymous or not call.party_number:
        return None
    number = str(call.party_number)
    token = missed_call_token(call)
    account = call.phone_system.account
    # The reason and note are stored text read by the office, not by the PBX whose request this is.
    with translation.override(settings.LANGUAGE_CODE):
        message = _open_message(number=number, team_id=call.team_id)
        if message is not None:
            message = message_add_call(token=token, message_id=message.pk, taken_by=account, note=_note(call))
        if message is None:  # no open message, or it was handled in the meantime
            message = _message_new(call=call, number=number, token=token)
    PhoneCall.objects.filter(pk=call.pk).update(message=message)
    call.message = message
    return message


def _open_message(*, number: str, team_id: int | None) -> Message | None:
    candidates = list(Message.objects.open_for_number(number).order_by("deadline", "pk"))
    return next((m for m in candidates if m.owner_team_id == team_id), None) or next(iter(candidates), None)


def _message_new(*, call: PhoneCall, number: str, token: uuid.UUID) -> Message:
    now = timezone.now()
    history, _calls = caller_history(number=number, now=now, limit=5)
    known = next((m for m in history if m.anonymised_at is None and m.caller_name), None)
    deadline = proposed_deadline(team=call.team, call_type=CallType.MISSED_CALL, start=now, window=None)
    taken = message_take(
        token=token,
        taken_by=call.phone_system.account,
        intended_user=None,
        owner_user=None,
        owner_team=call.team,
        caller=CallerDetails(
            name=known.caller_name if known else "",
            number=number,
            company=known.caller_company if known else "",
        ),
        reason=_reason(call),
        call_type=CallType.MISSED_CALL,
        tone=Tone.CALM,
        promise=Promise(deadline=deadline, policy_deadline=deadline),
    )
    return taken.message


def _reason(call: PhoneCall) -> str:
    if call.result == CallResult.VOICEMAIL:
        return _("Missed call (voicemail)")
    return _("Missed call")


def _note(call: PhoneCall) -> str:
    moment = time_format(timezone.localtime(call.started_at), "H:i")
    if call.result == CallResult.VOICEMAIL:
        return _("Missed call at %(time)s (voicemail)") % {"time": moment}
    return _("Missed call at %(time)s") % {"time": moment}
