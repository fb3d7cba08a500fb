"""About: what the atlas covers, how facts are sourced, licences, and how to contribute."""

import streamlit as st

from strategic_sites import ui

atlas, view = ui.current()

st.title("About the atlas")
ui.about(atlas)
ui.grade_exceptions(atlas)
ui.data_changes(atlas)
