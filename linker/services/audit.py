"""The audit trail: one entry per decision on a host operation or an HTTP request.

`AuditLog` keeps the latest `capacity` entries in memory and, given a path, appends every
entry to it as one JSON object per line (JSON Lines), flushed as it is written. Subjects and
details are cut to `MAX_TEXT` characters.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from pathlib import Path
from typing import Literal, TextIO

import attrs

from linker.errors import WitlinkError

DEFAULT_CAPACITY = 10_000
MAX_TEXT = 500
"""Characters kept of a subject or detail (a guest chooses them: they must not grow the log)."""
Kind = Literal["operation", "http"]


@attrs.frozen
class AuditEntry:
    time: float
    """Seconds since the epoch."""
    extension: str
    """The extension whose request was decided."""
    chain: tuple[str, ...]
    """Extensions on whose behalf it ran (outermost first), through cross-extension calls."""
    kind: Kind
    subject: str
    """The operation's method, or the URL's `host:port` (the URL itself if it was refused
    before it could be parsed)."""
    outcome: str
    """`allowed`, `denied`, `rate-limited`, `not-found`, `invalid`, `failed`, `timeout`
    or `too-large`."""
    detail: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "time": self.time,
            "extension": self.extension,
            "chain": list(self.chain),
            "kind": self.kind,
            "subject": self.subject,
            "outcome": self.outcome,
            "detail": self.detail,
        }


class AuditLog:
    """Thread-safe; bounded in memory; optionally mirrored to a JSON Lines file."""

    def __init__(self, path: Path | None = None, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: deque[AuditEntry] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._file = path.open("a", encoding="utf-8")
            except OSError as err:
                raise WitlinkError(
                    f"cannot open the audit log {path}: {err.strerror}; pass a writable path"
                ) from None

    def record(
        self,
        extension: str,
        chain: tuple[str, ...],
        kind: Kind,
        subject: str,
        outcome: str,
        detail: str | None = None,
    ) -> None:
        entry = AuditEntry(
            time.time(),
            extension,
            chain,
            kind,
            _clip(subject),
            outcome,
            _clip(detail) if detail is not None else None,
        )
        with self._lock:
            self._entries.append(entry)
            if self._file is not None:
                self._file.write(json.dumps(entry.to_json()) + "\n")
                self._file.flush()

    def entries(self) -> list[AuditEntry]:
        """The entries kept in memory, oldest first."""
        with self._lock:
            return list(self._entries)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
            self._file = None


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "..."
