"""Timeline: control periods and lease terms of every site shown, with events and the as-of date."""

import streamlit as st

from strategic_sites import ui

atlas, view = ui.current()

st.title("Timeline")
st.caption(
    "Thick bars: who controlled each site when, coloured as on the map, each starting with its status's shape "
    "(as on the map's markers). Thin bars: lease agreements, "
    "shaded by years left on the as-of date (grey: not the lease in force then). Diamonds: events in the "
    "chosen years; dashed outlines mark disputed or unconfirmed facts. The dashed rule is the as-of date "
    "(and, when comparing, the pink rule the other date). Hover for details; click a bar to select its site; "
    "scroll or drag to zoom and pan the years."
)
ui.timeline(atlas, view)
ui.changes_section(atlas, view)  # Compare mode only: what changed between the two dates
ui.site_detail(atlas, view)  # the selected site, if any
