"""Thin Celery tasks over telephony's services, named `<thing>_task` (beat schedule: config/settings/services.py)."""

from celery import shared_task
from django.utils import timezone

from telephony.services.events import calls_unfinished_close
from telephony.services.retention import phone_events_expire


@shared_task(ignore_result=True)
def unfinished_calls_task() -> int:
    """Every 5 minutes: close calls whose hangup never came (a missed incoming one is filed)."""
    return calls_unfinished_close(now=timezone.now())


@shared_task(ignore_result=True)
def phone_events_expire_task() -> int:
    """Hourly: the call log's raw events and numbers past the retention period. A repeat changes nothing."""
    events, calls = phone_events_expire(now=timezone.now())
    return events + calls
