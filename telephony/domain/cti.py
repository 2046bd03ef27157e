"""Zammad's generic CTI push API: the fields of one posted event, read and checked (pure, no models).

A PBX posts `newCall`, `answer` and `hangup` events as form fields or JSON. `cti_event_read` turns those
fields into a CtiEvent or raises CtiError naming the field at fault; the webhook answers the error as a
400 and stores nothing. The messages are English: they are read by whoever sets up the PBX, in its logs.

Causes: the seven Zammad names are recognised case-insensitively and stored as Zammad spells them; any
other cause (PBXs have their own, such as "rejected") is kept as sent, up to CAUSE_LENGTH characters, and
counts as "not forwarded": a call hung up with it while ringing is missed, so no missed call is dropped.
"""

from collections.abc import Mapping
from dataclasses import dataclass

EVENTS = ("newCall", "answer", "hangup")
DIRECTIONS = ("in", "out")
CAUSES = ("normalClearing", "busy", "cancel", "noAnswer", "congestion", "notFound", "forwarded")
FORWARDED = "forwarded"
VOICEMAIL = "voicemail"

CALL_ID_LENGTH = 250
NUMBER_LENGTH = 64
NAME_LENGTH = 150
QUEUE_LENGTH = 100
CAUSE_LENGTH = 20
MAX_USERS = 20

_CAUSES_BY_LOWER = {cause.lower(): cause for cause in CAUSES}
_EVENTS_BY_LOWER = {event.lower(): event for event in EVENTS}


class CtiError(ValueError):
    """An event that cannot be read; `field` names the field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class CtiEvent:
    kind: str  # one of EVENTS
    call_id: str
    direction: str  # "in", "out", or "" when an answer or hangup leaves it out
    from_number: str
    to_number: str
    users: tuple[str, ...]
    queue: str
    cause: str
    answering_number: str

    @property
    def by_voicemail(self) -> bool:
        """Answered by the voicemail, as Zammad reads it: the user or the answering number is "voicemail"."""
        return self.answering_number.lower() == VOICEMAIL or any(user.lower() == VOICEMAIL for user in self.users)


def cti_event_read(fields: Mapping[str, object]) -> CtiEvent:
    """The event in `fields` (form fields as a dict of strings or lists, or a JSON object)."""
    raw_kind = _text(fields, "event", NAME_LENGTH)
    if not raw_kind:
        raise CtiError("event", "event is missing")
    kind = _EVENTS_BY_LOWER.get(raw_kind.lower())
    if kind is None:
        raise CtiError("event", f"unknown event '{raw_kind}': use one of {', '.join(EVENTS)}")
    call_id = _text(fields, "callId", CALL_ID_LENGTH)
    if not call_id:
        raise CtiError("callId", "callId is missing")
    direction = _text(fields, "direction", NAME_LENGTH).lower()
    if direction not in DIRECTIONS and (direction or kind == "newCall"):
        raise CtiError("direction", "direction must be in or out")
    return CtiEvent(
        kind=kind,
        call_id=call_id,
        direction=direction,
        from_number=_text(fields, "from", NUMBER_LENGTH),
        to_number=_text(fields, "to", NUMBER_LENGTH),
        users=_users(fields),
        queue=_text(fields, "queue", QUEUE_LENGTH),
        cause=_cause(fields),
        answering_number=_text(fields, "answeringNumber", NAME_LENGTH),
    )


def _text(fields: Mapping[str, object], name: str, limit: int) -> str:
    value = fields.get(name)
    if isinstance(value, list):  # a form field sent twice: the last one counts, as Django's QueryDict does
        value = value[-1] if value else None
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise CtiError(name, f"{name} must be text")
    text = str(value).strip()
    if len(text) > limit:
        raise CtiError(name, f"{name} is longer than {limit} characters")
    return text


def _users(fields: Mapping[str, object]) -> tuple[str, ...]:
    """`user` (a string or a list, as JSON sends it) and `user[]` (repeated form fields), both accepted."""
    values: list[object] = []
    for name in ("user", "user[]"):
        value = fields.get(name)
        if isinstance(value, list):
            values.extend(value)
        elif value is not None:
            values.append(value)
    if len(values) > MAX_USERS:
        raise CtiError("user", f"user lists more than {MAX_USERS} names")
    users = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise CtiError("user", "user must be a name or a list of names")
        name = str(value).strip()
        if len(name) > NAME_LENGTH:
            raise CtiError("user", f"user is longer than {NAME_LENGTH} characters")
        if name:
            users.append(name)
    return tuple(users)


def _cause(fields: Mapping[str, object]) -> str:
    cause = _text(fields, "cause", CAUSE_LENGTH)
    return _CAUSES_BY_LOWER.get(cause.lower(), cause)


def is_missed(*, answered: bool, cause: str) -> bool:
    """Zammad's rule for an incoming call: hung up while still ringing, unless it was forwarded."""
    return not answered and cause != FORWARDED
