"""Linking the numbers of one caller, and unlinking them; both logged, both safe to repeat."""

from datetime import datetime

from django.db import transaction

from accounts.models import User
from callbacks.models import Caller, CallerLinkEvent, CallerNumber


class NumberOfAnotherCaller(ValueError):
    """The number is linked to a different caller: unlink it there first (linking never moves a number)."""


def caller_number_link(*, number: str, other: str, actor: User, now: datetime) -> Caller:
    """Link ``other`` to the caller of ``number``, making that caller when ``number`` was its own caller.

    Linking a number already linked to this caller changes nothing (a second click, a retry)."""
    with transaction.atomic():
        caller = _caller_with(number=number, actor=actor, now=now)
        if other != number:
            _number_attach(caller=caller, number=other, actor=actor, now=now)
    return caller


def caller_number_unlink(*, caller: Caller, number: str, actor: User, now: datetime) -> bool:
    """Unlink one number from the caller; the caller goes with their last number. False when it was not linked."""
    with transaction.atomic():
        removed, _ = CallerNumber.objects.filter(caller=caller, number=number).delete()
        if not removed:
            return False
        CallerLinkEvent.objects.create(
            caller=caller, number=number, action=CallerLinkEvent.Action.UNLINKED, actor=actor, at=now
        )
        if not CallerNumber.objects.filter(caller=caller).exists():
            caller.delete()
    return True


def _caller_with(*, number: str, actor: User, now: datetime) -> Caller:
    linked = CallerNumber.objects.select_related("caller").filter(number=number).first()
    if linked is not None:
        return linked.caller
    caller = Caller.objects.create(created_by=actor, created_at=now)
    return _number_attach(caller=caller, number=number, actor=actor, now=now, orphan_on_loss=True)


def _number_attach(*, caller: Caller, number: str, actor: User, now: datetime, orphan_on_loss: bool = False) -> Caller:
    """The number's caller after attaching it to ``caller``; the unique number settles two people at once."""
    row, created = CallerNumber.objects.select_related("caller").get_or_create(
        number=number,
        defaults={"caller": caller, "linked_by": actor, "linked_at": now},
    )
    if created:
        CallerLinkEvent.objects.create(
            caller=caller, number=number, action=CallerLinkEvent.Action.LINKED, actor=actor, at=now
        )
        return caller
    if row.caller_id == caller.pk:
        return caller
    if orphan_on_loss:  # someone else made this number's caller a moment ago: use theirs
        caller.delete()
        return row.caller
    raise NumberOfAnotherCaller(number)
