"""One pause of the garbage collector (core/gcpause.py): off while the atlas loads or its map data is
written, and on again afterwards, however the pauses of a server's threads overlap."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest

from strategic_sites.core.gcpause import paused_gc

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_the_atlas_loads_with_the_collector_paused_and_leaves_it_running(monkeypatch):
    from strategic_sites import load_atlas
    from strategic_sites.data import atlas as data

    seen, load = [], data._load
    monkeypatch.setattr(data, "_load", lambda folder: seen.append(gc.isenabled()) or load(folder))
    load_atlas(ROOT / "geodata")
    assert seen == [False] and gc.isenabled()


def test_overlapping_pauses_resume_when_the_last_one_ends():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    states = {}

    def first():
        with paused_gc():
            first_in.set()
            second_in.wait(5)
        states["after first"] = gc.isenabled()
        first_out.set()

    def second():
        first_in.wait(5)
        with paused_gc():
            second_in.set()
            first_out.wait(5)
            states["inside second, first done"] = gc.isenabled()
        states["after both"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert states == {"after first": False, "inside second, first done": False, "after both": True}


def test_a_collector_turned_off_before_stays_off_and_an_error_still_resumes_it():
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()
    gc.enable()
    with pytest.raises(ValueError), paused_gc():
        with paused_gc():
            raise ValueError("in the block")
    assert gc.isenabled()
