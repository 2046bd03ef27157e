from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from accounts.models import Absence, Team, User
from callbacks.models import CallLog, Message, Status

# The demo office is sixty days of history up to now: the clock's now (tests/clock.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _snapshot() -> tuple:
    return (
        sorted(User.objects.values_list("username", "password", "full_name")),
        sorted(
            (
                t.name,
                sorted(t.members.values_list("username", flat=True)),
                sorted(t.managers.values_list("username", flat=True)),
            )
            for t in Team.objects.all()
        ),
        sorted(Absence.objects.values_list("user__username", "stand_in__username", "starts_at", "ends_at")),
        sorted(Message.objects.values_list("intake_token", "status", "deadline", "call_count")),
        CallLog.objects.count(),
    )


def test_it_creates_the_demo_office(clock, settings, client):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    users, teams, absences, messages, _calls = _snapshot()
    assert [u[0] for u in users] == ["anna", "bram", "carla", "daan", "eva", "mira"]
    assert len(teams) == 2
    assert [(a[0], a[1]) for a in absences] == [("eva", "daan")]
    assert User.objects.get(username="anna").has_perm("accounts.take_messages")
    assert User.objects.get(username="mira").has_perm("accounts.view_dashboard")
    assert {status for _token, status, _deadline, _count in messages} == set(Status.values)
    assert Message.objects.filter(
        status=Status.OPEN, owner_user__username="daan", intended_user__username="eva"
    ).exists()
    assert Message.objects.filter(call_count__gte=3, priority="urgent").exists()
    # Sixty days of history: hundreds of messages, a few overdue right now, regular callers.
    assert Message.objects.count() > 300
    assert Message.objects.filter(taken_at__lt=clock.now() - timedelta(days=55)).exists()
    assert 1 <= Message.objects.filter(status=Status.OPEN, deadline__lt=clock.now()).count() <= 10
    assert Message.objects.values("caller_number").annotate(n=Count("pk")).filter(n__gte=3).exists()
    assert Message.objects.filter(status=Status.HANDLED, handled_at__gt=F("deadline")).exists()
    assert Message.objects.filter(status=Status.HANDLED, handled_at__lte=F("deadline")).exists()
    response = client.post("/accounts/login/", {"username": "anna", "password": "demo"})
    assert response.status_code == 302


def test_it_changes_nothing_when_run_twice(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _snapshot() == first


def test_it_refuses_demo_passwords_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
