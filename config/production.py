"""Production settings: everything in ``config.settings`` plus what a deployment must have.

Use with ``DJANGO_SETTINGS_MODULE=config.production``. Nothing has a default that would do
in production: a missing ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DATABASE_URL`` or
``REDIS_URL`` stops the process at start with an ``ImproperlyConfigured`` naming the variable,
and so does the embedded mode's insecure key. TLS ends at the load balancer, which tells the
service the scheme in ``X-Forwarded-Proto``; everything else is HTTPS-only (secure cookies,
HSTS, a redirect from plain HTTP except for the health check). ``manage.py check --deploy``
is clean with these settings (tests/accounts/test_web_security.py).
"""

from django.core.exceptions import ImproperlyConfigured

from config.logs import logging_config
from config.settings import *  # noqa: F403
from config.settings import INSECURE_DEFAULT_SECRET_KEY, LOG_LEVEL, env


def required(name: str) -> str:
    """An environment variable that must be set and not blank."""
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable (production settings).")
    return value


DEBUG = False

SECRET_KEY = required("DJANGO_SECRET_KEY")
if SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or SECRET_KEY.startswith(
    ("insecure-", "django-insecure-")
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is the insecure local key: set a long random secret in production."
    )
ALLOWED_HOSTS = [h.strip() for h in required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
# config.settings read these already; here they may not fall back to SQLite or eager tasks.
required("DATABASE_URL")
required("REDIS_URL")

# --- HTTPS ----------------------------------------------------------------------------------

#: TLS ends at the load balancer: trust its X-Forwarded-Proto (it must overwrite the header).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
#: The load balancer's health check calls /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# Cookies only over HTTPS. HttpOnly, SameSite, nosniff, the referrer and opener policies and
# X-Frame-Options hold in every mode (config/settings.py, Security).
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# --- Messages -------------------------------------------------------------------------------

if MESSAGE_CHANNEL not in ("smtp", "notify"):  # noqa: F405
    raise ImproperlyConfigured("MESSAGE_CHANNEL is smtp or notify.")
if MESSAGE_CHANNEL == "notify":  # noqa: F405
    required("NOTIFY_API_KEY")
    required("NOTIFY_TEMPLATE_ID")

# --- Accounts ---------------------------------------------------------------------------------

#: Staff with a local password use a second factor (README "Signing in"); STAFF_SECOND_FACTOR
#: can turn it off only where single sign-on is the only way in.
STAFF_SECOND_FACTOR = env.bool("STAFF_SECOND_FACTOR", default=True)

# --- Logging ----------------------------------------------------------------------------------

#: One JSON object a line on stdout unless DJANGO_LOG_FORMAT=plain (config/logs.py).
LOGGING = logging_config(env.str("DJANGO_LOG_FORMAT", default="json"), level=LOG_LEVEL)
