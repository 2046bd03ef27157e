"""Fill a development database with the demo office and its telephone messages.

Every demo login has the password "demo", so the command refuses to run unless DEBUG is on.
Running it again changes nothing.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import demo_office_create
from callbacks.management.demo import demo_messages_create
from callbacks.management.demo_history import demo_history_create
from callbacks.services.rollups import rollup_history_rebuild


class Command(BaseCommand):
    help = "Create the demo office and messages (users with password 'demo'). Development only."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates logins with the password 'demo' and only runs with DJANGO_DEBUG=true."
            )
        with transaction.atomic():
            users = demo_office_create()
            created = demo_messages_create(users) + demo_history_create(users)
        rollup_history_rebuild()  # the statistics read the daily rollup: the demo's history is in it at once
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo office ready ({created} new messages): log in as anna, bram, carla, daan, eva or mira "
                "with password 'demo'."
            )
        )
