"""Sixty days of believable office history, so the dashboard and statistics look real after `make run`.

Deterministic (a fixed random seed, tokens derived from it) and created once: a second run finds
its first message and stops.
"""

import random
import uuid
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import Team, User
from callbacks.domain.deadlines import add_business_time, callback_deadline
from callbacks.models import (
    DEFAULT_ESCALATION_MINUTES,
    Attempt,
    CallLog,
    CallType,
    Message,
    MessageEvent,
    Outcome,
    Priority,
    Status,
    Tone,
)
from callbacks.selectors.policies import calendar_for, handling_for

_NAMESPACE = uuid.UUID("0b6f0a53-9f9e-4c43-8a8e-7d1f3f6a2c55")
DAYS = 60
ESCALATION = timedelta(minutes=DEFAULT_ESCALATION_MINUTES)

FIRST_NAMES = [
    "Sanne",
    "Joost",
    "Fleur",
    "Mohamed",
    "Lotte",
    "Ruben",
    "Ingrid",
    "Kevin",
    "Yara",
    "Willem",
    "Noor",
    "Thijs",
    "Esra",
    "Gerrit",
    "Anouk",
    "Bas",
    "Priya",
    "Henk",
    "Maud",
    "Stijn",
]
LAST_NAMES = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
]
COMPANIES = [
    "",
    "",
    "",
    "Bouwbedrijf Dekker",
    "Tandartspraktijk Zuid",
    "Hoveniers Bos",
    "De Groot Logistiek",
    "Kapsalon Maud",
    "Installatiebedrijf Mulder",
    "Gemeente Utrecht",
]
REASONS = {
    CallType.QUESTION: [
        "Vraag over de factuur",
        "Wil weten wanneer de levering komt",
        "Vraag over het contract",
        "Wachtwoord van het klantportaal werkt niet",
    ],
    CallType.COMPLAINT: [
        "Monteur is niet gekomen",
        "Product kapot geleverd",
        "Al drie keer gebeld, geen reactie",
        "Verkeerd bedrag afgeschreven",
    ],
    CallType.SALES: [
        "Wil een offerte voor nieuwe werkplekken",
        "Interesse in het onderhoudscontract",
        "Vraagt naar de prijs van uitbreiding",
    ],
    CallType.APPOINTMENT: [
        "Wil de afspraak verzetten",
        "Wil een afspraak voor een demonstratie",
        "Afspraak van donderdag gaat niet door",
    ],
    CallType.OTHER: ["Adreswijziging doorgeven", "Sollicitatie: vraag over de vacature"],
}
TYPE_WEIGHTS = [
    (CallType.QUESTION, 45),
    (CallType.COMPLAINT, 15),
    (CallType.SALES, 20),
    (CallType.APPOINTMENT, 15),
    (CallType.OTHER, 5),
]
# A handful of numbers that call again and again: the repeat callers of the statistics.
REGULARS = [f"+3161234{n:04d}" for n in range(8)]


def demo_history_create(users: dict[str, User], *, now: datetime | None = None) -> int:
    now = now or timezone.now()
    if Message.objects.filter(intake_token=uuid.uuid5(_NAMESPACE, "0")).exists():
        return 0
    # Seeded for a repeatable demo history, not for secrets (bandit B311, docs/SECURITY.md).
    rng = random.Random(20261127)  # nosec B311
    teams = {team.name: team for team in Team.objects.prefetch_related("members")}
    calendars = {name: calendar_for(team) for name, team in teams.items()}
    receptionist = users["anna"]
    plans = []
    start = timezone.localdate(now) - timedelta(days=DAYS)
    for offset in range(DAYS + 1):
        day = start + timedelta(days=offset)
        for _index in range(rng.randint(4, 11)):
            plans.append(_plan(rng, day, teams, calendars, now))
    plans.sort(key=lambda plan: plan["taken_at"])
    plans = [plan for plan in plans if plan["taken_at"] < now - timedelta(minutes=20)]
    _overdue_now(plans, now)
    messages = []
    for index, plan in enumerate(plans):
        plan["token"] = uuid.uuid5(_NAMESPACE, str(index))
        messages.append(_message(plan, receptionist))
    Message.objects.bulk_create(messages, batch_size=500)
    by_token = dict(
        Message.objects.filter(intake_token__in=[p["token"] for p in plans]).values_list("intake_token", "pk")
    )
    calls, attempts, events = [], [], []
    for plan in plans:
        pk = by_token[plan["token"]]
        for number, called_at in enumerate(plan["calls"]):
            calls.append(
                CallLog(
                    message_id=pk,
                    called_at=called_at,
                    taken_by=receptionist,
                    intake_token=uuid.uuid5(plan["token"], f"call-{number}"),
                )
            )
        events.append(
            MessageEvent(message_id=pk, actor=receptionist, at=plan["taken_at"], kind=MessageEvent.Kind.TAKEN)
        )
        for made_at, result in plan["attempts"]:
            attempts.append(
                Attempt(message_id=pk, made_by=plan["owner"] or receptionist, made_at=made_at, result=result)
            )
        if plan["status"] == Status.HANDLED:
            events.append(
                MessageEvent(message_id=pk, actor=plan["owner"], at=plan["handled_at"], kind=MessageEvent.Kind.HANDLED)
            )
    CallLog.objects.bulk_create(calls, batch_size=500)
    Attempt.objects.bulk_create(attempts, batch_size=500)
    MessageEvent.objects.bulk_create(events, batch_size=500)
    return len(plans)


def _plan(rng: random.Random, day: date, teams: dict[str, Team], calendars, now: datetime) -> dict:
    team_name = rng.choice(sorted(teams))
    team = teams[team_name]
    calendar = calendars[team_name]
    members = sorted(team.members.all(), key=lambda user: user.username)
    owner = rng.choice(members) if members and rng.random() > 0.1 else None
    taken_at = datetime.combine(day, time(8, 30), tzinfo=calendar.tz) + timedelta(minutes=rng.randint(0, 510))
    call_type = rng.choices([t for t, _w in TYPE_WEIGHTS], weights=[w for _t, w in TYPE_WEIGHTS])[0]
    regular = rng.random() < 0.12
    plan = {
        "team": team,
        "owner": owner,
        "taken_at": taken_at,
        "call_type": call_type,
        "tone": rng.choices([Tone.CALM, Tone.ANNOYED, Tone.ANGRY], weights=[70, 22, 8])[0]
        if call_type != CallType.COMPLAINT
        else rng.choice([Tone.ANNOYED, Tone.ANGRY]),
        "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "company": rng.choice(COMPANIES),
        "number": rng.choice(REGULARS) if regular else f"+316{rng.randint(10000000, 99999999)}",
        "reason": rng.choice(REASONS[call_type]),
        "calls": [taken_at],
        "attempts": [],
        "deadline": None,
        "handled_at": None,
        "outcome": "",
        "calendar": calendar,
    }
    roll = rng.random()
    if roll < 0.12:
        plan.update(status=Status.HANDLED_AT_INTAKE, handled_at=taken_at, reason="Direct geholpen: " + plan["reason"])
        return plan
    if roll < 0.2:
        plan.update(status=Status.INFORMATIONAL)
        return plan
    plan["deadline"] = callback_deadline(start=taken_at, handling=handling_for(team, call_type), calendar=calendar)
    first_try = taken_at + timedelta(minutes=rng.choice([15, 30, 45, 60, 90, 120, 240, 480, 1440, 1800]))
    if rng.random() < 0.25:
        plan["attempts"].append((first_try, rng.choice([Attempt.Result.NO_ANSWER, Attempt.Result.VOICEMAIL])))
        first_try += timedelta(minutes=rng.choice([30, 60, 180, 1200]))
    if first_try < now:
        plan["attempts"].append((first_try, Attempt.Result.REACHED))
        plan.update(
            status=Status.HANDLED,
            handled_at=first_try,
            outcome=rng.choices([Outcome.SOLVED, Outcome.FOLLOW_UP, Outcome.FORWARDED], weights=[80, 12, 8])[0],
        )
    else:
        plan["status"] = Status.OPEN
    if regular and rng.random() < 0.5:
        plan["calls"].append(taken_at + timedelta(minutes=rng.randint(60, 600)))
    return plan


def _overdue_now(plans: list[dict], now: datetime) -> None:
    """Make the three most recent callbacks overdue right now, so the dashboard has something to show."""
    recent = [plan for plan in plans if plan["status"] == Status.OPEN][-3:]
    for hours, plan in zip((5, 2, 1), recent, strict=False):
        plan["deadline"] = now - timedelta(hours=hours, minutes=10)


def _message(plan: dict, receptionist: User) -> Message:
    deadline = plan["deadline"]
    calls = len(plan["calls"])
    wants_callback = plan["status"] in (Status.OPEN, Status.HANDLED)
    return Message(
        intake_token=plan["token"],
        taken_by=receptionist,
        taken_at=plan["taken_at"],
        intended_user=plan["owner"],
        owner_user=plan["owner"],
        owner_team=plan["team"],
        caller_name=plan["name"],
        caller_number=plan["number"],
        caller_company=plan["company"],
        reason=plan["reason"],
        call_type=plan["call_type"],
        tone=plan["tone"],
        wants_callback=wants_callback,
        status=plan["status"],
        call_count=calls,
        priority=Priority.URGENT if calls >= 3 else Priority.NORMAL,
        deadline=deadline,
        policy_deadline=deadline,
        escalate_at=add_business_time(deadline, ESCALATION, plan["calendar"]) if deadline else None,
        handled_at=plan["handled_at"],
        handled_by=plan["owner"] if plan["status"] == Status.HANDLED else None,
        outcome=plan["outcome"],
        attempt_count=len(plan["attempts"]),
    )
