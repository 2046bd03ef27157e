"""Incoming calls answered at a receptionist's extension: her open page offers the intake, prefilled.

telephony.services.events calls incoming_call_answered once per answered call (twice when the PBX repeats
its event); the page polls telephony.selectors.live for the offers that are open.
"""

from datetime import datetime

from accounts.roles import TAKE_MESSAGES
from telephony.models import Direction, PhoneCall


def incoming_call_answered(*, call: PhoneCall) -> None:
    """An incoming call was answered (call.agent is who answered, when recognised). Inside the event's
    transaction; may run twice for the same call when the PBX repeats its event."""
    agent = call.agent
    if call.direction != Direction.IN or agent is None or not agent.has_perm(f"accounts.{TAKE_MESSAGES}"):
        return
    if not call.party_number:
        return  # an anonymous caller: nothing to prefill, nothing to look up
    # Offered once: a repeated answer event must not reopen an offer the receptionist already closed.
    moment = call.answered_at or call.started_at
    if PhoneCall.objects.filter(pk=call.pk, offered_at__isnull=True).update(offered_at=moment):
        # The event code saves its copy of the call once more after this: it must carry the offer too.
        call.offered_at = moment


def offer_close(*, call: PhoneCall, now: datetime) -> bool:
    """The receptionist took the call's message or dismissed it. False when it was closed already."""
    return PhoneCall.objects.filter(pk=call.pk, offer_closed_at__isnull=True).update(offer_closed_at=now) == 1
