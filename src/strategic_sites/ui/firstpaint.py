"""The map first: what a visitor sees first on the map page is the map.

Drawing the sidebar's filters and the table under the map costs the browser more than the
map itself (bench/results.md: about 0.45 s and 0.75 s of its time on a second visit, and
their scripts on a first). So a session's first run of the map page draws only the page's
head and the map, with the view the link asks for; the filters, downloads, site panel,
tables and footer follow in the next run. The drawn map asks for that run: streamlit-folium
reports the map's first view, which reruns the app, so the rest arrives once the map is
there. Should the map never report (its scripts failed), the sidebar has a button that
asks at once. (A timer would ask by itself, but on a machine so busy that maps take longer
than its delay, every session would run the page once more: the rest, then the map's report.)
"""

from __future__ import annotations

import streamlit as st

from strategic_sites.ui import state

MAP_PAGE = ""  # the map page's url_path (the default page)


def first_paint(page_path: str | None = None) -> bool:
    """Whether this run draws the map alone. app.py decides once per run, passing the page's
    url_path: yes for a session's first run when it opens on the map page. A page asks
    without an argument."""
    if page_path is not None:
        st.session_state[state.FIRST_PAINT] = page_path == MAP_PAGE and state.STARTED not in st.session_state
        st.session_state[state.STARTED] = True
    return bool(st.session_state.get(state.FIRST_PAINT))


def rest_follows() -> None:
    """Say in the sidebar that the filters are on their way, with a button that asks for them
    at once (any rerun draws them)."""
    with st.sidebar:
        st.caption("The filters appear once the map has drawn…")
        st.button("Show the filters now", key=state.SHOW_REST, type="tertiary", icon=":material/tune:")
