"""E-mail backends for the fault tests: ``ScriptedBackend`` fails on cue in this process
(``settings.EMAIL_BACKEND``); ``StuckOnceBackend`` runs in a Celery worker process
(``DJANGO_EMAIL_BACKEND``) and keeps its record in files under ``TEST_MAIL_DIR``."""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class ScriptedBackend(LocmemBackend):
    """Each message is an attempt, recorded in ``attempts`` as (subject, recipients). The
    next error of ``failures`` is raised, else ``refuse``'s error for a recipient; else the
    message goes to ``django.core.mail.outbox`` like the test backend."""

    attempts: ClassVar[list[tuple[str, list[str]]]] = []
    failures: ClassVar[list[BaseException]] = []
    refuse: ClassVar[dict[str, BaseException]] = {}

    @classmethod
    def script(
        cls, failures: Iterable[BaseException] = (), refuse: dict[str, BaseException] | None = None
    ) -> None:
        cls.attempts = []
        cls.failures = list(failures)
        cls.refuse = dict(refuse or {})

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        for message in email_messages:
            recipients = list(message.recipients())
            ScriptedBackend.attempts.append((message.subject, recipients))
            if ScriptedBackend.failures:
                raise ScriptedBackend.failures.pop(0)
            for recipient in recipients:
                if recipient in ScriptedBackend.refuse:
                    raise ScriptedBackend.refuse[recipient]
        return super().send_messages(email_messages)


# --- In a worker process: records in files ---------------------------------------------------

ATTEMPTS = "attempts.jsonl"
DELIVERED = "delivered.jsonl"


def _append(name: str, record: dict[str, Any]) -> int:
    """Append a record to ``TEST_MAIL_DIR/name``; return how many records it holds now."""
    path = Path(os.environ["TEST_MAIL_DIR"]) / name
    with path.open("a+") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        file.write(json.dumps(record) + "\n")
        file.flush()
        file.seek(0)
        return len(file.readlines())


def records(directory: Path, name: str) -> list[dict[str, Any]]:
    path = directory / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


class StuckOnceBackend(BaseEmailBackend):
    """Records every attempt (the process and the time) in ``attempts.jsonl``. The first
    attempt then hangs, like an SMTP server that stopped answering mid-send, for longer than
    any test waits: long enough to kill the worker in it. Later attempts deliver: one record
    each in ``delivered.jsonl``."""

    HANG = 120

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        for message in email_messages:
            attempt = _append(
                ATTEMPTS, {"pid": os.getpid(), "at": time.time(), "subject": message.subject}
            )
            if attempt == 1:
                time.sleep(self.HANG)
            _append(DELIVERED, {"pid": os.getpid(), "subject": message.subject, "to": message.to})
        return len(email_messages)
