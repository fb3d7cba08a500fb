"""Strategic Sites Atlas: the entry point. Declares the pages and draws what they share:
the sidebar filters, read from and written back to the URL, and the one filtered view."""

import sys
from pathlib import Path

import streamlit as st

# Deployments that install only requirements.txt (Streamlit Community Cloud, the Dockerfile)
# import the atlas's own code from src/ beside this file.
SRC = str(Path(__file__).resolve().parent / "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)

from strategic_sites import ui  # noqa: E402

# Readers take turns (a few runs at once, in the order they came: ui/readers.py), so a burst of
# readers is served one after another and the server keeps answering the others' pings.
with ui.reader_turn():
    st.set_page_config(page_title="Strategic Sites Atlas", page_icon=":material/satellite_alt:", layout="wide")

    navigation = st.navigation(
        [
            st.Page(page.script, title=page.title, icon=page.icon, **({"url_path": page.path} if page.path else {"default": True}))
            for page in ui.PAGES  # their paths are the links' (strategic_sites.view.links)
        ]
    )
    atlas = ui.atlas()  # validated once, before any page draws
    ui.page_style()  # a phone shows the map first; print leaves out the sidebar and buttons
    ui.page_drawn(navigation.url_path)  # which page this run draws, and the last run drew (the map's frame is kept across pages)
    if ui.embedded():  # in another web page (the "Embed this view" snippet): the linked view's map alone
        ui.embedded_view(atlas)
        st.stop()
    if ui.first_paint(navigation.url_path):
        # A visitor's first run of the map page draws the map alone, with the link's view: the
        # filters, tables and the rest cost the browser more than the map, and follow in the
        # next run, which the drawn map asks for (ui/speed.py).
        ui.prepare(atlas, ui.sidebar_filters(atlas))
        ui.rest_follows()
        navigation.run()  # the map page stops after its map
        st.stop()
    top = st.sidebar.container()  # the skip links and "Share this view": first in the sidebar, drawn last
    ui.go_to_site(atlas)  # any name of a site opens its page (below, once the filters are read)
    filters_place = st.sidebar.container()  # the filters' widgets: drawn here after the page (below)
    filters = ui.sidebar_filters(atlas)  # the widgets' values, read before they are drawn
    ui.points_uploader(atlas)  # the user's own points: this session only
    ui.prepare(atlas, filters)  # the one filtering of this run, shared by the page
    ui.link_warning(atlas)
    ui.points_gone_notice()  # the address says the tab held the user's own points, and this session has none
    ui.open_found_site()
    navigation.run()
    # After the page: the browser, which redraws everything a rerun sends in order, gets the
    # changed map before the unchanged widgets.
    ui.filter_widgets(atlas, filters_place)
    ui.footer(atlas)
    ui.skip_links(top, navigation.url_path)
    ui.sync_url(atlas, filters, navigation.url_path, top)
    ui.rerun_on_reconnect()  # a page that reconnects to a restarted server runs again from its link (ui/reconnect.py)
