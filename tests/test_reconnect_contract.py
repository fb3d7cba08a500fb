"""Streamlit's private session state as ui/reconnect.py reads it: a run tells whether the
browser sent the values of widgets it already shows (a page that reconnected to a new session
is drawn whole at once, not as a first sight). The browser side is in
tests/browser/test_faults_browser.py (a server restarted under a reader)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

SCRIPT = """
import streamlit as st
from strategic_sites.ui.reconnect import page_in_browser
st.session_state.setdefault("seen", []).append(page_in_browser())
st.checkbox("a widget", key="box")
"""


def test_a_first_run_comes_with_no_widget_values_and_a_run_of_a_drawn_page_with_them():
    app = AppTest.from_string(SCRIPT)
    app.run()
    app.run()  # the browser now shows the checkbox, and sends its value with the run
    assert not app.exception, app.exception
    assert app.session_state["seen"] == [False, True]


def test_outside_a_run_nothing_is_in_a_browser():
    from strategic_sites.ui.reconnect import page_in_browser

    assert page_in_browser() is False
