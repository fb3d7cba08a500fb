"""Readers take turns (core/turns.py): a few runs at once, the rest served in the order their
readers came (first sights before follow-ups), and no wait without end."""

from __future__ import annotations

import threading
import time

import pytest

from strategic_sites.core.turns import RUNS, RUNS_ENV, Turns, runs_from_env


def hold(turns: Turns, ticket: int, log: list, started: threading.Event | None = None, release: threading.Event | None = None):
    with turns.turn(ticket):
        log.append(ticket)
        if started:
            started.set()
        if release:
            release.wait(10)


def waiting_for(turns: Turns, count: int) -> None:
    """Until ``count`` runs wait (bounded: the test fails rather than hangs)."""
    for _ in range(500):
        if turns.waiting == count:
            return
        time.sleep(0.01)
    raise AssertionError(f"{turns.waiting} waiting, not {count}")


def test_runs_beyond_the_limit_wait_and_go_in_ticket_order():
    turns = Turns(size=1)
    log: list[int] = []
    first_in, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold, args=(turns, 1, log, first_in, release))
    holder.start()
    first_in.wait(5)
    # Readers 5, 3, 4, 2 ask while reader 1 runs: they are served 2, 3, 4, 5.
    waiters = []
    for ticket in (5, 3, 4, 2):
        thread = threading.Thread(target=hold, args=(turns, ticket, log))
        thread.start()
        waiters.append(thread)
        waiting_for(turns, len(waiters))
    assert turns.running == 1 and log == [1]
    release.set()
    for thread in [holder, *waiters]:
        thread.join(10)
    assert log == [1, 2, 3, 4, 5]
    assert turns.running == 0 and turns.waiting == 0 and turns.served == 5


def test_first_sights_go_before_follow_ups_each_in_arrival_order():
    """As ui/readers.py ranks runs: (0, ticket) for a session's first run, (1, ticket) after."""
    turns = Turns(size=1)
    early, late = turns.ticket(), turns.ticket()
    log: list = []
    first_in, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold, args=(turns, (0, early), log, first_in, release))
    holder.start()
    first_in.wait(5)
    waiters = []
    for rank in ((1, early), (0, late), (1, late)):  # the early reader's follow-up asks first
        thread = threading.Thread(target=hold, args=(turns, rank, log))
        thread.start()
        waiters.append(thread)
        waiting_for(turns, len(waiters))
    release.set()
    for thread in (holder, *waiters):
        thread.join(10)
    assert log == [(0, early), (0, late), (1, early), (1, late)]


def test_as_many_runs_as_the_size_go_at_once():
    turns = Turns(size=2)
    log: list[int] = []
    release = threading.Event()
    threads = [threading.Thread(target=hold, args=(turns, t, log, None, release)) for t in (1, 2, 3)]
    for thread in threads:
        thread.start()
    waiting_for(turns, 1)
    assert turns.running == 2 and sorted(log) == [1, 2]
    release.set()
    for thread in threads:
        thread.join(10)
    assert sorted(log) == [1, 2, 3]


def test_a_run_that_waited_its_patience_goes_anyway():
    turns = Turns(size=1, patience=0.2)
    log: list[int] = []
    first_in, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold, args=(turns, 1, log, first_in, release))
    holder.start()
    first_in.wait(5)
    hold(turns, 2, log)  # waits 0.2 s for the stuck run, then runs beside it
    assert log == [1, 2] and turns.waited_out == 1
    release.set()
    holder.join(10)


def test_an_error_in_a_run_gives_its_turn_back():
    turns = Turns(size=1)
    with pytest.raises(RuntimeError), turns.turn(1):
        raise RuntimeError("a bug in a page")
    assert turns.running == 0
    with turns.turn(2):
        assert turns.running == 1


def test_size_zero_means_no_limit_and_the_size_comes_from_the_environment(monkeypatch):
    turns = Turns(size=0)
    with turns.turn(1), turns.turn(2):
        assert turns.running == 0  # not counted: no queue at all
    monkeypatch.setenv(RUNS_ENV, "4")
    assert runs_from_env() == 4
    monkeypatch.setenv(RUNS_ENV, "many")
    assert runs_from_env() == RUNS
