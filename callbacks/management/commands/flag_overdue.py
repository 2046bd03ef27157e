from datetime import timedelta

from django.core.management.base import BaseCommand

from callbacks.services.delivery import outbox_deliver
from callbacks.services.overdue import overdue_sweep


class Command(BaseCommand):
    help = "Run one overdue sweep now (flag, escalate, notify), then deliver what is pending. Safe to repeat."

    def handle(self, *args, **options) -> None:
        result = overdue_sweep()
        delivered = outbox_deliver(grace=timedelta(0))
        self.stdout.write(
            f"flagged={result.flagged} escalated={result.escalated} notifications={result.notifications} "
            f"delivered={delivered}"
        )
