"""What the live parts of a page read: a receptionist's open pop-ups, a colleague's questions about calls."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import User
from callbacks.selectors.intake import CallerProfile, caller_profile
from telephony.domain.offers import ended_since, offered_since
from telephony.models import Direction, PhoneCall


@dataclass(frozen=True)
class Offer:
    call: PhoneCall
    caller: CallerProfile
    calls_before: int  # earlier incoming calls from this number the phone system reported


def _open_offers(user: User, now: datetime) -> QuerySet[PhoneCall]:
    return PhoneCall.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=ended_since(now)),
        agent=user,
        offered_at__isnull=False,
        offered_at__gt=offered_since(now),
        offer_closed_at__isnull=True,
    )


def open_offer_ids(*, user: User, now: datetime) -> list[int]:
    """The poll's one query: which offers are open right now."""
    return list(_open_offers(user, now).order_by("offered_at", "pk").values_list("pk", flat=True))


def open_offers(*, user: User, now: datetime) -> list[Offer]:
    """The open offers with their caller's history, oldest call first (a few queries per offer; rarely two)."""
    offers = []
    for call in _open_offers(user, now).order_by("offered_at", "pk"):
        number = str(call.party_number)
        before = PhoneCall.objects.filter(
            party_number=number, direction=Direction.IN, started_at__lt=call.started_at
        ).count()
        offers.append(Offer(call=call, caller=caller_profile(number=number, user=user, now=now), calls_before=before))
    return offers


def offer_of(*, user: User, pk: int) -> PhoneCall | None:
    """One of the receptionist's own offered calls, open or closed (closing twice is fine)."""
    return PhoneCall.objects.filter(pk=pk, agent=user, offered_at__isnull=False).first()


def _questions(user: User) -> QuerySet[PhoneCall]:
    return PhoneCall.objects.filter(
        agent=user, direction=Direction.OUT, message__isnull=False, reviewed_at__isnull=True
    ).select_related("message", "attempt")


def open_questions(*, user: User) -> list[PhoneCall]:
    """The colleague's outgoing calls about an open message that they have not ticked off or noted yet."""
    return list(_questions(user).order_by("started_at", "pk"))


def question_of(*, user: User, pk: int) -> PhoneCall | None:
    """One of the colleague's own calls with a question; anyone else's is not found."""
    return (
        PhoneCall.objects.filter(pk=pk, agent=user, direction=Direction.OUT, message__isnull=False)
        .select_related("message", "attempt")
        .first()
    )
