"""The memory every session's own points may take on this server, all sessions together.

Reading an upload costs up to :data:`READING_FACTOR` times the file's size for a moment, and the
points kept afterwards about twice the file (``bench/results.md``, "Uploads"). A few readers
uploading large files at once could exhaust a small server, so each upload first reserves what
reading it may cost; when the reservations and the points already held would pass the budget,
the upload is refused with one message and nothing is read. Once read, the reservation shrinks
to what the points hold, until the session drops them (a new file, "Remove your points", or the
session's end: they are released when the points are garbage).

The budget is :data:`DEFAULT_MIB` MiB, or ``$STRATEGIC_SITES_UPLOADS_MIB``.
"""

from __future__ import annotations

import os
import threading
import weakref
from contextlib import contextmanager

MIB = 1 << 20
DEFAULT_MIB = 1024
ENV = "STRATEGIC_SITES_UPLOADS_MIB"
READING_FACTOR = 4  # an upload's peak while it is read, as a multiple of its size (measured: bench/uploads.py)


class Budget:
    """Bytes held for keys (an upload being read, or a session's points), never more than ``total``
    together. Thread-safe: every session's script runs in its own thread."""

    def __init__(self, total: int):
        self.total = total
        self._held: dict[object, int] = {}
        self._kept: set[object] = set()  # keys that outlive their reading: held for points
        self._lock = threading.Lock()

    @property
    def used(self) -> int:
        with self._lock:
            return sum(self._held.values())

    def reserve(self, key: object, size: int) -> bool:
        """Hold ``size`` bytes for ``key`` (instead of what it held) if they fit; whether they did."""
        with self._lock:
            others = sum(size for held, size in self._held.items() if held != key)
            if others + size > self.total:
                return False
            self._held[key] = size
            return True

    def release(self, key: object) -> None:
        with self._lock:
            self._held.pop(key, None)

    @contextmanager
    def reading(self, size: int):
        """While an upload of ``size`` bytes is read: a key holding :data:`READING_FACTOR` times it,
        or None when that does not fit. The key is released at the end unless :meth:`keep` took it."""
        key = object()
        admitted = self.reserve(key, READING_FACTOR * size)
        try:
            yield key if admitted else None
        finally:
            with self._lock:
                if key not in self._kept:
                    self._held.pop(key, None)

    def keep(self, key: object, owner: object, size: int) -> None:
        """Hold ``size`` bytes (at most what ``key`` reserved) for as long as ``owner`` lives."""
        with self._lock:
            self._held[key] = min(size, self._held.get(key, size))
            self._kept.add(key)
        weakref.finalize(owner, self._forget, key)

    def _forget(self, key: object) -> None:
        with self._lock:
            self._kept.discard(key)
            self._held.pop(key, None)


def from_environment() -> Budget:
    """The server's budget: ``$STRATEGIC_SITES_UPLOADS_MIB`` MiB when it is a whole number, else the default."""
    raw = os.environ.get(ENV, "").strip()
    mib = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 7 else DEFAULT_MIB
    return Budget(mib * MIB)
