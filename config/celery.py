"""The portal's Celery application.

Broker and result backend come from settings (``CELERY_*``): Redis when ``REDIS_URL`` is set,
otherwise kombu's filesystem transport under ``var/celery`` so that a worker and beat run as
real, separate processes on a machine with no services at all.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
