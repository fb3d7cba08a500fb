""""Go to site": any name of a site (Tyuratam, Байконур, Kurgan-Tyube, Priozyorsk, "Kant airbase",
a misspelling) or the lake or region it is at opens the best hit's page, /sites?site=ID, with the
filters as they are."""

from __future__ import annotations

import streamlit as st

from strategic_sites.view import search
from strategic_sites.data.atlas import Atlas
from strategic_sites.ui import state
from strategic_sites.ui.widgets import md

SITES_PAGE = "app_pages/sites.py"
HELP = (
    "Any name of a site: English or Russian, a former name (Leninsk), a local or transliterated one "
    "(Байқоңыр, Kurgan-Tyube, Priozyorsk), a designation (NIIP-5), or a near spelling; words such as "
    "“air base” or “полигон” may come with it. The lake, region or district a site is at finds it too "
    "(Issyk-Kul), after the sites named so. Press Enter to open the best match's page."
)


def _jump(data: Atlas) -> None:
    """On Enter: select the best hit and leave for its page, or remember what found nothing."""
    query = st.session_state.get(state.GO_TO, "").strip()
    hits = search.finder(data).find(query) if query else []
    st.session_state[state.GO_TO] = ""  # coming back to any page must not jump again
    if hits:
        st.session_state[state.SITE] = hits[0].site_id
        st.session_state[state.GO_TO_RESULT] = ("jump", query)
    elif query:
        st.session_state[state.GO_TO_RESULT] = ("none", query)


def go_to_site(data: Atlas) -> None:
    """The sidebar's "Go to site" box (the page opens in :func:`open_found_site`)."""
    with st.sidebar:
        st.text_input("Go to site", key=state.GO_TO, placeholder="Tyuratam, Байконур, Kurgan-Tyube…", help=HELP,
                      on_change=_jump, args=(data,), icon=":material/travel_explore:")  # fmt: skip
        result = st.session_state.get(state.GO_TO_RESULT)
        if result and result[0] == "none":
            st.caption(f"No site is called “{md(result[1])}”, or anything close to it.")
            del st.session_state[state.GO_TO_RESULT]


def open_found_site() -> None:
    """The site "Go to site" found, on its page. Called once the sidebar's filters are drawn,
    so that leaving this run early loses none of them."""
    result = st.session_state.pop(state.GO_TO_RESULT, None)
    if result and result[0] == "jump":
        st.switch_page(SITES_PAGE)
