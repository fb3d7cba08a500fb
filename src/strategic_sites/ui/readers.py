"""Readers served in the order they came (:mod:`strategic_sites.core.turns`): the page's run waits
for its turn, so that a burst of readers sees the map one reader after another, then gets the
rest of the page in the same order, rather than all at once and all late; and the server's event
loop keeps answering pings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from strategic_sites.core.turns import Turns, runs_from_env

TURNS = Turns(runs_from_env())  # one queue for the server process: every session's runs
TICKET = "_reader_ticket"  # the session's place in the queue, taken on its first run


@contextmanager
def reader_turn() -> Iterator[None]:
    """Run the ``with`` block in this session's turn: a session's first run (its first sight of
    the page) ranks before any follow-up run, each in the order the sessions came."""
    ticket = st.session_state.get(TICKET)
    first = ticket is None
    if first:
        ticket = st.session_state[TICKET] = TURNS.ticket()
    with TURNS.turn((0 if first else 1, ticket)):
        yield
