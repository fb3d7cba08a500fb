"""Sites (/sites): the filterable sites table, and the selected site in full (/sites?site=ID)."""

import streamlit as st

from strategic_sites import ui

atlas, view = ui.current()

st.title("Sites")
ui.counts(view)
ui.site_detail(
    atlas,
    view,
    full=True,
    prompt="Select a row of the table to see the site's history, lease terms, events and sources.",
)
ui.sites_table(atlas, view)
