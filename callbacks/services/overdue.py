"""The overdue engine: flag messages whose deadline passed, escalate the ones still open later.

Each step is one conditional UPDATE ... RETURNING that claims exactly the rows it changes, followed
by one INSERT ... SELECT into the notification outbox, in the same transaction. Two overlapping runs
cannot claim the same message, so nobody is flagged or notified twice. The work is proportional to
the newly overdue messages: the partial indexes msg_to_flag and msg_to_escalate hold only those.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Team, User
from callbacks.models import Heartbeat, Message, Notification, Status

MESSAGE = Message._meta.db_table
NOTIFICATION = Notification._meta.db_table
USER = User._meta.db_table
TEAM_MEMBERS = Team.members.through._meta.db_table
TEAM_MANAGERS = Team.managers.through._meta.db_table
HEARTBEAT_NAME = "overdue-sweep"

FLAG_SQL = f"""
    UPDATE {MESSAGE} SET overdue_level = 1, flagged_at = %s, version = version + 1
    WHERE status = %s AND overdue_level = 0 AND deadline <= %s
    RETURNING id
"""
ESCALATE_SQL = f"""
    UPDATE {MESSAGE} SET overdue_level = 2, escalated_at = %s, version = version + 1
    WHERE status = %s AND overdue_level = 1 AND escalate_at <= %s
    RETURNING id
"""


@dataclass(frozen=True)
class SweepResult:
    flagged: int
    escalated: int
    notifications: int


def _ids_clause(ids: list[int]) -> tuple[str, list[object]]:
    """A WHERE fragment matching message ids, as one parameter whatever the number of ids."""
    if connection.vendor == "postgresql":
        return "m.id = ANY(%s)", [ids]
    return "m.id IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]


def _empty_list_literal() -> str:
    return "'[]'::jsonb" if connection.vendor == "postgresql" else "'[]'"


def _owner_recipients_sql(match: str) -> str:
    """Recipients of an overdue notice: the colleague, or every active member of an unassigned team."""
    return f"""
        SELECT m.owner_user_id AS user_id, m.id AS message_id FROM {MESSAGE} m
        WHERE {match} AND m.owner_user_id IS NOT NULL
        UNION ALL
        SELECT tm.user_id, m.id FROM {MESSAGE} m
        JOIN {TEAM_MEMBERS} tm ON tm.team_id = m.owner_team_id
        JOIN {USER} u ON u.id = tm.user_id AND u.is_active
        WHERE {match} AND m.owner_user_id IS NULL
    """


def _manager_recipients_sql(match: str) -> str:
    return f"""
        SELECT tm.user_id, m.id AS message_id FROM {MESSAGE} m
        JOIN {TEAM_MANAGERS} tm ON tm.team_id = m.owner_team_id
        JOIN {USER} u ON u.id = tm.user_id AND u.is_active
        WHERE {match}
    """


def _outbox_insert(*, ids: list[int], recipients_sql, kind: str, now: datetime) -> int:
    """One in-app row per recipient and one email row per recipient with an address."""
    if not ids:
        return 0
    match, params = _ids_clause(ids)
    recipients = recipients_sql(match)
    sql = f"""
        INSERT INTO {NOTIFICATION} (recipient_id, message_id, kind, channel, state, created_at, message_ids, failures)
        SELECT r.user_id, r.message_id, %s, %s, %s, %s, {_empty_list_literal()}, 0 FROM ({recipients}) r
        UNION ALL
        SELECT r.user_id, r.message_id, %s, %s, %s, %s, {_empty_list_literal()}, 0 FROM ({recipients}) r
        JOIN {USER} u ON u.id = r.user_id WHERE u.email <> ''
    """
    pending = Notification.State.PENDING
    recipient_params = params * recipients.count(match)
    in_app = [str(kind), str(Notification.Channel.IN_APP), str(pending), _db_time(now), *recipient_params]
    email = [str(kind), str(Notification.Channel.EMAIL), str(pending), _db_time(now), *recipient_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, in_app + email)
        return cursor.rowcount


def _db_time(moment: datetime) -> object:
    """A datetime as the database stores it (raw SQL skips the ORM's conversion: UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _claim(sql: str, now: datetime) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [_db_time(now), str(Status.OPEN), _db_time(now)])
        return [row[0] for row in cursor.fetchall()]


def overdue_sweep(*, now: datetime | None = None) -> SweepResult:
    """Flag newly overdue messages (owner told) and escalate long-overdue ones (manager told)."""
    now = now or timezone.now()
    with transaction.atomic():
        flagged = _claim(FLAG_SQL, now)
        notified = _outbox_insert(ids=flagged, recipients_sql=_owner_recipients_sql,
                                  kind=Notification.Kind.OVERDUE, now=now)
    with transaction.atomic():
        escalated = _claim(ESCALATE_SQL, now)
        notified += _outbox_insert(ids=escalated, recipients_sql=_manager_recipients_sql,
                                   kind=Notification.Kind.ESCALATED, now=now)
    Heartbeat.objects.update_or_create(
        name=HEARTBEAT_NAME, defaults={"last_run_at": now, "last_count": len(flagged) + len(escalated)}
    )
    return SweepResult(flagged=len(flagged), escalated=len(escalated), notifications=notified)
