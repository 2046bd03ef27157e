"""The overdue engine: flag messages whose deadline passed, escalate the ones still open later.

Each step is a conditional UPDATE ... RETURNING that claims exactly the rows it changes, and an
INSERT ... SELECT into the notification outbox, in one transaction. On PostgreSQL both are one
statement (a data-modifying CTE hands the claimed rows straight to the INSERT); SQLite cannot do
that, so there the claimed ids come back and go in again. Two overlapping runs cannot claim the same
message, so nobody is flagged or notified twice. The work is proportional to the newly overdue
messages: the partial indexes msg_to_flag and msg_to_escalate hold only those.

Flagging and escalating leave `version` alone: it counts the changes people make, so a colleague who
opened a message before its deadline can still tick it off after the sweep flagged it. Both claims
require the message to be open, so a tick-off committed first is never flagged or escalated after it.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Team, User
from callbacks.models import Heartbeat, Message, Notification, Status
from callbacks.models.generations import messages_changed

# The raw SQL below is built only from these table names (Model._meta) and fixed fragments; every
# value is a %s parameter. Hence the "nosec B608" marks for bandit (docs/SECURITY.md).
MESSAGE = Message._meta.db_table
NOTIFICATION = Notification._meta.db_table
USER = User._meta.db_table
TEAM_MEMBERS = Team.members.through._meta.db_table
TEAM_MANAGERS = Team.managers.through._meta.db_table

FLAG_SQL = f"""
    UPDATE {MESSAGE} SET overdue_level = 1, flagged_at = %s
    WHERE status = %s AND overdue_level = 0 AND deadline <= %s
    RETURNING id, owner_user_id, owner_team_id
"""  # nosec B608
ESCALATE_SQL = f"""
    UPDATE {MESSAGE} SET overdue_level = 2, escalated_at = %s
    WHERE status = %s AND overdue_level = 1 AND escalate_at <= %s
    RETURNING id, owner_user_id, owner_team_id
"""  # nosec B608


@dataclass(frozen=True)
class SweepResult:
    flagged: int
    escalated: int
    notifications: int


def _owner_recipients(claimed: str) -> str:
    """Who hears a message is overdue: its colleague, or every active member of an unassigned team.

    `claimed` is a relation with the columns id, owner_user_id and owner_team_id.
    """
    return f"""
        SELECT c.owner_user_id AS user_id, c.id AS message_id FROM {claimed} c WHERE c.owner_user_id IS NOT NULL
        UNION ALL
        SELECT tm.user_id, c.id FROM {claimed} c
        JOIN {TEAM_MEMBERS} tm ON tm.team_id = c.owner_team_id
        JOIN {USER} u ON u.id = tm.user_id AND u.is_active
        WHERE c.owner_user_id IS NULL
    """  # nosec B608


def _manager_recipients(claimed: str) -> str:
    """Who hears a message is escalated: the active managers of its team."""
    return f"""
        SELECT tm.user_id, c.id AS message_id FROM {claimed} c
        JOIN {TEAM_MANAGERS} tm ON tm.team_id = c.owner_team_id
        JOIN {USER} u ON u.id = tm.user_id AND u.is_active
    """  # nosec B608


def _outbox_insert_sql(recipients: str) -> str:
    """One in-app row per recipient and one email row per recipient with an address."""
    empty_list = "'[]'::jsonb" if connection.vendor == "postgresql" else "'[]'"
    return f"""
        INSERT INTO {NOTIFICATION} (recipient_id, message_id, kind, channel, state, created_at, message_ids, failures, outcome)
        SELECT r.user_id, r.message_id, %s, %s, %s, %s, {empty_list}, 0, '' FROM ({recipients}) r
        UNION ALL
        SELECT r.user_id, r.message_id, %s, %s, %s, %s, {empty_list}, 0, '' FROM ({recipients}) r
        JOIN {USER} u ON u.id = r.user_id WHERE u.email <> ''
    """  # nosec B608


def _db_time(moment: datetime) -> object:
    """A datetime as the database stores it (raw SQL skips the ORM's conversion: UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _outbox_params(kind: str, now: datetime) -> list[object]:
    pending = str(Notification.State.PENDING)
    return [
        str(kind),
        str(Notification.Channel.IN_APP),
        pending,
        _db_time(now),
        str(kind),
        str(Notification.Channel.EMAIL),
        pending,
        _db_time(now),
    ]


def _claim_and_notify(claim_sql: str, recipients, kind: str, now: datetime) -> tuple[int, int]:
    """Claim the due rows and write their notifications; returns (claimed, notifications)."""
    claim_params = [_db_time(now), str(Status.OPEN), _db_time(now)]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""WITH claimed AS ({claim_sql}),
                         written AS ({_outbox_insert_sql(recipients("claimed"))} RETURNING 1)
                    SELECT (SELECT count(*) FROM claimed), (SELECT count(*) FROM written)""",  # nosec B608
                claim_params + _outbox_params(kind, now),
            )
            claimed, written = cursor.fetchone()
            return claimed, written
        cursor.execute(claim_sql, claim_params)
        rows = cursor.fetchall()
        if not rows:
            return 0, 0
        # The claimed rows go back in as one JSON parameter, whatever their number.
        claimed = (
            "(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS owner_user_id, "
            "json_extract(value, '$[2]') AS owner_team_id FROM json_each(%s))"
        )
        sql = _outbox_insert_sql(recipients(claimed))
        per_branch = [json.dumps(rows)] * recipients(claimed).count("json_each(%s)")
        params = _outbox_params(kind, now)
        cursor.execute(sql, params[:4] + per_branch + params[4:] + per_branch)
        return len(rows), cursor.rowcount


def overdue_sweep(*, now: datetime | None = None) -> SweepResult:
    """Flag newly overdue messages (owner told) and escalate long-overdue ones (manager told)."""
    now = now or timezone.now()
    flagged, told = _claim_and_notify(FLAG_SQL, _owner_recipients, Notification.Kind.OVERDUE, now)
    escalated, escalations = _claim_and_notify(ESCALATE_SQL, _manager_recipients, Notification.Kind.ESCALATED, now)
    if flagged or escalated:
        messages_changed()  # raw SQL passes MessageQuerySet.update() by (callbacks/models/generations.py)
    Heartbeat.objects.update_or_create(
        name=Heartbeat.OVERDUE_SWEEP, defaults={"last_run_at": now, "last_count": flagged + escalated}
    )
    return SweepResult(flagged=flagged, escalated=escalated, notifications=told + escalations)
