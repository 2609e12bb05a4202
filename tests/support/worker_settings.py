"""Settings of the Celery worker processes that tests/kernel/test_task_faults.py starts: the
service's own (``config.settings``, from the environment the test gives), except that the
worker looks for unacknowledged tasks past their visibility timeout every second instead of
about every 100 s (kombu: ``unacked_restore_interval`` 10 s x ``unacked_restore_throttle``
10), so that a short ``CELERY_VISIBILITY_TIMEOUT`` shows within the test's time."""

from config.settings import *  # noqa: F403
from config.settings import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
