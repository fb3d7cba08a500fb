"""The floor, taking turns: bench/apps/floor.py's page with the atlas's queue around each run
(strategic_sites.core.turns: one run at a time, in the order the sessions came). What the
smallest Streamlit page drawing the same map gets when it serves a burst of readers in arrival
order on the same machine: the floor for ``make readers``' "p50 / worst" (bench/readers.py)."""

import streamlit as st
from benchapp import page

from strategic_sites.core.turns import Turns


@st.cache_resource(show_spinner=False)
def queue() -> Turns:
    return Turns(1)  # one queue for the server, as ui/readers.py's


turns = queue()
if "ticket" not in st.session_state:
    st.session_state["ticket"] = turns.ticket()
with turns.turn(st.session_state["ticket"]):
    page("floor")
