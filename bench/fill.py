"""Fill a fresh database with the benchmark office: users and teams, then messages in one set-based INSERT.

Shared by bench/sweep.py, bench/dashboard.py, bench/pages.py and bench/load.py. Two profiles:

- the sweep's (the default): 1 % newly overdue, 2 % flagged, 20 % open and the rest handled, the
  handled ones taken 25 s apart (1,000,000 rows span about 290 days). A worst-case backlog: the
  sweep needs 10,000 newly overdue rows, so every open row is recent and 30 days hold ~330,000 rows.
- the office history (``span_days=730``): rows taken evenly over two years, so 30 days hold ~41,000
  messages; only the last three days keep the sweep's mix (~820 open, ~120 overdue), older rows are
  all handled, one in ten an hour late. Each message has its call-log line and "taken" event and each
  handled one its attempt, as the intake and tick-off write them, because the statistics and the
  detail page read those tables. Callers repeat: one number per four messages.
"""

import time

# Office history: rows younger than this keep the sweep's mix of open and overdue; older ones are handled.
RECENT_SECONDS = 3 * 86400
ROLE_OF_FILL_USERS = {"anna": "receptionist", "mira": "manager"}


def create_database(port: int, name: str = "terugbel") -> None:
    """The database named in the server's URL. The server accepts connections before it is ready: retry."""
    import psycopg

    for attempt in range(100):
        try:
            with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres", autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name}")  # a fixed identifier of ours, not user input
                return
        except psycopg.OperationalError:
            if attempt == 99:
                raise
            time.sleep(0.1)


