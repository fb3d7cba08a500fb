"""The map first: what a visitor sees first on the map page is the map.

Drawing the sidebar's filters and the table under the map costs the browser more than the
map itself (bench/results.md: about 0.45 s and 0.75 s of its time on a second visit, and
their scripts on a first). So a session's first run of the map page draws only the page's
head and the map, with the view the link asks for; the filters, downloads, site panel,
tables and footer follow in the next run. The drawn map asks for that run: streamlit-folium
reports the map's first view, which reruns the app, so the rest arrives once the map is
there. Should the map never report (its scripts failed), a timer asks after
:data:`FALLBACK_S` seconds, so the page always completes.
"""

from __future__ import annotations

import streamlit as st

from strategic_sites.ui import state

MAP_PAGE = ""  # the map page's url_path (the default page)
FALLBACK_S = 3.0  # seconds after which the rest is asked for when the map has not asked


def first_paint(page_path: str | None = None) -> bool:
    """Whether this run draws the map alone. app.py decides once per run, passing the page's
    url_path: yes for a session's first run when it opens on the map page. A page asks
    without an argument."""
    if page_path is not None:
        st.session_state[state.FIRST_PAINT] = page_path == MAP_PAGE and state.STARTED not in st.session_state
        st.session_state[state.STARTED] = True
    return bool(st.session_state.get(state.FIRST_PAINT))


def rest_follows() -> None:
    """Say in the sidebar that the filters are on their way, and ask for them after
    :data:`FALLBACK_S` seconds should the map not have asked already."""
    st.sidebar.caption("The filters appear once the map has drawn…")
    st.session_state[state.FALLBACK_TICKS] = 0
    _fallback()


@st.fragment(run_every=FALLBACK_S)
def _fallback() -> None:
    # Called once with the first run, then by its timer until a full run leaves it out.
    ticks = st.session_state.get(state.FALLBACK_TICKS, 0)
    st.session_state[state.FALLBACK_TICKS] = ticks + 1
    if ticks:  # the timer's call: the map has not asked for the rest, so ask now
        st.rerun(scope="app")
