"""The intake's calls in progress (CallDraft): start, store a step, keep what was told, discard, expire.

Each write touches one draft of one receptionist; a repeat (a double click on Discard, two sweeps at
once) finds nothing more to do and changes nothing.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import User
from callbacks.models import CallDraft


def draft_start(*, taken_by: User, now: datetime, prefill_number: str = "", prefill_for: str = "") -> CallDraft:
    """A new call: always its own draft, whatever other calls this receptionist has open."""
    return CallDraft.objects.create(
        taken_by=taken_by,
        started_at=now,
        updated_at=now,
        # As any typed text, without NUL (PostgreSQL refuses it).
        prefill_number=prefill_number.replace("\x00", "")[:40],
        prefill_for=prefill_for.replace("\x00", "")[:160],
    )


def draft_step_store(*, draft: CallDraft, step: str, data: dict[str, str], go_to: str, now: datetime) -> None:
    """Keep what was typed on `step` (as typed, without the form prefix) and move the call to `go_to`."""
    draft.data = {**draft.data, step: data}
    draft.step, draft.updated_at = go_to, now
    if step == "recipient" and go_to != "recipient":
        # Chosen (again): the colleague's availability is read afresh, as the first page shows it.
        draft.kept = {key: value for key, value in draft.kept.items() if key != "availability"}
    draft.save(update_fields=["data", "step", "updated_at", "kept"])


def draft_keep(*, draft: CallDraft, key: str, value: object) -> None:
    """Remember what the caller was told (availability, open messages offered) for the rest of the call."""
    draft.kept = {**draft.kept, key: value}
    draft.save(update_fields=["kept"])


def draft_forget(*, draft: CallDraft, key: str, go_to: str) -> None:
    """Read `key` again at its next use (a message handled meanwhile), and go back to the step `go_to`."""
    draft.kept = {name: value for name, value in draft.kept.items() if name != key}
    draft.step = go_to
    draft.save(update_fields=["kept", "step"])


def draft_discard(*, token: uuid.UUID, taken_by: User) -> bool:
    """Delete one of the receptionist's own drafts; False when it was already gone (a second click)."""
    deleted, _rows = CallDraft.objects.filter(token=token, taken_by=taken_by).delete()
    return deleted > 0


def drafts_expired(*, now: datetime) -> QuerySet[CallDraft]:
    return CallDraft.objects.filter(updated_at__lt=now - timedelta(hours=settings.CALL_DRAFT_HOURS))


def drafts_expire(*, now: datetime) -> int:
    """Delete the drafts untouched for a working day (settings.CALL_DRAFT_HOURS): one DELETE, safe to
    repeat or to run twice at once (the second deletes nothing). They may hold a caller's name and
    number, so they fall under retention (callbacks.tasks.messages_anonymise_task)."""
    deleted, _rows = drafts_expired(now=now).delete()
    return deleted
