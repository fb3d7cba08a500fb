"""The map page (default, at /): the sites on a map, and the selected site below it."""

import streamlit as st

from strategic_sites import ui
from strategic_sites.filters import apply

atlas = ui.atlas()
filters = ui.sidebar(atlas)
view = apply(atlas, filters)

st.title("Strategic Sites Atlas")
st.caption(
    "Russia's strategic sites in and around Central Asia: control status, lease terms and events, "
    "with the source behind every fact."
)
counts = st.columns(3)
counts[0].metric("Sites shown", view.counts["sites"])
counts[1].metric(f"Events {filters.year_from}–{filters.year_to}", view.counts["events"])
counts[2].metric(f"Leases in force on {filters.asof:%d %b %Y}", view.counts["leases"])

clicked = ui.atlas_map(atlas, view)
if clicked:
    st.session_state["site"] = clicked

ui.site_detail(atlas, view, st.session_state.get("site", ""))
