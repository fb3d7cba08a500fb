"""A page that reconnects to a new server runs again from its link.

When the server restarts under a reader (a deploy, a crash, a replica replaced), the browser
reconnects to a new session, which holds nothing of the old one. Streamlit's page then asks for
a run only if it had never run, was running, or has a fragment that reruns on a timer; otherwise
it keeps showing the old session's page, stale, until the reader touches something (its
``handleConnectionStateChanged``, checked by tests/browser/test_faults_browser.py). So every run
declares :func:`timer`, a fragment that draws nothing and reruns rarely: its timer makes the
reconnected page run again at once, from its address, on the new server: the same view, the
server's current data, and the notice when the reader's own points are gone (:mod:`.points`).

That run is the new session's first, but not a visitor's first sight: the page is drawn in the
browser already, with its widgets, so :func:`strategic_sites.ui.speed.first_paint` draws it whole
at once (:func:`page_in_browser`). A first sight there would end with the map alone, the browser
would drop the widgets it held, and draw them again without the link's values.

:func:`page_in_browser` reads what the browser sent with the run from Streamlit's session state
(``SessionState._new_widget_state``, not public): tests/test_reconnect_contract.py holds
Streamlit to it.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

EVERY_S = 3600  # the fragment's own reruns: once an hour per open tab, a run that draws nothing


@st.fragment(run_every=EVERY_S)
def timer() -> None:
    """Nothing to draw: declaring the fragment is what counts (its timer, in the browser)."""


def page_in_browser() -> bool:
    """Whether this run came with the values of widgets the browser already shows: a page that
    was drawn before this session (it reconnected), or a later run. A visitor's first run comes
    with none."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return False
    return bool(ctx.session_state._state._new_widget_state.states)
