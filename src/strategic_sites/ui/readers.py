"""Readers served in the order they came (:mod:`strategic_sites.core.turns`): the page's run waits
for its turn, so that a burst of readers is served one reader after another, each to the end,
rather than all at once and all late; and the server's event loop keeps answering pings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from strategic_sites.core.turns import Turns, runs_from_env

TURNS = Turns(runs_from_env())  # one queue for the server process: every session's runs
TICKET = "_reader_ticket"  # the session's place in the queue, taken on its first run


@contextmanager
def reader_turn() -> Iterator[None]:
    """Run the ``with`` block in this session's turn (its ticket from its first run)."""
    ticket = st.session_state.get(TICKET)
    if ticket is None:
        ticket = st.session_state[TICKET] = TURNS.ticket()
    with TURNS.turn(ticket):
        yield
