"""Readers served in the order they came: at most a few page runs at once, the rest waiting their turn.

Streamlit runs each session's script in its own thread, under one interpreter: when a shared link
brings 200 readers at once, 200 runs share the interpreter evenly, nobody's map is sent until
nearly everybody's is (bench/results.md, "Many readers at once"), and the server's event loop
gets so little of the interpreter that it answers no WebSocket ping for 20 s and browsers drop.

:class:`Turns` lets ``size`` runs go at once; the others wait (their threads asleep, so the event
loop keeps answering) in the order of their **rank**: the caller's (first sight or not, ticket).
A session takes its ticket on its first run and keeps it. Every reader's first sight (the first
run, which draws the map alone) goes before any reader's follow-up run (the rest of the page that
the drawn map asks for, a filter changed), and each kind goes in arrival order: in a burst, every
reader sees the map in the order they came, then gets the rest of the page in that order. Serving
each reader to the end first was measured worse (bench/results.md, "Many readers at once"): the
early readers' follow-ups held back every later reader's map. Equal ranks go in the order they asked.

A wait is bounded (``patience`` seconds): a run that has waited that long goes anyway, so a stuck
run can slow the others but never stop them.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

RUNS_ENV = "STRATEGIC_SITES_RUNS"  # how many page runs at once (default: RUNS)
RUNS = 1  # measured: with two at once the runs took the interpreter from the event loop (bench/results.md)
PATIENCE_S = 120.0


def runs_from_env(default: int = RUNS) -> int:
    """``$STRATEGIC_SITES_RUNS`` as a whole number from 1 up (0: no limit), else ``default``."""
    value = os.environ.get(RUNS_ENV, "").strip()
    return int(value) if value.isdigit() else default


class Turns:
    """At most ``size`` holders at once (0: no limit); waiters served by (ticket, time of asking).

    Each waiter sleeps on an event of its own, and a run that ends wakes only the waiter whose
    turn it is: 200 waiting threads cost nothing while they wait (with one shared condition,
    every end of a run woke all 200 to look, and they took the interpreter from the runs and
    from the event loop)."""

    def __init__(self, size: int = RUNS, patience: float = PATIENCE_S):
        self.size = size
        self.patience = patience
        self._tickets = itertools.count(1)
        self._asked = itertools.count()
        self._lock = threading.Lock()
        self._waiting: list[tuple[object, int, threading.Event]] = []
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
    def turn(self, rank) -> Iterator[None]:
        """Hold one of the ``size`` places for the ``with`` block, after every waiter of a lower
        ``rank`` (anything ordered: a ticket, or (first sight or not, ticket))."""
        if self.size <= 0:
            yield
            return
        self._wait_for_turn(rank)
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                self._hand_on()

    def _wait_for_turn(self, rank) -> None:
        with self._lock:
            if self._running < self.size and not self._waiting:
                self._running += 1
                self.served += 1
                return
            entry = (rank, next(self._asked), threading.Event())
            heapq.heappush(self._waiting, entry)
            self._hand_on()  # a place may be free for a waiter ahead of this one
        granted = entry[2].wait(self.patience)
        with self._lock:
            if granted or entry[2].is_set():  # counted as running by whoever handed the place on
                self.served += 1
                return
            self._waiting.remove(entry)  # waited its patience out: goes anyway, beside the others
            heapq.heapify(self._waiting)
            self._running += 1
            self.served += 1
            self.waited_out += 1

    def _hand_on(self) -> None:
        """Wake the waiters whose turn it is, as many as there are free places (the lock is held)."""
        while self._waiting and self._running < self.size:
            _, _, event = heapq.heappop(self._waiting)
            self._running += 1
            event.set()
