"""Strategic Sites Atlas: the entry point. Declares the pages and what they share."""

import streamlit as st

from strategic_sites import ui

st.set_page_config(page_title="Strategic Sites Atlas", page_icon=":material/satellite_alt:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
    ]
)
ui.atlas()  # validate the data once, before any page draws
navigation.run()
