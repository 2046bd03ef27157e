"""Users and messages made directly in the database, for tests of what happens after the intake.

Every time a factory writes ("taken at", the default deadline) comes from the test's clock
(tests/clock.py); a factory used by a test without the `clock` fixture raises.
"""

import uuid
from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from accounts.models import User
from accounts.services import role_groups_ensure
from callbacks.models import CallLog, Message, MessageEvent, Status
from tests.clock import running_clock

PASSWORD = "correct horse battery"


def _now():
    return running_clock().now()


class UserFactory(DjangoModelFactory):
    """A user with a password and, through `roles`, the groups of those roles."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.LazyAttribute(lambda user: user.username.title())
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        if create and extracted:
            role_groups_ensure()
            user.groups.set(Group.objects.filter(name__in=extracted))


class MessageFactory(DjangoModelFactory):
    """An open message for `owner` (and the first of their teams), due a day after the clock's now.

    Like one saved at intake, it has its first call-log line and its "taken" event.
    """

    class Meta:
        model = Message
        skip_postgeneration_save = True

    class Params:
        owner = None
        team = factory.LazyAttribute(lambda m: m.owner.teams.order_by("name").first() if m.owner else None)

    intake_token = factory.LazyFunction(uuid.uuid4)
    taken_at = factory.LazyFunction(_now)
    intended_user = factory.SelfAttribute("owner")
    owner_user = factory.SelfAttribute("owner")
    owner_team = factory.SelfAttribute("team")
    caller_name = "Pieter de Boer"
    caller_number = "+31612345678"
    reason = "Vraag over de offerte"
    status = Status.OPEN
    deadline = factory.LazyAttribute(lambda m: _now() + timedelta(days=1) if m.status == Status.OPEN else None)
    policy_deadline = factory.SelfAttribute("deadline")
    escalate_at = factory.LazyAttribute(lambda m: m.deadline + timedelta(hours=2) if m.deadline else None)

    @factory.post_generation
    def first_call(message, create, extracted, **kwargs):
        if create:
            CallLog.objects.create(
                message=message, called_at=message.taken_at, taken_by=message.taken_by, intake_token=uuid.uuid4()
            )
            MessageEvent.objects.create(
                message=message, actor=message.taken_by, at=message.taken_at, kind=MessageEvent.Kind.TAKEN
            )


def make_messages(count: int, **fields) -> list[Message]:
    """Many messages at once, each from its own number and with its call-log line, for query-count tests."""
    first = MessageFactory(**fields)
    same = {"taken_at": first.taken_at, "deadline": first.deadline, "team": first.owner_team}
    rows = MessageFactory.build_batch(
        count - 1,
        **{**fields, **same},
        caller_number=factory.Sequence(lambda n: f"+316{10000000 + n:08d}"),
    )
    created = Message.objects.bulk_create(rows)
    CallLog.objects.bulk_create(
        CallLog(message=m, called_at=m.taken_at, taken_by_id=m.taken_by_id, intake_token=uuid.uuid4()) for m in created
    )
    return [first, *created]
