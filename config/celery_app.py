"""The Celery application.

Settings are read from Django's settings with the ``CELERY_`` prefix. With no ``REDIS_URL``
the broker is in memory and tasks run eagerly (the embedded default); with ``REDIS_URL`` a
real worker and beat run as separate processes (see README).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("recruitment_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
