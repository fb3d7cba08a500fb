"""Readers served in the order they came: at most a few page runs at once, the rest waiting their turn.

Streamlit runs each session's script in its own thread, under one interpreter: when a shared link
brings 200 readers at once, 200 runs share the interpreter evenly, nobody's map is sent until
nearly everybody's is (bench/results.md, "Many readers at once"), and the server's event loop
gets so little of the interpreter that it answers no WebSocket ping for 20 s and browsers drop.

:class:`Turns` lets ``size`` runs go at once; the others wait (their threads asleep, so the event
loop keeps answering) in the order of their **tickets**. A session takes its ticket on its first run
and keeps it, so a reader's follow-up runs (the map's first report, a filter changed) go ahead of
the first runs of readers who came later: each reader is served to the end, in arrival order.
Equal tickets are served in the order they asked.

A wait is bounded (``patience`` seconds): a run that has waited that long goes anyway, so a stuck
run can slow the others but never stop them.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

RUNS_ENV = "STRATEGIC_SITES_RUNS"  # how many page runs at once (default: RUNS)
RUNS = 2
PATIENCE_S = 120.0


def runs_from_env(default: int = RUNS) -> int:
    """``$STRATEGIC_SITES_RUNS`` as a whole number from 1 up (0: no limit), else ``default``."""
    value = os.environ.get(RUNS_ENV, "").strip()
    return int(value) if value.isdigit() else default


class Turns:
    """At most ``size`` holders at once (0: no limit); waiters served by (ticket, time of asking)."""

    def __init__(self, size: int = RUNS, patience: float = PATIENCE_S):
        self.size = size
        self.patience = patience
        self._tickets = itertools.count(1)
        self._asked = itertools.count()
        self._cond = threading.Condition()
        self._waiting: list[tuple[int, int]] = []
        self._running = 0
        self.served = 0  # runs that had their turn (for the tests and the bench)
        self.waited_out = 0  # runs that went after waiting ``patience`` seconds

    def ticket(self) -> int:
        """A new reader's place in the queue: later readers get higher tickets."""
        return next(self._tickets)

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @contextmanager
    def turn(self, ticket: int) -> Iterator[None]:
        """Hold one of the ``size`` places for the ``with`` block, after every waiter with a lower ticket."""
        if self.size <= 0:
            yield
            return
        entry = (ticket, next(self._asked))
        deadline = time.monotonic() + self.patience
        with self._cond:
            heapq.heappush(self._waiting, entry)
            while self._running >= self.size or self._waiting[0] != entry:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.waited_out += 1
                    break
                self._cond.wait(min(left, 1.0))
            self._waiting.remove(entry)
            heapq.heapify(self._waiting)
            self._running += 1
            self.served += 1
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()
