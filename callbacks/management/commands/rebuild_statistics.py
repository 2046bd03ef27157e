from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from callbacks.services.rollups import rollup_history_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the statistics' rollup per day from the messages: every day from the first message (or "
        "rollup row) to today, or --start/--end (local dates, inclusive). Safe to repeat."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--start", type=date.fromisoformat, help="first local date, YYYY-MM-DD")
        parser.add_argument("--end", type=date.fromisoformat, help="last local date, YYYY-MM-DD")

    def handle(self, *args, start: date | None, end: date | None, **options) -> None:
        start, end, counted = rollup_history_rebuild(now=timezone.now(), start=start, end=end)
        if start > end:  # nothing was rebuilt: the range is empty
            raise CommandError("--start is after --end")
        self.stdout.write(f"days={(end - start).days + 1} messages={counted} from={start} to={end}")
