"""gunicorn settings for the web process (the Procfile's ``web``), read from the environment.

``PORT`` (8000) on all interfaces; ``WEB_CONCURRENCY`` sync workers (default 2 × cores + 1);
``FORWARDED_ALLOW_IPS``: the proxies whose ``X-Forwarded-*`` headers are trusted (default
127.0.0.1 and ::1; set it to the load balancer's addresses, ``*`` only on a private network);
``GUNICORN_TIMEOUT`` (30 s) for a stuck worker; ``GRACEFUL_TIMEOUT`` (20 s) for requests in
flight after SIGTERM. Logs (access and error) go through the same ``dictConfig`` as Django's
(``LOGGING`` of ``DJANGO_SETTINGS_MODULE``): JSON lines on stdout under config.production.
"""

import importlib
import os
from pathlib import Path

from config.logs import ACCESS_LOG_FORMAT

bind = f"0.0.0.0:{int(os.environ.get('PORT', '8000'))}"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "20"))
keepalive = 5  # behind a load balancer that reuses connections
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "recruitment-web"
# No gunicornc control socket: nothing here uses it, and one per user home would be shared by
# every gunicorn on the machine.
control_socket_disable = True
# Workers' heartbeat files in memory, not on a disk that may stall (containers).
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108

# Method, path without the query string, status and milliseconds: no address, user agent,
# referrer or query string (which may carry personal data).
access_log_format = ACCESS_LOG_FORMAT
logconfig_dict = importlib.import_module(
    os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings")
).LOGGING


def post_worker_init(worker: object) -> None:
    """Import the URLconf (every view, serializer and the API schema's modules: about a second)
    before the worker takes requests, rather than in its first request."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point
