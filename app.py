"""Strategic Sites Atlas: the entry point. Declares the pages and draws what they share:
the sidebar filters, read from and written back to the URL."""

import streamlit as st

from strategic_sites import ui

st.set_page_config(page_title="Strategic Sites Atlas", page_icon=":material/satellite_alt:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
    ]
)
atlas = ui.atlas()  # validated once, before any page draws
ui.sidebar(atlas)
ui.link_warning()
navigation.run()
ui.sync_url(atlas, ui.filters(), navigation.url_path)
