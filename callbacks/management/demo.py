"""Demo telephone messages in every state, relative to the moment they are first created.

Each demo message has a fixed token, so creating them again changes nothing.
"""

import uuid
from datetime import timedelta

from django.utils import timezone

from accounts.models import Team, User
from callbacks.models import CallLog, CallType, Message, Priority, Status, Tone
from callbacks.selectors.policies import escalation_moment, proposed_deadline

_NAMESPACE = uuid.UUID("5d1c6a2e-3f7b-4c1e-9a55-0b7e2f1d9c11")

# key, hours ago, asked for, owner, team, caller, number, company, reason, type, tone, status, calls
DEMO_MESSAGES = [
    (
        "offerte-kassa",
        3,
        "bram",
        "bram",
        "Verkoop",
        "Pieter de Boer",
        "+31612345678",
        "Bakkerij De Boer",
        "Vraag over de offerte voor de nieuwe kassa",
        CallType.SALES,
        Tone.CALM,
        Status.OPEN,
        1,
    ),
    (
        "monteur-niet-gekomen",
        26,
        "daan",
        "daan",
        "Service",
        "Fatima Yilmaz",
        "+31687654321",
        "",
        "Monteur is niet op de afspraak verschenen, wil vandaag nog iemand spreken",
        CallType.COMPLAINT,
        Tone.ANGRY,
        Status.OPEN,
        3,
    ),
    (
        "twintig-werkplekken",
        1,
        None,
        None,
        "Verkoop",
        "Jan Hendriks",
        "+31201234567",
        "Hendriks Advocaten",
        "Wil een offerte voor 20 werkplekken",
        CallType.SALES,
        Tone.CALM,
        Status.OPEN,
        1,
    ),
    (
        "factuur",
        30,
        "carla",
        "carla",
        "Verkoop",
        "Marloes Vermeulen",
        "+31302345678",
        "Vermeulen Bouw",
        "Factuur van oktober klopt niet: dubbel gefactureerd",
        CallType.QUESTION,
        Tone.ANNOYED,
        Status.HANDLED,
        1,
    ),
    (
        "levering",
        2,
        "eva",
        "daan",
        "Service",
        "Sophie Martens",
        "+3225551212",
        "Martens BV",
        "Levering komt donderdag in plaats van woensdag",
        CallType.OTHER,
        Tone.CALM,
        Status.INFORMATIONAL,
        1,
    ),
    (
        "openingstijden",
        4,
        None,
        None,
        "Verkoop",
        "",
        "",
        "",
        "Openingstijden van de showroom gegeven",
        CallType.QUESTION,
        Tone.CALM,
        Status.HANDLED_AT_INTAKE,
        1,
    ),
    (
        "doorverbonden",
        3,
        "bram",
        "bram",
        "Verkoop",
        "",
        "",
        "",
        "Doorverbonden met Bram",
        CallType.QUESTION,
        Tone.CALM,
        Status.PUT_THROUGH,
        1,
    ),
    (
        "afspraak-verzetten",
        50,
        "carla",
        "carla",
        "Verkoop",
        "Kees van Dijk",
        "+31651112233",
        "",
        "Wil de afspraak van volgende week verzetten",
        CallType.APPOINTMENT,
        Tone.CALM,
        Status.OPEN,
        2,
    ),
    (
        "storing-eva",
        5,
        "eva",
        "daan",
        "Service",
        "Ahmed Benali",
        "+31104567890",
        "Benali Logistiek",
        "Storing aan de printer, staat al sinds vanochtend stil",
        CallType.COMPLAINT,
        Tone.ANNOYED,
        Status.OPEN,
        1,
    ),
]


def demo_messages_create(users: dict[str, User]) -> int:
    receptionist = users["anna"]
    teams = {team.name: team for team in Team.objects.all()}
    now = timezone.now()
    created = 0
    for (
        key,
        hours_ago,
        asked_for,
        owner,
        team_name,
        name,
        number,
        company,
        reason,
        call_type,
        tone,
        status,
        calls,
    ) in DEMO_MESSAGES:
        token = uuid.uuid5(_NAMESPACE, key)
        if Message.objects.filter(intake_token=token).exists():
            continue
        taken_at = now - timedelta(hours=hours_ago)
        team = teams[team_name]
        message = Message(
            intake_token=token,
            taken_by=receptionist,
            taken_at=taken_at,
            intended_user=users.get(asked_for),
            owner_user=users.get(owner),
            owner_team=team,
            caller_name=name,
            caller_number=number,
            caller_company=company,
            reason=reason,
            call_type=call_type,
            tone=tone,
            status=status,
            call_count=calls,
            wants_callback=status in (Status.OPEN, Status.HANDLED),
            priority=Priority.URGENT if calls >= 3 else Priority.NORMAL,
        )
        if message.wants_callback:
            message.deadline = message.policy_deadline = proposed_deadline(
                team=team, call_type=call_type, start=taken_at, window=None
            )
            message.escalate_at = escalation_moment(team=team, deadline=message.deadline)
        if status in (Status.HANDLED, Status.HANDLED_AT_INTAKE, Status.PUT_THROUGH):
            message.handled_at = taken_at + timedelta(hours=2 if status == Status.HANDLED else 0)
        message.save()
        for call in range(calls):
            CallLog.objects.create(
                message=message,
                called_at=taken_at + timedelta(hours=call * 3),
                taken_by=receptionist,
                intake_token=uuid.uuid5(token, str(call)),
            )
        created += 1
    return created
