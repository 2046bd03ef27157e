"""`make run`'s demo phone system: made once with its fixed token, and never without DEBUG."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.demo import demo_office_create
from telephony.domain.tokens import token_hash
from telephony.management.commands.phone_demo import DEMO_NAME, DEMO_TOKEN
from telephony.models import PhoneRoute, PhoneSystem
from telephony.services.phone_systems import phone_system_revoke, phone_system_token_renew

pytestmark = pytest.mark.django_db


def _run() -> str:
    out = StringIO()
    call_command("phone_demo", stdout=out)
    return out.getvalue()


@override_settings(DEBUG=True)
def test_it_makes_the_demo_system_once_and_prints_its_webhook(clock):
    demo_office_create()
    printed = _run()
    assert f"http://127.0.0.1:8000/cti/{DEMO_TOKEN}/" in printed
    system = PhoneSystem.objects.get(name=DEMO_NAME)
    assert system.token_hash == token_hash(DEMO_TOKEN) and system.default_team.name == "Verkoop"
    routes = set(system.routes.values_list("kind", "value", "team__name"))
    assert routes == {("number", "+31201234500", "Verkoop"), ("queue", "service", "Service")}

    _run()
    assert PhoneSystem.objects.count() == 1 and PhoneRoute.objects.count() == 2


@override_settings(DEBUG=True)
def test_it_gives_a_renewed_or_revoked_demo_system_its_token_back(clock):
    demo_office_create()
    _run()
    system = PhoneSystem.objects.get(name=DEMO_NAME)
    phone_system_token_renew(phone_system=system)
    phone_system_revoke(phone_system=system)
    _run()
    system.refresh_from_db()
    assert system.token_hash == token_hash(DEMO_TOKEN) and system.revoked_at is None


@override_settings(DEBUG=False)
def test_it_refuses_without_debug(clock):
    demo_office_create()
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        _run()
    assert not PhoneSystem.objects.exists()
