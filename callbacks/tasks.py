"""Thin Celery tasks over service functions, named `<thing>_task`. Messages carry ids only, never caller data.

Services never import this module (it imports them); they queue a delivery by the task's name
(callbacks.services.notifications.DELIVER_TASK).
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from callbacks.services import digests_send, messages_route_to_stand_ins, delivery, retention, rollups
from callbacks.services.drafts import drafts_expire
from callbacks.services.overdue import overdue_sweep

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def notifications_deliver_task(notification_ids: list[int]) -> None:
    """Deliver the rows one save wrote, right after its commit, each on its own claim; a failure leaves that
    row to the delivery sweep's backoff and does not stop the others."""
    for notification_id in notification_ids:
        try:
            delivery.notification_deliver(notification_id=notification_id)
        except Exception:
            logger.warning("Notification %s not delivered now; the sweep retries it", notification_id, exc_info=True)


@shared_task(ignore_result=True)
def outbox_deliver_task(fresh: bool = False) -> int:
    """The delivery sweep; `fresh` also takes rows just written (right after the overdue sweep)."""
    grace = timedelta(0) if fresh else delivery.SWEEP_GRACE
    return delivery.outbox_deliver(grace=grace)


@shared_task(ignore_result=True)
def overdue_sweep_task() -> int:
    result = overdue_sweep()
    if result.notifications:
        outbox_deliver_task.delay(fresh=True)
    return result.flagged + result.escalated


@shared_task(ignore_result=True)
def digests_send_task() -> int:
    sent = digests_send()
    if sent:
        outbox_deliver_task.delay(fresh=True)
    return sent


@shared_task(ignore_result=True)
def messages_route_to_stand_ins_task() -> int:
    return messages_route_to_stand_ins(now=timezone.now())


@shared_task(ignore_result=True)
def messages_anonymise_task() -> int:
    """Hourly: unfinished intake calls expire every hour; messages are anonymised only at night (local
    time). A repeat changes nothing."""
    now = timezone.now()
    drafts_expire(now=now)
    return retention.retention_night_run(now=now)


@shared_task(ignore_result=True)
def statistics_rollup_task() -> int:
    """Every few minutes: rebuild the statistics' days that can still change (callbacks.services.rollups)."""
    return rollups.statistics_rollup_refresh(now=timezone.now())
