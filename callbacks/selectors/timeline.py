"""The detail page's timeline: earlier messages of the caller, calls, attempts and the audit trail."""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Window, prefetch_related_objects
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from callbacks.models import Message, MessageEvent

EARLIER_SHOWN = 50
# The people the detail page's facts name (templates/callbacks/partials/detail_body.html).
NAMED_PEOPLE = ("taken_by", "owner_user", "intended_user", "handled_by")


def message_timeline(message: Message) -> dict[str, object]:
    """Everything needed to call back prepared: earlier messages, calls, attempts, the audit trail.

    A fixed number of queries however long the history. The earlier messages from the same number are
    read at once: the newest EARLIER_SHOWN (msg_caller_history index), with their total counted in the
    same query by a window over all of them. The calls, attempts and events, one query each, are read
    only when the template uses them: the detail page caches their part of the page by the message's
    version (templates/callbacks/partials/detail_body.html), so a page served from that cache reads none.
    The same holds for the people the message's facts name: `described` is the message with them, read
    when the facts are drawn.
    """
    earlier = _earlier(message)
    earlier_total = earlier[0].total if earlier else 0
    return {
        "facts_key": detail_cache_key(message),
        "described": SimpleLazyObject(lambda: with_named_people(message)),
        "earlier": earlier,
        "earlier_total": earlier_total,
        "calls": SimpleLazyObject(lambda: list(message.calls.select_related("taken_by").order_by("called_at", "pk"))),
        "attempts": SimpleLazyObject(
            lambda: list(message.attempts.select_related("made_by").order_by("made_at", "pk"))
        ),
        "events": SimpleLazyObject(
            lambda: [_with_change_rows(event) for event in message.events.select_related("actor")]
        ),
    }


def with_named_people(message: Message) -> Message:
    """The message with the people its facts name set on it: one query for them, one for the team it is for
    when it is for no one person (Message.owner_display)."""
    people = User.objects.in_bulk({getattr(message, f"{relation}_id") for relation in NAMED_PEOPLE} - {None})
    for relation in NAMED_PEOPLE:
        person = people.get(getattr(message, f"{relation}_id"))
        if person is not None:
            setattr(message, relation, person)
    if message.owner_user_id is None:
        prefetch_related_objects([message], "owner_team")
    return message


def detail_cache_key(message: Message) -> str:
    """What the detail page's cached parts (its facts and its timeline) show that can change, as a key.

    The version is bumped by every person's change (each writes its event, attempt or call-log line), by a
    repeat call and by anonymisation, which clears the caller's data and the notes. Routing to a stand-in
    changes the owner without a new version, the overdue sweep the overdue level, and an attempt the phone
    system logs (services/phone_attempts.py) the attempt count: so those are in the key too. Names of
    people can change without any of this: the fragments' short timeout bounds that.
    """
    shown = [message.version, message.attempt_count, message.owner_user_id, message.owner_team_id]
    return ":".join(map(str, [message.pk, *shown, message.overdue_level]))


def _earlier(message: Message) -> list[Message]:
    """The newest EARLIER_SHOWN other messages from the caller's number, each annotated with their total."""
    if not message.caller_number:
        return []
    others = (
        Message.objects.filter(caller_number=message.caller_number)
        .exclude(pk=message.pk)
        .only("pk", "taken_at", "status", "outcome", "reason")
        .annotate(total=Window(Count("pk")))
        .order_by("-taken_at", "-pk")
    )
    return list(others[:EARLIER_SHOWN])


def _with_change_rows(event: MessageEvent) -> MessageEvent:
    """Attach (label, before, after) rows, labelled with the field's translated name."""
    rows = []
    for name, (before, after) in event.changes.items():
        try:
            label = Message._meta.get_field(name).verbose_name
        except FieldDoesNotExist:
            label = _("result") if name == "attempt" else name
        rows.append((label, before, after))
    event.change_rows = rows
    return event


def changes_since(message: Message, seen: int) -> list[MessageEvent]:
    """What people changed on the message after version `seen`: its latest events with an actor, oldest first.

    Only people's changes count a version (callbacks.services.work), one event each, so the last
    `version - seen` of them are the ones made meanwhile; at least the last one is named.
    """
    # Clamped: a crafted version (far below 0 or above the current one) must not overflow the LIMIT.
    count = min(max(message.version - seen, 1), max(message.version, 1))
    latest = MessageEvent.objects.filter(message=message, actor__isnull=False).select_related("actor")
    return list(reversed(latest.order_by("-at", "-pk")[:count]))
