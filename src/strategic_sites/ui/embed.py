"""An embedded page (``embed=true``, as the "Embed this view" snippet writes it): the linked
view's map alone, with a link that opens the same view in the full atlas; its size comes from
``h=`` (embed only, not one of the atlas's view parameters, read by
:func:`strategic_sites.view.urlstate.embed_height`). Like the full page, it names each part of
its link it cannot use (the URL is read by :func:`strategic_sites.ui.sidebar.read_link`, as
for every page).
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from strategic_sites.data.atlas import Atlas
from strategic_sites.outputs import export
from strategic_sites.ui import state
from strategic_sites.ui.links import share_link
from strategic_sites.ui.loading import prepare
from strategic_sites.ui.map_widget import atlas_map
from strategic_sites.ui.publish import embed_height
from strategic_sites.ui.sidebar import link_warning, read_link
from strategic_sites.ui.widgets import md
from strategic_sites.view.filters import View
from strategic_sites.view.urlstate import Known


def embedded_map(atlas: Atlas, view: View, open_link: str, height: int) -> None:
    """An embedded page: the map of the linked view, ``height`` px high, and a link to open it
    in the atlas."""
    st.html(
        "<style>[data-testid='stMainBlockContainer']{padding:0 !important}"
        "[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl']{display:none !important}</style>"
    )
    atlas_map(atlas, view, height=height)
    st.markdown(
        f"[Open in the atlas ↗]({open_link.replace('(', '%28').replace(')', '%29')}) · {md(export.describe(atlas, view)[0])}",
        help="The full atlas, on this view: filters, tables, history and sources.",
    )


def embedded_view(atlas: Atlas) -> None:
    """The whole of an embedded page: the link's view (read from the URL, no widgets), the
    warning naming the parts of the link it cannot use (as on the full page, until a click on
    the map changes the view), its map, and the link that opens it in the atlas."""
    known = Known.of(atlas)
    height, height_warnings = embed_height()
    read_link(known, tuple(height_warnings))
    filters = st.session_state[state.URL_SEEDED]
    if state.SITE in st.session_state:  # a site clicked on the embedded map
        filters = replace(filters, site=st.session_state[state.SITE])
    if state.MAP_AT in st.session_state:  # the embedded map moved (its "open in the atlas" link follows)
        filters = replace(filters, at=st.session_state[state.MAP_AT])
    st.session_state[state.FILTERS] = filters  # the view the link warning compares with the link's
    shown, view = prepare(atlas, filters)
    link_warning(atlas)
    embedded_map(shown, view, share_link(filters, known), height)
