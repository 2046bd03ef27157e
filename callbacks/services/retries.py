"""What a manager may do to the outbox from the admin: send a waiting notification again now."""

from datetime import datetime

from callbacks.models import Notification
from callbacks.services.notifications import publish_on_commit


def notifications_retry(*, ids: list[int], now: datetime) -> int:
    """Make these notifications due now, if they still wait (held by quiet hours or a failed send's
    backoff); returns how many. Sent or being-sent rows are left alone, so repeating it changes nothing
    more than the moment they are due."""
    waiting = list(
        Notification.objects.filter(pk__in=ids, state=Notification.State.PENDING).values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=waiting, state=Notification.State.PENDING).update(not_before=now)
    publish_on_commit(waiting)
    return len(waiting)
