"""Events: what happened at the sites shown, in the chosen years, and according to whom."""

import streamlit as st

from strategic_sites import ui

atlas, view = ui.current()

st.title("Events")
ui.events_summary(view)
ui.events_chart(view)
ui.events_table(atlas, view)
