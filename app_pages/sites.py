"""Sites (/sites): the filterable sites table, and the selected site in full (/sites?site=ID)."""

import streamlit as st

from strategic_sites import ui

atlas, view = ui.current()
f = view.filters

st.title("Sites")
ui.counts(view)
if f.site:
    ui.site_detail(atlas, view, f.site, full=True)
else:
    st.info("Select a row of the table to see the site's history, lease terms, events and sources.", icon=":material/touch_app:")
ui.sites_table(atlas, view)
