"""The detail page's timeline: earlier messages of the caller, calls, attempts and the audit trail."""


from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from callbacks.models import Attempt, CallLog, Message, MessageEvent
from callbacks.raw_reads import converter as _converter
from callbacks.raw_reads import partial_instance

EARLIER_SHOWN = 50


def message_timeline(message: Message) -> dict[str, object]:
    """Everything needed to call back prepared: earlier messages, calls, attempts, the audit trail.

    The detail page reads this on every load and after every action. As ORM queries it cost about 4 ms on
    PostgreSQL, most of it query compilation; as one UNION ALL statement about 0.5 ms. Its rows become
    model instances holding just the columns read (as ``.only()`` gives), converted by the fields' own
    converters; people are users holding id, username and full name. The same statement reads the
    message's own people and team that are not loaded yet (taker, owner, asked-for, handler), and sets
    them on the message as ``select_related`` would, so the message itself can be read without joins.

    Earlier messages from the number: the newest EARLIER_SHOWN (msg_caller_history index), and their total,
    counted only when there are more. Attempts are read only when the message has any: attempt_log keeps
    attempt_count in step with the rows.
    """
    number = Message._meta.get_field("caller_number").get_prep_value(message.caller_number) or ""
    relations = [Message._meta.get_field(name) for name in ("taken_by", "owner_user", "intended_user", "handled_by")]
    missing = [field for field in relations
               if getattr(message, field.attname) is not None and not field.is_cached(message)]
    owner_team = Message._meta.get_field("owner_team")
    team_id = message.owner_team_id if message.owner_team_id and not owner_team.is_cached(message) else None
    sql, params = _timeline_sql(
        message_id=message.pk, with_attempts=message.attempt_count > 0, number=number, team_id=team_id,
        people=sorted({getattr(message, field.attname) for field in missing}),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    moment = _converter(MessageEvent._meta.get_field("at"))
    changes = _converter(MessageEvent._meta.get_field("changes"))
    people: dict[int, User] = {}

    def person(pk: int | None, username: str | None, full_name: str | None) -> User | None:
        if pk is not None and pk not in people:
            people[pk] = partial_instance(User, id=pk, username=username, full_name=full_name)
        return people.get(pk)

    events, calls, attempts, earlier = [], [], [], []
    for source, pk, at, user_id, username, full_name, code, outcome, text, changed in rows:
        who = person(user_id, username, full_name)
        if source == "event":
            event = partial_instance(MessageEvent, id=pk, message_id=message.pk, actor_id=user_id, at=moment(at),
                                     kind=code, changes=changes(changed), note=text)
            event.actor = who
            events.append(_with_change_rows(event))
        elif source == "call":
            call = partial_instance(CallLog, id=pk, message_id=message.pk, called_at=moment(at), taken_by_id=user_id,
                                    note=text)
            call.taken_by = who
            calls.append(call)
        elif source == "attempt":
            attempt = partial_instance(Attempt, id=pk, message_id=message.pk, made_by_id=user_id, made_at=moment(at),
                                       result=code, note=text)
            attempt.made_by = who
            attempts.append(attempt)
        elif source == "earlier":
            earlier.append(partial_instance(Message, id=pk, taken_at=moment(at), reason=text, status=code,
                                            outcome=outcome))
        elif source == "person":
            person(pk, username, full_name)
        else:  # "team"
            message.owner_team = partial_instance(Team, id=pk, name=full_name)
    for field in missing:
        if (found := people.get(getattr(message, field.attname))) is not None:
            setattr(message, field.name, found)
    events.sort(key=lambda event: (event.at, event.pk))  # the models' orderings
    calls.sort(key=lambda call: (call.called_at, call.pk))
    attempts.sort(key=lambda attempt: (attempt.made_at, attempt.pk))
    earlier.sort(key=lambda item: (item.taken_at, item.pk), reverse=True)
    earlier_total = len(earlier)
    if earlier_total > EARLIER_SHOWN:
        del earlier[EARLIER_SHOWN:]
        earlier_total = Message.objects.filter(caller_number=number).exclude(pk=message.pk).count()
    return {"earlier": earlier, "earlier_total": earlier_total, "calls": calls, "attempts": attempts,
            "events": events}


def _timeline_sql(*, message_id: int, with_attempts: bool, number: str, people: list[int],
                  team_id: int | None) -> tuple[str, list]:
    """One statement, ten columns: source, id, moment, person id, username, full name (or team name), code
    (event kind, attempt result or status), outcome, text (note or reason), changes. Events come first:
    PostgreSQL types a UNION's columns pair by pair from the left, and they type every column but one.
    Table names come from the models' metadata; every value is a parameter."""
    tables = {model.__name__: model._meta.db_table for model in (MessageEvent, CallLog, Attempt, Message, User, Team)}
    parts = [
        "SELECT 'event', e.id, e.at, e.actor_id, u.username, u.full_name, e.kind, NULL, e.note, e.changes "
        "FROM {MessageEvent} e LEFT JOIN {User} u ON u.id = e.actor_id WHERE e.message_id = %s",
        "SELECT 'call', c.id, c.called_at, c.taken_by_id, u.username, u.full_name, NULL, NULL, c.note, NULL "
        "FROM {CallLog} c JOIN {User} u ON u.id = c.taken_by_id WHERE c.message_id = %s",
    ]
    params: list = [message_id, message_id]
    if with_attempts:
        parts.append(
            "SELECT 'attempt', a.id, a.made_at, a.made_by_id, u.username, u.full_name, a.result, NULL, a.note, NULL "
            "FROM {Attempt} a JOIN {User} u ON u.id = a.made_by_id WHERE a.message_id = %s"
        )
        params.append(message_id)
    if number:
        parts.append(
            "SELECT 'earlier', m.id, m.taken_at, NULL, NULL, NULL, m.status, m.outcome, m.reason, NULL FROM "
            "(SELECT id, taken_at, status, outcome, reason FROM {Message} "
            "WHERE caller_number = %s AND id <> %s ORDER BY taken_at DESC LIMIT %s) m"
        )
        params += [number, message_id, EARLIER_SHOWN + 1]
    if people:
        placeholders = ", ".join(["%s"] * len(people))
        parts.append(
            "SELECT 'person', u.id, NULL, NULL, u.username, u.full_name, NULL, NULL, NULL, NULL FROM {User} u "
            f"WHERE u.id IN ({placeholders})"  # nosec B608: placeholders only
        )
        params += people
    if team_id is not None:
        parts.append(
            "SELECT 'team', t.id, NULL, NULL, NULL, t.name, NULL, NULL, NULL, NULL FROM {Team} t WHERE t.id = %s"
        )
        params.append(team_id)
    return " UNION ALL ".join(parts).format(**tables), params  # nosec B608: see the docstring


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
