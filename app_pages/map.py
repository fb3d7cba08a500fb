"""The map page (default, at /): the sites on a map, the selected site, and the tables."""

import streamlit as st

from strategic_sites import ui

atlas, view = ui.current()
f = view.filters

st.title("Strategic Sites Atlas")
st.caption(
    "Russia's strategic sites in and around Central Asia: control status, lease terms and events, "
    "with the source behind every fact."
)
ui.counts(view)

clicked = ui.atlas_map(atlas, view)
if clicked:
    ui.select_site(clicked)
ui.map_download(atlas, view)

ui.site_detail(atlas, view, f.site)
ui.tables_section(atlas, view)
