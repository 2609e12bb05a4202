"""Test settings: the same as production but faster where speed does not change behaviour."""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

STATIC_ROOT = None  # type: ignore[assignment]  # whitenoise then scans no folder
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Hashed storage needs collectstatic; tests serve the source files (with hashed names the
# live server's pages come out unstyled).
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# What anyone may ask is throttled per client IP an hour; the tests come from one address, and
# the throttle's own tests set a low limit and an address of their own.
REGISTRATION_LIMIT = 10_000
PASSWORD_RESET_LIMIT = 10_000
BEFORE_APPLYING_LIMIT = 10_000
