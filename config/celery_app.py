"""The Celery application.

Settings are read from Django's settings with the ``CELERY_`` prefix. With no ``REDIS_URL``
the broker is in memory and tasks run eagerly (the embedded default); with ``REDIS_URL`` a
real worker and beat run as separate processes (see README).
"""

import os
from logging.config import dictConfig
from typing import Any

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("recruitment_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs: Any) -> None:
    """The worker and beat log through Django's ``LOGGING`` (JSON lines in production, see
    config/logs.py): with a receiver on this signal Celery installs no handler of its own on
    the root logger and does not redirect stdout, so ``--loglevel`` is not used either."""
    from django.conf import settings

    dictConfig(settings.LOGGING)
