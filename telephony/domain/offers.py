"""When a receptionist's pop-up for an answered call shows, and how a page tells whether it has the newest one."""

from collections.abc import Iterable
from datetime import datetime, timedelta

# After the caller hangs up the offer stays this long: time to finish typing the message, then it goes by itself.
OFFER_KEPT_AFTER_CALL = timedelta(minutes=5)
# A call whose hangup never came is closed by the sweep for unfinished calls; until then the offer is cut off
# here, so a lost hangup does not leave a pop-up standing all day.
OFFER_KEPT_AT_MOST = timedelta(hours=2)


def ended_since(now: datetime) -> datetime:
    """Calls that ended after this moment still show their offer."""
    return now - OFFER_KEPT_AFTER_CALL


def offered_since(now: datetime) -> datetime:
    """Offers made before this moment are no longer shown, ended or not."""
    return now - OFFER_KEPT_AT_MOST


def offers_key(call_ids: Iterable[int]) -> str:
    """What the page sends back when it polls: the open offers it shows, so an unchanged set answers 204."""
    return ".".join(str(call_id) for call_id in sorted(call_ids))
