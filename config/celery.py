"""The Celery app. Tasks carry ids only, never names, numbers or reasons."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("terugbel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
