"""Everything about one caller that the viewer may see: the caller page (callbacks/views/caller_page.py).

A caller is one number, or the numbers the office linked (callbacks/models/caller.py). The page shows only
the messages ``Message.objects.visible_to(viewer)`` gives, and none that retention anonymised.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, Count, F, Prefetch, Q, QuerySet, Value, When

from accounts.models import User
from callbacks.models import Attempt, Caller, CallerNumber, CallLog, Message, Status

# The newest messages on one page; older ones on the next pages ("show all").
PAGE_SIZE = 100
RECENT_DAYS = 30

# Whether the promise was kept: called back (handled) by the deadline, late, or still open past or before it.
KEPT = Q(handled_at__isnull=False, deadline__isnull=False, handled_at__lte=F("deadline"))
LATE = Q(handled_at__isnull=False, deadline__isnull=False, handled_at__gt=F("deadline"))


def _overdue(now: datetime) -> Q:
    return Q(status=Status.OPEN, deadline__lte=now)


@dataclass(frozen=True)
class CallerPage:
    caller: Caller | None
    numbers: list[str]
    name: str
    company: str
    messages: Page
    total: int
    calls_recent: int
    kept: int
    promises_due: int
    links: list[CallerNumber]  # who linked each number, and when; empty for a number on its own

    @property
    def kept_percent(self) -> int | None:
        """Kept promises as a share of those whose moment came (kept, late, or still open past it)."""
        return round(100 * self.kept / self.promises_due) if self.promises_due else None


def caller_of_number(number: str) -> Caller | None:
    return Caller.objects.filter(numbers__number=number).first()


def numbers_of(caller: Caller) -> list[str]:
    return [str(number) for number in CallerNumber.objects.filter(caller=caller).values_list("number", flat=True)]


def caller_messages(*, numbers: list[str], user: User) -> QuerySet[Message]:
    """The caller's messages this person may see, without those whose caller data retention removed."""
    return Message.objects.visible_to(user).filter(caller_number__in=numbers, anonymised_at__isnull=True)


def caller_visible(*, numbers: list[str], user: User) -> bool:
    return caller_messages(numbers=numbers, user=user).exists()


def caller_page(
    *, numbers: list[str], caller: Caller | None, user: User, now: datetime, page_number: object = 1
) -> CallerPage | None:
    """The page, or None when the person sees no message of this caller (the view answers 404)."""
    visible = caller_messages(numbers=numbers, user=user)
    figures = visible.aggregate(
        total=Count("pk"),
        kept=Count("pk", filter=KEPT),
        due=Count("pk", filter=KEPT | LATE | _overdue(now)),
    )
    if not figures["total"]:
        return None
    newest = visible.exclude(caller_name="").order_by("-taken_at").values("caller_name", "caller_company").first()
    calls = CallLog.objects.filter(message__in=visible, called_at__gte=now - timedelta(days=RECENT_DAYS)).count()
    return CallerPage(
        caller=caller,
        numbers=numbers,
        name=(caller.display_name if caller else "") or (newest or {}).get("caller_name", ""),
        company=(newest or {}).get("caller_company", ""),
        messages=Paginator(_listed(visible, now), PAGE_SIZE).get_page(page_number),
        total=figures["total"],
        calls_recent=calls,
        kept=figures["kept"],
        promises_due=figures["due"],
        links=list(CallerNumber.objects.filter(caller=caller).select_related("linked_by")) if caller else [],
    )


def _listed(visible: QuerySet[Message], now: datetime) -> QuerySet[Message]:
    """Newest first, with who took, owns and handled each, its calls and attempts, and its promise's state."""
    return (
        visible.select_related("taken_by", "owner_user", "owner_team", "handled_by")
        .prefetch_related(
            Prefetch("calls", queryset=CallLog.objects.select_related("taken_by").order_by("called_at")),
            Prefetch("attempts", queryset=Attempt.objects.select_related("made_by").order_by("made_at")),
        )
        .annotate(
            promise=Case(
                When(KEPT, then=Value("kept")),
                When(LATE, then=Value("late")),
                When(_overdue(now), then=Value("overdue")),
                When(status=Status.OPEN, then=Value("open")),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .order_by("-taken_at", "-pk")
    )
