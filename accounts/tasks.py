from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(ignore_result=True)
def sessions_clear_expired_task() -> None:
    """Drop expired login sessions; the same as `manage.py clearsessions`, safe to run twice."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
