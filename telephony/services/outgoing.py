"""Outgoing calls by a colleague: an attempt on their open message for that number, and a question.

Filled in by the outgoing-call work of issue 18; telephony.services.events calls it once per ended call.
"""

from telephony.models import PhoneCall


def outgoing_call_ended(*, call: PhoneCall) -> None:
    """An outgoing call ended (hangup, or closed by the sweep for calls that never finish). Inside the
    event's transaction; may run twice for the same call when the PBX repeats its event."""
