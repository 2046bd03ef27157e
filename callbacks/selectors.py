from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Absence, Team, User
from accounts.roles import HANDLE_CALLBACKS, VIEW_ALL_CALLBACKS
from callbacks.config_cache import remembered
from callbacks.models import Message, MessageEvent, Notification, Status
from callbacks.policies import calendar_for


@dataclass(frozen=True)
class Recipient:
    """Whom a message is for: a colleague, or a whole team."""

    user: User | None
    team: Team | None

    @property
    def label(self) -> str:
        return str(self.user) if self.user else str(self.team)


@dataclass(frozen=True)
class Availability:
    state: str  # "available", "away" or "closed"
    back_at: datetime | None = None
    stand_in: User | None = None


def recipients_all() -> tuple[list[User], list[Team]]:
    """Everyone a receptionist can take a message for: colleagues who handle callbacks, and teams.

    Memoised briefly (callbacks/config_cache.py): every intake step validates the first step's choice.
    """
    users, teams = remembered("recipients", _read_recipients)
    return list(users), list(teams)


def _read_recipients() -> tuple[list[User], list[Team]]:
    users = list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions__codename=HANDLE_CALLBACKS) | Q(user_permissions__codename=HANDLE_CALLBACKS))
        .distinct()
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("full_name")
    )
    teams = list(Team.objects.order_by("name"))
    return users, teams


def team_of(user: User) -> Team | None:
    """The team whose promise rules apply to a colleague: their first team by name."""
    return remembered(("team_of", user.pk), lambda: user.teams.order_by("name").first())


def availability_of(*, user: User, team: Team | None, now: datetime) -> Availability:
    absence = (
        Absence.objects.filter(user=user, starts_at__lte=now, ends_at__gt=now)
        .select_related("stand_in")
        .order_by("-ends_at")
        .first()
    )
    if absence is not None:
        return Availability("away", absence.ends_at, absence.stand_in)
    if not calendar_for(team).is_open_at(now):
        return Availability("closed")
    return Availability("available")


def availabilities(*, users: list[User], now: datetime) -> list[tuple[User, Availability]]:
    """``availability_of`` for every colleague of ``recipients_all()`` at once, for the intake's first page.

    One query for the absences and one calendar per team, instead of five queries per colleague: the
    page listed everyone's status with a number of queries that grew with the office. The users' teams
    must be prefetched ordered by name (recipients_all does), so the first is ``team_of``'s team.
    """
    absences = {}
    for absence in (Absence.objects.filter(user__in=users, starts_at__lte=now, ends_at__gt=now)
                    .select_related("stand_in").order_by("ends_at")):
        absences[absence.user_id] = absence  # the latest end wins, as in availability_of
    calendars: dict[int | None, object] = {}
    result = []
    for user in users:
        absence = absences.get(user.pk)
        if absence is not None:
            result.append((user, Availability("away", absence.ends_at, absence.stand_in)))
            continue
        team = next(iter(user.teams.all()), None)
        if (key := team.pk if team else None) not in calendars:
            calendars[key] = calendar_for(team)
        result.append((user, Availability("available" if calendars[key].is_open_at(now) else "closed")))
    return result


def caller_history(*, number: str, now: datetime, limit: int = 10) -> tuple[list[Message], int]:
    """Earlier messages from this number (newest first) and how many calls came in over 30 days."""
    if not number:
        return [], 0
    messages = list(
        Message.objects.filter(caller_number=number)
        .select_related("owner_user", "owner_team")
        .order_by("-taken_at")[:limit]
    )
    recent = Message.objects.filter(caller_number=number, calls__called_at__gte=now - timedelta(days=30)).aggregate(
        calls=Count("calls")
    )["calls"]
    return messages, recent


def open_messages_for(*, number: str, recipient: Recipient) -> QuerySet[Message]:
    """Open messages from this caller for the same colleague or team: candidates to add a call to."""
    owned = Q(owner_user=recipient.user) | Q(intended_user=recipient.user) if recipient.user else Q(
        owner_team=recipient.team, owner_user__isnull=True
    )
    return (
        Message.objects.filter(owned, caller_number=number, status=Status.OPEN)
        .select_related("owner_user", "owner_team")
        .order_by("deadline")
    )


# --- The colleague's side: what they may see, what they owe ----------------------------------------


def messages_visible_to(user: User) -> QuerySet[Message]:
    """Managers see everything; colleagues their own and their teams' messages; receptionists what they took."""
    messages = Message.objects.select_related("owner_user", "owner_team", "taken_by")
    if user.has_perm(f"accounts.{VIEW_ALL_CALLBACKS}"):
        return messages
    visible = Q(taken_by=user)
    if user.has_perm(f"accounts.{HANDLE_CALLBACKS}"):
        visible |= Q(owner_user=user) | Q(owner_team__in=Team.objects.filter(members=user))
    return messages.filter(visible)


