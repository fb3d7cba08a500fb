"""The memory all sessions' own points may take together: an upload that would pass it is refused
before it is read, and what the points held comes back when a session drops them."""

from __future__ import annotations

import gc
import threading

from strategic_sites.uploads import budget
from strategic_sites.uploads.budget import MIB, READING_FACTOR, Budget


class Points:
    """Stands for a session's points: what the budget's holding lives as long as."""


def test_an_upload_reserves_its_reading_then_holds_what_its_points_keep_until_they_are_dropped():
    shared = Budget(100 * MIB)
    with shared.reading(10 * MIB) as key:
        assert key is not None and shared.used == READING_FACTOR * 10 * MIB
        points = Points()
        shared.keep(key, points, 15 * MIB)
    assert shared.used == 15 * MIB  # the points, kept after the reading
    with shared.reading(5 * MIB) as refused_key:
        assert refused_key is not None  # 15 + 20 fits in 100
    assert shared.used == 15 * MIB  # a reading that kept nothing gives everything back
    del points
    gc.collect()
    assert shared.used == 0  # the session dropped its points: the server has the memory back


def test_an_upload_that_would_pass_the_budget_is_refused_and_others_keep_theirs():
    shared = Budget(100 * MIB)
    with shared.reading(20 * MIB) as first:
        kept = Points()
        shared.keep(first, kept, 60 * MIB)
    with shared.reading(11 * MIB) as second:  # 4 x 11 = 44 MiB: 104 with the 60 held
        assert second is None
    assert shared.used == 60 * MIB
    with shared.reading(10 * MIB) as third:  # 40: just fits
        assert third is not None


def test_a_points_holding_never_exceeds_what_its_reading_reserved():
    shared = Budget(100 * MIB)
    with shared.reading(10 * MIB) as key:
        points = Points()
        shared.keep(key, points, 90 * MIB)
    assert shared.used == READING_FACTOR * 10 * MIB


def test_readers_at_once_never_pass_the_budget_together():
    shared, admitted, peak = Budget(100 * MIB), [], []
    go, held = threading.Barrier(8), threading.Barrier(8)  # all start together; all hold until all have asked

    def upload():
        go.wait()
        with shared.reading(10 * MIB) as key:
            admitted.append(key is not None)
            peak.append(shared.used)
            held.wait()

    threads = [threading.Thread(target=upload) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert admitted.count(True) == 2  # 2 x 40 MiB fit in 100; the other six are told the server is busy
    assert max(peak) <= 100 * MIB and shared.used == 0


def test_the_budget_comes_from_the_environment_when_it_is_a_whole_number(monkeypatch):
    monkeypatch.setenv(budget.ENV, "64")
    assert budget.from_environment().total == 64 * MIB
    for bad in ("", "lots", "²", "-5", "9" * 5000):
        monkeypatch.setenv(budget.ENV, bad)
        assert budget.from_environment().total == budget.DEFAULT_MIB * MIB
