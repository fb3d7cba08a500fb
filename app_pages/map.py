"""The map page (default, at /): the sites on a map, the selected site, and the tables."""

import streamlit as st

from strategic_sites import ui

atlas, view = ui.current()

st.title("Strategic Sites Atlas")
with st.container(key="strapline"):
    st.caption(
        "Russia's strategic sites in and around Central Asia: control status, lease terms and events, "
        "with the source behind every fact."
    )
ui.counts(view)
ui.view_description(atlas, view)  # the view in words (its counts are above): on screen and on paper
ui.anchor("map")  # "Skip to the map"
ui.atlas_map(atlas, view)  # a click on a site selects it
if ui.first_paint():  # a visitor's first sight: the map alone; the rest follows (app.py)
    st.stop()
ui.map_download(atlas, view)
ui.changes_section(atlas, view)  # Compare mode only: what changed between the two dates
ui.site_detail(atlas, view, prompt="Click a site on the map to see its history, lease terms, events and sources here.")
ui.anchor("tables")  # "Skip to the tables"
ui.tables_section(atlas, view)
