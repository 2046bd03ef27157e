"""Remove the caller's personal data from messages handled more than N days ago.

The nightly task does this by itself; the command is for a first run on an old database, for a
shorter retention on request, and, with --dry-run, for seeing what the task would do. Safe to
repeat: a second run anonymises nothing more.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from callbacks.selectors.privacy import retention_days
from callbacks.selectors.privacy import messages_to_anonymise
from callbacks.services.retention import messages_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise caller data of messages handled more than --days ago (default: the period set on the "
        "privacy page, else RETENTION_DAYS)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Read when the command runs, not when it is defined: a manager may have changed it since.
        parser.add_argument(
            "--days", type=int, default=None, help="retention in days (default: the office's retention period)"
        )
        parser.add_argument("--dry-run", action="store_true", help="only show what would be anonymised")

    def handle(self, *args, days: int | None, dry_run: bool, verbosity: int, **options) -> None:
        days = retention_days() if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1.")
        now = timezone.now()
        if not dry_run:
            count = messages_anonymise(now=now, older_than_days=days)
            self.stdout.write(f"Anonymised {count} message(s) handled more than {days} days ago.")
            return
        count = messages_anonymise(now=now, older_than_days=days, dry_run=True)
        self.stdout.write(f"Would anonymise {count} message(s) handled more than {days} days ago.")
        if verbosity >= 2:
            due = messages_to_anonymise(now=now, older_than_days=days).order_by("closed_at", "pk")
            # Ids and dates only: the point is to not print the personal data.
            for pk, closed_at in due.values_list("pk", "closed_at").iterator():
                self.stdout.write(f"{pk}\thandled {timezone.localtime(closed_at).date().isoformat()}")
