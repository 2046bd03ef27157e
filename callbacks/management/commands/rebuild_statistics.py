from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min
from django.utils import timezone

from callbacks.domain.figures import local_zone
from callbacks.models import DayFigures, Message
from callbacks.services.rollups import rollup_range_rebuild


class Command(BaseCommand):
    help = ("Rebuild the statistics' rollup per day from the messages: every day from the first message (or "
            "rollup row) to today, or --start/--end (local dates, inclusive). Safe to repeat.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--start", type=date.fromisoformat, help="first local date, YYYY-MM-DD")
        parser.add_argument("--end", type=date.fromisoformat, help="last local date, YYYY-MM-DD")

    def handle(self, *args, start: date | None, end: date | None, **options) -> None:
        now = timezone.now()
        end = end or timezone.localdate(now, timezone=local_zone())
        if start is None:
            first_taken = Message.objects.aggregate(first=Min("taken_at"))["first"]
            # Rollup rows older than the first message (messages deleted since) are rebuilt away too.
            days = [timezone.localdate(first_taken, timezone=local_zone())] if first_taken else []
            days += [day for day in [DayFigures.objects.aggregate(first=Min("day"))["first"]] if day]
            start = min(days, default=end)
        if start > end:
            raise CommandError("--start is after --end")
        counted = rollup_range_rebuild(start=start, end=end, now=now)
        self.stdout.write(f"days={(end - start).days + 1} messages={counted} from={start} to={end}")
