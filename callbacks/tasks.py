from celery import shared_task

from callbacks import notifications


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_deliver(notification_id: int) -> None:
    notifications.notification_deliver(notification_id=notification_id)
