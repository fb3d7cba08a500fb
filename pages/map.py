"""The map page (default, at /): the sites on a map, the selected site, and the tables."""

import streamlit as st

from strategic_sites import ui
from strategic_sites.filters import apply

atlas = ui.atlas()
view = apply(atlas, ui.filters())
f = view.filters

st.title("Strategic Sites Atlas")
st.caption(
    "Russia's strategic sites in and around Central Asia: control status, lease terms and events, "
    "with the source behind every fact."
)
counts = st.columns(3)
counts[0].metric("Sites shown", view.counts["sites"])
counts[1].metric(f"Events {f.year_from}–{f.year_to}", view.counts["events"])
counts[2].metric(f"Leases in force on {f.asof:%d %b %Y}", view.counts["leases"])

clicked = ui.atlas_map(atlas, view)
if clicked:
    ui.select_site(clicked)

ui.site_detail(atlas, view, f.site)
ui.tables_section(atlas, view)
