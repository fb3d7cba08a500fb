"""Sources: the bibliography, with the sites and events each source documents."""

import streamlit as st

from strategic_sites import ui

atlas, view = ui.current()

st.title("Sources")
ui.bibliography(atlas, view)
