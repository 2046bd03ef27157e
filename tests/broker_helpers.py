"""Point Celery at a real Redis for one test and back to the eager test settings afterwards."""

from contextlib import contextmanager

from django.conf import settings

from config.celery import app as celery_app

QUICK_TIMEOUTS = {"socket_timeout": 2, "socket_connect_timeout": 1}


def reset_broker_pools() -> None:
    """Connections and producers cached for the previous broker URL must not be reused."""
    from kombu import pools

    pools.reset()  # kombu's process-wide producer pools, keyed by broker URL
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def celery_publishing_to(redis_url: str, transport_options: dict | None = None):
    """Celery publishes for real (not eagerly) to this Redis, with these transport options."""
    celery_app.conf.update(
        broker_url=redis_url, task_always_eager=False, broker_transport_options=transport_options or QUICK_TIMEOUTS
    )
    reset_broker_pools()
    try:
        yield
    finally:
        celery_app.conf.update(
            broker_url=settings.CELERY_BROKER_URL,
            task_always_eager=True,
            broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        )
        reset_broker_pools()
