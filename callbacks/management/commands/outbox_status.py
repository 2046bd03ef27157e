from django.core.management.base import BaseCommand
from django.utils import timezone

from callbacks.models import Heartbeat
from callbacks.services.delivery import outbox_pending_count


class Command(BaseCommand):
    help = "Show when the overdue sweep and the delivery sweep last ran, and how many notifications wait."

    def handle(self, *args, **options) -> None:
        beats = {beat.name: beat for beat in Heartbeat.objects.all()}
        for label, name in (("overdue sweep", Heartbeat.OVERDUE_SWEEP), ("delivery sweep", Heartbeat.OUTBOX_DELIVERY)):
            beat = beats.get(name)
            when = timezone.localtime(beat.last_run_at).isoformat(timespec="seconds") if beat else "never"
            self.stdout.write(f"{label}: last run {when}")
        self.stdout.write(f"pending notifications: {outbox_pending_count()}")