def can_act_on(user: User, message: Message) -> bool:
    """Attempts, tick-off and reassignment: the owner, their team mates, and managers."""
    if user.has_perm(f"accounts.{VIEW_ALL_CALLBACKS}"):
        return True
    if not user.has_perm(f"accounts.{HANDLE_CALLBACKS}"):
        return False
    return message.owner_user_id == user.pk or (
        message.owner_team_id is not None and message.owner_team.members.filter(pk=user.pk).exists()
    )


def can_correct(user: User, message: Message) -> bool:
    """The receptionist who took a message may correct it until it is handled."""
    return (
        message.taken_by_id == user.pk
        and message.status in (Status.OPEN, Status.INFORMATIONAL)
        and message.anonymised_at is None
    )


@dataclass(frozen=True)
class Worklist:
    overdue: list[Message]
    today: list[Message]
    later: list[Message]
    follow_ups: list[Message]

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.today or self.later or self.follow_ups)


@dataclass(frozen=True)
class WorkFilter:
    scope: str = "mine"  # "mine" or "teams"
    status: str = Status.OPEN  # a Status value or "all"
    call_type: str = ""
    team_id: int | None = None
    period_days: int | None = None


def _scoped(user: User, scope: str) -> QuerySet[Message]:
    messages = Message.objects.select_related("owner_user", "owner_team", "taken_by")
    if scope == "teams":
        return messages.filter(owner_team__in=Team.objects.filter(members=user))
    return messages.filter(Q(owner_user=user) | Q(owner_user__isnull=True, owner_team__in=Team.objects.filter(members=user)))


def work_messages(*, user: User, now: datetime, work_filter: WorkFilter) -> QuerySet[Message]:
    messages = _scoped(user, work_filter.scope)
    if work_filter.status != "all":
        messages = messages.filter(status=work_filter.status)
    if work_filter.call_type:
        messages = messages.filter(call_type=work_filter.call_type)
    if work_filter.team_id:
        messages = messages.filter(owner_team_id=work_filter.team_id)
    if work_filter.period_days:
        messages = messages.filter(taken_at__gte=now - timedelta(days=work_filter.period_days))
    return messages


def worklist(*, user: User, now: datetime, work_filter: WorkFilter) -> Worklist:
    """Open callbacks grouped overdue / due today / later, plus follow-up reminders due today."""
    tz = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(tz).date()
    end_of_today = datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)
    open_messages = list(
        work_messages(user=user, now=now, work_filter=WorkFilter(**{**work_filter.__dict__, "status": Status.OPEN}))
        .order_by("deadline", "pk")
    )
    follow_ups = list(
        _scoped(user, work_filter.scope)
        .filter(follow_up_on__lte=today, follow_up_done_at__isnull=True, status=Status.HANDLED)
        .order_by("follow_up_on", "pk")
    )
    return Worklist(
        overdue=[m for m in open_messages if m.deadline <= now],
        today=[m for m in open_messages if now < m.deadline < end_of_today],
        later=[m for m in open_messages if m.deadline >= end_of_today],
        follow_ups=follow_ups,
    )


@dataclass(frozen=True)
class NavigationCounts:
    open: int
    overdue: int
    unread: int


def navigation_counts(*, user: User, now: datetime) -> NavigationCounts:
    """The navigation's numbers on every page: open and overdue callbacks a person owes, unread notices.

    One statement of three indexed counts: as two ORM aggregates this cost ~1.5 ms a page on
    PostgreSQL, mostly query compilation, against ~0.3 ms.
    """
    message, notification = Message._meta.db_table, Notification._meta.db_table
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {message} WHERE owner_user_id = %s AND status = %s), "  # nosec B608
        f"(SELECT COUNT(*) FROM {message} WHERE owner_user_id = %s AND status = %s AND deadline <= %s), "
        f"(SELECT COUNT(*) FROM {notification} WHERE recipient_id = %s AND channel = %s AND read_at IS NULL)"
    )  # table names from model metadata, every value a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, Status.OPEN, user.pk, Status.OPEN, now, user.pk, Notification.Channel.IN_APP])
        open_count, overdue, unread = cursor.fetchone()
    return NavigationCounts(open=open_count, overdue=overdue, unread=unread)


def message_timeline(message: Message) -> dict[str, list]:
    """Everything needed to call back prepared: earlier messages, calls, attempts, the audit trail."""
    earlier = []
    if message.caller_number:
        earlier = list(
            Message.objects.filter(caller_number=message.caller_number)
            .exclude(pk=message.pk)
            .select_related("owner_user", "owner_team")
            .order_by("-taken_at")[:50]
        )
    return {
        "earlier": earlier,
        "calls": list(message.calls.select_related("taken_by")),
        "attempts": list(message.attempts.select_related("made_by")),
        "events": [_with_change_rows(event) for event in message.events.select_related("actor")],
    }


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


def inbox_of(user: User, *, limit: int = 50) -> list[Notification]:
    """The person's in-app notifications, newest first."""
    return list(
        Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)
        .select_related("message__owner_user", "message__owner_team")
        .order_by("-created_at", "-pk")[:limit]
    )
