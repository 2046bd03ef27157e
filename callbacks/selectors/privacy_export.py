"""The right of access: everything stored about one caller as labelled rows, every field of every row, for the
export file (templates/callbacks/dashboard/privacy_export.html)."""

import json
from dataclasses import dataclass
from datetime import date, datetime

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from callbacks.domain import phone
from callbacks.selectors.privacy import CallerData

# Fields declared without a (translated) label; the export names them in the reader's language.
LABELS = {
    "id": _("Record number"),
    "intake_token": _("Intake code"),
    "version": _("Version"),
    "message": _("Message"),
    "called_at": _("Called at"),
    "taken_by": _("Taken by"),
    "note": _("Note"),
    "made_by": _("Made by"),
    "made_at": _("Made at"),
    "actor": _("By"),
    "at": _("At"),
    "kind": _("Kind"),
    "changes": _("Changes"),
    "recipient": _("Recipient"),
    "call": _("Call"),
    "channel": _("Channel"),
    "state": _("State"),
    "created_at": _("Created at"),
    "claimed_at": _("Claimed for sending at"),
    "sent_at": _("Sent at"),
    "read_at": _("Read at"),
    "not_before": _("Held until"),
    "failures": _("Failed sends"),
    "message_ids": _("Messages listed"),
    "token": _("Call code"),
    "data": _("Typed so far"),
    "prefill_number": _("Number passed in"),
    "prefill_for": _("Asked for (passed in)"),
    "kept": _("Told the caller"),
    # Fields of other apps' records (the phone system's calls and events, through callbacks.signals).
    "call_id": _("Call ID at the phone system"),
    "user_names": _("Names the phone system sent"),
    "payload": _("As the phone system sent it"),
    "phone_system": _("Phone system that reported it"),
    "attempt": _("Attempt"),
}


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class Record:
    title: str
    rows: list[Row]


@dataclass(frozen=True)
class Section:
    title: str
    records: list[Record]


def _label(field: models.Field) -> str:
    declared = str(field.verbose_name) != field.name.replace("_", " ")
    return str(field.verbose_name) if declared else str(LABELS.get(field.name, field.verbose_name))


def _value(instance: models.Model, field: models.Field) -> str:
    if field.is_relation:
        related = getattr(instance, field.name)
        return "" if related is None else str(related)
    value = getattr(instance, field.attname)
    if field.choices and value:
        return str(getattr(instance, f"get_{field.name}_display")())
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if field.name == "caller_number":
        return phone.display(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False) if value else ""
    return "" if value is None else str(value)


def record_of(instance: models.Model, title: str) -> Record:
    return Record(
        title=title, rows=[Row(_label(field), _value(instance, field)) for field in instance._meta.concrete_fields]
    )


def caller_export(data: CallerData) -> list[Section]:
    """One section per kind of record; every message's calls, attempts, events and notifications follow it,
    then what other apps hold about the numbers (data.elsewhere: the phone system's calls and their events)."""
    messages, calls, attempts, events, notifications = [], [], [], [], []
    for message in data.messages:
        messages.append(record_of(message, f"{_('Message')} {message.pk}"))
        calls += [
            record_of(call, f"{_('Call')} {call.pk} ({_('message')} {message.pk})") for call in message.calls.all()
        ]
        attempts += [
            record_of(attempt, f"{_('Attempt')} {attempt.pk} ({_('message')} {message.pk})")
            for attempt in message.attempts.all()
        ]
        events += [
            record_of(event, f"{_('Change')} {event.pk} ({_('message')} {message.pk})")
            for event in message.events.all()
        ]
        notifications += [
            record_of(note, f"{_('Notification')} {note.pk} ({_('message')} {message.pk})")
            for note in message.notifications.all()
        ]
    drafts = [record_of(draft, f"{_('Call in progress')} {draft.pk}") for draft in data.drafts]
    return [
        Section(str(_("Messages")), messages),
        Section(str(_("Calls")), calls),
        Section(str(_("Call-back attempts")), attempts),
        Section(str(_("History of changes")), events),
        Section(str(_("Notifications to colleagues")), notifications),
        Section(str(_("Calls in progress")), drafts),
        *data.elsewhere,
    ]
