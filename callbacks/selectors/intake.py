"""Reads for the receptionist's intake: whom a message can be for, who is reachable, the caller's history."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q

from accounts.configuration_cache import remembered
from accounts.models import Absence, Presence, Team, User
from accounts.roles import HANDLE_CALLBACKS
from accounts.selectors import presences_of
from callbacks.domain.deadlines import BusinessCalendar, PreferredWindow
from callbacks.models import Message
from callbacks.selectors.policies import calendar_for


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
    """What the receptionist can know of a colleague now.

    state: "away" (an absence, until back_at), "closed" (outside the team's hours), one of the colleague's
    own statuses (accounts.models.Presence.State: "on_call", "in_meeting", "do_not_disturb", until back_at),
    or "available": nothing known against it, which is not a promise that they will pick up.
    The state is a plain string so the intake can keep it for the rest of the call.
    """

    state: str
    back_at: datetime | None = None
    stand_in: User | None = None

    @property
    def has_status(self) -> bool:
        return self.state in PRESENCE_STATES


PRESENCE_STATES = frozenset(Presence.State.values)


# Read with the request's first round trip on a message's page and the intake's steps (callbacks/middleware.py).
RECIPIENTS_KEY = "recipients"


def recipients_all() -> tuple[list[User], list[Team]]:
    """Everyone a receptionist can take a message for: colleagues who handle callbacks, and teams.

    Kept in the cache with the office's configuration (accounts/configuration_cache.py): every intake step validates the first step's choice.
    """
    users, teams = remembered(RECIPIENTS_KEY, _read_recipients)
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
    return remembered(f"team_of:{user.pk}", lambda: user.teams.order_by("name").first())


def availability_of(*, user: User, team: Team | None, now: datetime) -> Availability:
    """Away beats closed, closed beats the colleague's own status (set for the working day, not the evening)."""
    away = _absences(user_ids=[user.pk], now=now).get(user.pk)
    if away is not None:
        return away
    if not calendar_for(team).is_open_at(now):
        return Availability("closed")
    return _by_status(presences_of(user_ids=[user.pk], now=now).get(user.pk))


def _by_status(presence: Presence | None) -> Availability:
    if presence is None:
        return Availability("available")
    return Availability(presence.state, presence.until)


def availabilities(*, users: list[User], now: datetime) -> list[tuple[User, Availability]]:
    """``availability_of`` for every colleague of ``recipients_all()`` at once, for the intake's first page.

    One query for the absences, one for the statuses and one calendar per team, instead of five queries per colleague: the
    page listed everyone's status with a number of queries that grew with the office. The users' teams
    must be prefetched ordered by name (recipients_all does), so the first is ``team_of``'s team.
    """
    absences = _absences(user_ids=[user.pk for user in users], now=now)
    presences = presences_of(user_ids=[user.pk for user in users], now=now)
    calendars: dict[int | None, object] = {}
    result = []
    for user in users:
        if (away := absences.get(user.pk)) is not None:
            result.append((user, away))
            continue
        team = next(iter(user.teams.all()), None)
        if (key := team.pk if team else None) not in calendars:
            calendars[key] = calendar_for(team)
        if not calendars[key].is_open_at(now):
            result.append((user, Availability("closed")))
            continue
        result.append((user, _by_status(presences.get(user.pk))))
    return result


def _absences(*, user_ids: list[int], now: datetime) -> dict[int, Availability]:
    """Who of these is away now: until when (the latest current absence) and their stand-in.

    Columns only, and stand-ins from the memoised recipients when they are among them: an absence read
    as model instances with their stand-ins joined cost three times as much, on every intake step.
    """
    rows = (
        Absence.objects.filter(user_id__in=user_ids, starts_at__lte=now, ends_at__gt=now)
        .order_by("ends_at")
        .values_list("user_id", "ends_at", "stand_in_id")
    )
    latest = {user_id: (ends_at, stand_in_id) for user_id, ends_at, stand_in_id in rows}  # the latest end wins
    if not latest:
        return {}
    wanted = {stand_in_id for _ends_at, stand_in_id in latest.values() if stand_in_id is not None}
    known = {user.pk: user for user in recipients_all()[0] if user.pk in wanted}
    known.update(User.objects.in_bulk(wanted - known.keys()) if wanted - known.keys() else {})
    return {
        user_id: Availability("away", ends_at, known.get(stand_in_id))
        for user_id, (ends_at, stand_in_id) in latest.items()
    }


def caller_history(*, number: str, now: datetime, limit: int = 10) -> tuple[list[Message], int]:
    """Earlier messages from this number for any colleague or team (newest first), and how many calls
    came in from it over 30 days."""
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


@dataclass(frozen=True)
class OpenMessage:
    """An open message offered at intake to add this call to: what the choice and the repeat step show."""

    pk: int
    taken_at: datetime
    reason: str
    owner_label: str = ""
    deadline: datetime | None = None
    call_count: int = 1
    call_type: str = ""  # of the first call: a complaint still closes with an apology
    tone: str = ""

    def kept(self) -> list:
        """As JSON, for an intake that reads the open messages once per call and keeps them (its draft)."""
        return [
            self.pk,
            self.taken_at.isoformat(),
            self.reason,
            self.owner_label,
            self.deadline.isoformat() if self.deadline else None,
            self.call_count,
            self.call_type,
            self.tone,
        ]

    @classmethod
    def from_kept(cls, row: list) -> "OpenMessage":
        pk, taken_at, reason, owner_label, deadline, call_count, call_type, tone = row
        return cls(
            pk,
            datetime.fromisoformat(taken_at),
            reason,
            owner_label,
            datetime.fromisoformat(deadline) if deadline else None,
            call_count,
            call_type,
            tone,
        )


def open_messages_for(*, number: str, recipient: Recipient | None = None) -> list[OpenMessage]:
    """Open messages from this caller for whichever colleague or team, each with whom it is for: candidates
    to add a call to. Those for `recipient` (the colleague or team asked for now) come first."""
    if not number:
        return []
    rows = Message.objects.open_for_number(number).select_related("owner_user", "owner_team").order_by("deadline")
    found = [_offered(m) for m in rows]
    if recipient is None:
        return found
    mine = {m.pk for m in rows if _is_for(m, recipient)}
    return sorted(found, key=lambda message: message.pk not in mine)  # stable: by deadline within each half


def _is_for(message: Message, recipient: Recipient) -> bool:
    if recipient.user is not None:
        return recipient.user.pk in (message.owner_user_id, message.intended_user_id)
    return message.owner_team_id == recipient.team.pk and message.owner_user_id is None


def open_message(pk: int) -> OpenMessage | None:
    """One open message as the repeat-call step reads it back: the promise already made, and for whom."""
    message = Message.objects.open().select_related("owner_user", "owner_team").filter(pk=pk).first()
    if message is None:
        return None
    return _offered(message)


def rules_of(pk: int) -> tuple[BusinessCalendar, PreferredWindow] | None:
    """The calendar and the caller's wishes a new promise on this message must keep (bringing it forward)."""
    message = Message.objects.select_related("owner_team").filter(pk=pk).first()
    if message is None:
        return None
    return calendar_for(message.owner_team), message.wishes


def _offered(message: Message) -> OpenMessage:
    return OpenMessage(
        message.pk,
        message.taken_at,
        message.reason,
        message.owner_display,
        message.deadline,
        message.call_count,
        message.call_type,
        message.tone,
    )


@dataclass(frozen=True)
class CallerProfile:
    """What the intake knows of a number as soon as it is typed: whom to propose, and their calls before."""

    number: str
    name: str  # from their last message; "" when unknown (anonymised messages hold no name)
    company: str
    history: list[Message]
    recent_calls: int
    open_messages: list[OpenMessage]
    may_open: frozenset[int]  # the history's messages this person may open (Message.objects.visible_to)

    @property
    def known(self) -> bool:
        return bool(self.history)


def caller_profile(*, number: str, user: User, now: datetime) -> CallerProfile:
    """The caller behind a (normalised) number, across every colleague, in four queries whatever their history."""
    history, recent_calls = caller_history(number=number, now=now)
    last = next((m for m in history if m.anonymised_at is None and m.caller_name), None)
    may_open = Message.objects.visible_to(user).filter(pk__in=[m.pk for m in history]).values_list("pk", flat=True)
    return CallerProfile(
        number=number,
        name=last.caller_name if last else "",
        company=last.caller_company if last else "",
        history=history,
        recent_calls=recent_calls,
        open_messages=open_messages_for(number=number),
        may_open=frozenset(may_open) if history else frozenset(),
    )
