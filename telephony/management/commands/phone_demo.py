"""The demo phone system of `make run`: "Demo-telefooncentrale" with a fixed token, and its webhook address.

A fixed token is a known secret, so the command refuses to run unless DEBUG is on. Running it again changes
nothing (an existing demo system keeps its routes and gets its fixed token back if a manager renewed it).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Team
from telephony.domain.tokens import token_hash
from telephony.models import PhoneRoute, PhoneSystem
from telephony.services.manage import phone_route_add, phone_system_token_set
from telephony.services.phone_systems import phone_system_create

DEMO_NAME = "Demo-telefooncentrale"
# Known to everyone who reads this file: development only (bandit B105, docs/SECURITY.md).
DEMO_TOKEN = "demo-token-alleen-voor-ontwikkeling"  # nosec B105
DEMO_TEAM = "Verkoop"  # the demo office has no reception team: missed calls go to sales
DEMO_NUMBER = "+31201234500"
DEMO_QUEUE = ("service", "Service")
WEBHOOK = "http://127.0.0.1:8000/cti/{token}/"


class Command(BaseCommand):
    help = "Create the demo phone system (a fixed, known token) and print its webhook address. Development only."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "phone_demo makes a phone system with a known token and only runs with DJANGO_DEBUG=true."
            )
        team = Team.objects.filter(name=DEMO_TEAM).first()
        if team is None:
            raise CommandError(f"Team {DEMO_TEAM} is missing: run `manage.py seed_demo` first.")
        with transaction.atomic():
            system = PhoneSystem.objects.filter(name=DEMO_NAME).first()
            if system is None:
                system, _ = phone_system_create(name=DEMO_NAME, default_team=team, created_by=None, token=DEMO_TOKEN)
            elif system.token_hash != token_hash(DEMO_TOKEN) or system.revoked_at:
                phone_system_token_set(phone_system=system, token=DEMO_TOKEN)
            self._routes(system, team)
        self.stdout.write(f"Demo phone system webhook: {WEBHOOK.format(token=DEMO_TOKEN)}")

    def _routes(self, system: PhoneSystem, team: Team) -> None:
        wanted = [(PhoneRoute.Kind.NUMBER, DEMO_NUMBER, team)]
        service = Team.objects.filter(name=DEMO_QUEUE[1]).first()
        if service:
            wanted.append((PhoneRoute.Kind.QUEUE, DEMO_QUEUE[0], service))
        for kind, value, route_team in wanted:
            if not system.routes.filter(kind=kind, value=value).exists():
                phone_route_add(phone_system=system, kind=kind, value=value, team=route_team)
