"""Log formats: plain text for the embedded default, JSON lines on stdout in production.

One ``dictConfig`` (``logging_config``) serves every process: Django (``LOGGING`` in the
settings), gunicorn (``config/gunicorn.py`` passes the same dict as ``logconfig_dict``) and
Celery's worker and beat (``config/celery_app.py`` keeps Celery from installing its own
handlers). ``DJANGO_LOG_FORMAT`` chooses ``json`` or ``plain``.

A JSON line has ``timestamp`` (ISO 8601, UTC), ``level``, ``logger`` and ``message``; a
request adds ``method``, ``path`` (never the query string), ``status`` and ``duration_ms``; a
Celery task line adds the task's ``task`` name and ``task_id``; under honcho, ``process`` is the
Procfile process (``web.1``). Nothing else on a record leaves: no request body, header, query
string, remote address, user agent, nor a task's arguments or return value.
"""

import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
#: gunicorn's access line: method, path without the query string, status, milliseconds.
ACCESS_LOG_FORMAT = "%(m)s %(U)s %(s)s %(M)sms"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def request_fields(record: logging.LogRecord) -> dict[str, Any]:
    """method, path, status and duration of a request record, from gunicorn's access log or
    Django's request loggers; nothing else of the request."""
    if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
        atoms = record.args
        duration_us = _int(atoms.get("D"))
        return {
            "method": atoms.get("m"),
            "path": atoms.get("U"),
            "status": _int(atoms.get("s")),
            "duration_ms": None if duration_us is None else round(duration_us / 1000, 1),
        }
    fields: dict[str, Any] = {}
    status = _int(getattr(record, "status_code", None))
    if status is not None:
        fields["status"] = status
    request = getattr(record, "request", None)
    # django.request passes the HttpRequest; runserver's django.server passes a socket.
    if isinstance(getattr(request, "method", None), str):
        fields["method"] = request.method  # type: ignore[union-attr]
        fields["path"] = getattr(request, "path", None)
    return fields


def task_fields(record: logging.LogRecord) -> dict[str, Any]:
    """A Celery task's name and id (Celery puts args and return value beside them: not kept)."""
    data = getattr(record, "data", None)
    if not isinstance(data, Mapping) or "id" not in data:
        return {}
    return {"task": data.get("name"), "task_id": data.get("id")}


class JsonFormatter(_JsonFormatter):
    """One JSON object a line, with only the fields listed in the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Python warnings (a library's UserWarning) go through logging too, so they come out
        # as JSON lines rather than raw text on stderr; Django does not do this by itself.
        logging.captureWarnings(True)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        log_data["timestamp"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(
            timespec="milliseconds"
        )
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        # format() sets record.message; a dict logged as the message gives "" (not its keys).
        log_data["message"] = record.message
        if process := os.environ.get("HONCHO_PROCESS_NAME"):
            log_data["process"] = process
        log_data.update(request_fields(record))
        log_data.update(task_fields(record))
        for key in ("exc_info", "stack_info"):
            if message_dict.get(key):
                log_data[key] = message_dict[key]


def logging_config(log_format: str, level: str = "INFO") -> dict[str, Any]:
    """The ``dictConfig`` for ``DJANGO_LOG_FORMAT`` (``json`` or ``plain``): one handler on
    stdout for the root logger, which Django's, gunicorn's and Celery's loggers reach."""
    if log_format not in ("json", "plain"):
        raise ValueError(f"DJANGO_LOG_FORMAT must be 'json' or 'plain', not {log_format!r}")
    stdout = {
        "class": "logging.StreamHandler",
        "formatter": log_format,
        "stream": "ext://sys.stdout",
    }
    # gunicorn's own loggers get the handler directly (gunicorn sets propagate on them).
    gunicorn = {"handlers": ["stdout"], "level": "INFO", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": PLAIN_FORMAT},
            "json": {"()": "config.logs.JsonFormatter"},
        },
        "handlers": {"stdout": stdout},
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Django's default "django" handler prints only with DEBUG; everything goes to
            # the root handler instead.
            "django": {"handlers": [], "level": level, "propagate": True},
            "gunicorn.error": gunicorn,
            "gunicorn.access": gunicorn,
            # WeasyPrint tells every step of every PDF at INFO: only its warnings matter.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }
