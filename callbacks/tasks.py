"""Thin Celery tasks over service functions. Messages carry ids only, never caller data."""

from celery import shared_task
from django.utils import timezone

from callbacks import notifications, services


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_deliver(notification_id: int) -> None:
    notifications.notification_deliver(notification_id=notification_id)


@shared_task(ignore_result=True)
def digests_send() -> int:
    return services.digests_send()


@shared_task(ignore_result=True)
def messages_route_to_stand_ins() -> int:
    return services.messages_route_to_stand_ins(now=timezone.now())
