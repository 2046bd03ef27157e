"""Incoming calls answered at a receptionist's extension: her open page offers the intake, prefilled.

Filled in by the pop-up work of issue 18; telephony.services.events calls it once per answered call.
"""

from telephony.models import PhoneCall


def incoming_call_answered(*, call: PhoneCall) -> None:
    """An incoming call was answered (call.agent is who answered, when recognised). Inside the event's
    transaction; may run twice for the same call when the PBX repeats its event."""
