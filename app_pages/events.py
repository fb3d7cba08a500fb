"""Events: what happened at the sites shown, in the chosen years, and according to whom."""

import streamlit as st

from strategic_sites import ui

atlas, view = ui.current()
f = view.filters

st.title("Events")
st.caption(f"{len(view.events)} events from {f.year_from} to {f.year_to} at or about the sites shown; set the years in the sidebar.")
ui.events_chart(view)
ui.events_table(atlas, view)
