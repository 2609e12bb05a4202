"""Production settings: everything in ``config.settings`` plus what a deployment must have.

Use with ``DJANGO_SETTINGS_MODULE=config.production``. Nothing secret has a default here:
a missing ``DJANGO_SECRET_KEY``, ``DATABASE_URL`` or ``REDIS_URL`` stops the process at start.
"""

from config.settings import *  # noqa: F403
from config.settings import env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: ImproperlyConfigured when unset
