"""Data API: every view as GeoJSON, JSON and CSV, with live links for the view in the sidebar."""

import streamlit as st

from strategic_sites import ui

atlas, view = ui.current()

st.title("Data API")
ui.data_api(atlas, view)