def fill(
    connection,
    now,
    rows: int,
    *,
    span_days: int | None = None,
    password: str | None = None,
    extra_receptionists: int = 0,
    extra_colleagues: int = 0,
) -> None:
    """Users and teams through the ORM, then all messages in one set-based INSERT ... SELECT.

    With ``password`` every user can log in with it (one hash, shared: hashing is slow on purpose).
    Extra receptionists and colleagues (for bench/load.py) take and own no filled message, so the
    defaults leave the sweep's data exactly as it always was.
    """
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from accounts.models import Team, User
    from accounts.roles import Role

    encoded = make_password(password) if password else None
    groups = {group.name: group for group in Group.objects.all()}  # created by accounts' data migration

    def user(name: str, *, email: bool = True, active: bool = True, role: str = Role.COLLEAGUE) -> User:
        person = User(
            username=name, full_name=name.title(), email=f"{name}@example.test" if email else "", is_active=active
        )
        if encoded:
            person.password = encoded
        else:
            person.set_unusable_password()  # no password hashing: nobody logs in here
        person.save()
        person.groups.set([groups[role]])
        return person

    receptionist, manager = user("anna", role=Role.RECEPTIONIST), user("mira", role=Role.MANAGER)
    # Dora has no email address (in-app only) and Ivo has left (inactive): the recipient query must skip them.
    colleagues = [user(n, email=n != "dora") for n in ("bram", "carla", "daan", "dora", "eva", "fleur")]
    teams = [Team.objects.create(name="Verkoop"), Team.objects.create(name="Support")]
    extra = [user(f"collega{n:02d}") for n in range(1, extra_colleagues + 1)]
    teams[0].members.set([*colleagues[:3], *extra[::2]])
    teams[1].members.set([*colleagues[3:], user("ivo", active=False), *extra[1::2]])
    for team in teams:
        team.managers.set([manager])
    for n in range(1, extra_receptionists + 1):
        user(f"receptie{n:02d}", role=Role.RECEPTIONIST)

    pg = connection.vendor == "postgresql"
    office = span_days is not None
    epoch = int(now.timestamp())

    def ts(seconds: str) -> str:  # a moment relative to `now`, stored as Django stores it (UTC text on SQLite)
        return f"to_timestamp({epoch} + ({seconds}))" if pg else f"datetime({epoch} + ({seconds}), 'unixepoch')"

    def pick(values: list) -> str:  # the colleague (or their team) for row i, cycling through them
        return (
            f"CASE (i / 100) % {len(values)} " + " ".join(f"WHEN {n} THEN {v}" for n, v in enumerate(values)) + " END"
        )

    # Kind of row by i % 100: 0 newly overdue (1 %: 10,000 of 1,000,000); 1-2 flagged earlier with the
    # escalation still ahead; 3-22 open with the deadline ahead; the rest handled. Every 10th newly
    # overdue message has no colleague, only a team, so the sweep notifies the team's active members.
    kind = (
        "CASE WHEN i % 100 = 0 THEN 'new' WHEN i % 100 < 3 THEN 'flagged' WHEN i % 100 < 23 THEN 'open' ELSE 'done' END"
    )
    deadline = (
        "CASE k WHEN 'new' THEN -60 - i % 3000 WHEN 'flagged' THEN -10800 - i % 3600 "
        "WHEN 'open' THEN 3600 + i % 86400 ELSE -25 * i + 14400 END"
    )
    opened, handled, callers = "-(i % 3600)", "d - 7200", 10000000
    # Seconds between now and row i's intake; bigint, or i * 63,072,000 overflows PostgreSQL's integer.
    age = f"({'i::bigint' if pg else 'i'} * {(span_days or 0) * 86400} / {rows})" if office else "0"
    if office:
        kind = f"CASE WHEN {age} > {RECENT_SECONDS} THEN 'done' ELSE {kind} END"
        deadline = deadline.replace("-25 * i + 14400", "-a + 14400")  # promised four hours after intake
        # One in ten handled an hour late; never after now (the last hours' handled rows).
        opened, handled, callers = "-a", "least(d - 7200 + CASE WHEN i % 10 = 3 THEN 10800 ELSE 0 END, 0)", 250000
        if not pg:
            handled = handled.replace("least(", "min(")
    users = pick([c.pk for c in colleagues])
    team_of = pick([teams[0].pk] * 3 + [teams[1].pk] * 3)
    source = f"generate_series(1, {rows}) AS seq(i)" if pg else "seq"
    token = "md5(i::text)::uuid" if pg else "printf('%032x', i)"  # unique; SQLite stores UUIDs as 32 hex digits
    number = f"'+3120' || lpad((i % {callers})::text, 7, '0')" if pg else f"printf('+3120%07d', i % {callers})"
    taken = ts(f"CASE k WHEN 'open' THEN {opened} ELSE d - 14400 END")  # written when taken, long ago
    sql = f"""
        INSERT INTO callbacks_message (intake_token, taken_at, recorded_at, caller_name, caller_number, caller_company,
            caller_email, reason, call_type, tone, wants_callback, status, priority, call_count, deadline,
            policy_deadline, later_reason, promise_exception_reason, handled_at, handled_by_id, outcome, handled_note, attempt_count,
            owner_user_id, owner_team_id, intended_user_id, taken_by_id, version, overdue_level, flagged_at,
            escalate_at)
        {"" if pg else f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {rows})"}
        SELECT {token}, {taken}, {taken}, 'Beller ' || i, {number},
            'Bedrijf ' || (i % 5000), CASE WHEN i % 3 = 0 THEN 'beller' || i || '@example.test' ELSE '' END,
            'Vraag over order ' || i,
            CASE i % 5 WHEN 0 THEN 'question' WHEN 1 THEN 'complaint' WHEN 2 THEN 'sales'
                WHEN 3 THEN 'appointment' ELSE 'other' END,
            CASE i % 3 WHEN 0 THEN 'calm' WHEN 1 THEN 'annoyed' ELSE 'angry' END, i % 7 <> 0,
            CASE WHEN k = 'done' THEN 'handled' ELSE 'open' END, CASE WHEN i % 20 = 0 THEN 'urgent' ELSE 'normal' END,
            CASE WHEN i % 4 = 0 THEN 2 ELSE 1 END, {ts("d")}, {ts("d")}, '', '',
            CASE WHEN k = 'done' THEN {ts(handled)} END, CASE WHEN k = 'done' THEN u END,
            CASE WHEN k = 'done' THEN 'solved' ELSE '' END, '', CASE WHEN k = 'done' THEN 1 ELSE 0 END,
            CASE WHEN k = 'new' AND i % 1000 = 0 THEN NULL ELSE u END, t, u, {receptionist.pk},
            CASE WHEN k = 'flagged' THEN 2 ELSE 1 END,
            CASE WHEN k = 'flagged' OR (k = 'done' AND i % 10 = 5) THEN 1 ELSE 0 END,
            CASE WHEN k = 'flagged' OR (k = 'done' AND i % 10 = 5) THEN {ts("d + 60")} END,
            {ts("CASE WHEN k = 'flagged' THEN 3600 + i % 3600 ELSE d + 28800 END")}
        FROM (SELECT i, k, a, {deadline} AS d, {users} AS u, {team_of} AS t
              FROM (SELECT i, {age} AS a, {kind} AS k FROM {source}) AS numbered) AS r
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)  # no parameters, so no %-placeholders: every value above is an int we computed
        if office:
            cursor.execute("""INSERT INTO callbacks_calllog (message_id, called_at, taken_by_id, note, intake_token)
                              SELECT id, taken_at, taken_by_id, '', intake_token FROM callbacks_message""")
            cursor.execute("""INSERT INTO callbacks_messageevent (message_id, actor_id, at, kind, changes, note)
                              SELECT id, taken_by_id, taken_at, 'taken', '{}', '' FROM callbacks_message""")
            cursor.execute("""INSERT INTO callbacks_attempt (message_id, made_by_id, made_at, result, note, exception_reason)
                              SELECT id, handled_by_id, handled_at, 'reached', '', '' FROM callbacks_message
                              WHERE status = 'handled'""")
        cursor.execute("ANALYZE")


def settle(connection) -> None:
    """After a fill, the state of a database in use: on PostgreSQL VACUUM sets the visibility map, as
    autovacuum does on a live database, so index-only scans do not fetch every row from the table."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
