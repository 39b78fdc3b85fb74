"""The full engine log of a run, kept in the city's folder, with every secret value masked.

One file per stack and run, `<city>/.aicommons/logs/<UTC timestamp>-<stack>.log`, JSON Lines:
each engine event as the SDK parsed it, and each line the `pulumi` CLI printed.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from aicommons.deploy.events import OnEvent, event_dict

MASK = "[secret]"
MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words; such a secret is no secret


class Redactor:
    """Replaces every known secret value (and its JSON-escaped form) with [secret]."""

    def __init__(self, secrets: Iterable[str | None] = ()):
        values: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET_LENGTH:
                values |= {secret, json.dumps(secret)[1:-1]}
        self._values = sorted(values, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, MASK)
        return text


def run_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


class EngineLog:
    """Append-only JSON Lines log of one stack's engine run."""

    def __init__(self, folder: Path, stack: str, stamp: str, redact: Redactor):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{stamp}-{stack}.log"
        self._redact = redact
        self._lock = threading.Lock()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._file: IO[str] = os.fdopen(fd, "a", encoding="utf-8", buffering=1)

    def write(self, operation: str, **fields: Any) -> None:
        line = json.dumps(
            {"at": datetime.now(UTC).isoformat(), "operation": operation, **fields}, default=str
        )
        with self._lock:
            if not self._file.closed:
                self._file.write(self._redact(line) + "\n")

    def on_event(self, operation: str) -> OnEvent:
        return lambda event: self.write(operation, event=event_dict(event))

    def on_output(self, operation: str):  # -> OnOutput
        return lambda text: self.write(operation, output=text)

    def close(self) -> None:
        with self._lock:
            self._file.close()

    def __enter__(self) -> EngineLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
