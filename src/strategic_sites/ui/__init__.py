"""The dashboard's Streamlit code, the only code of the atlas that imports Streamlit.

The pages (``app_pages/``) and ``app.py`` call what is imported here; each part of the page
lives in its own module:

- :mod:`.loading`: the atlas, loaded once per data version (the last good one when the data
  folder breaks), localised, and the one filtered view of each run (:func:`current`);
- :mod:`.speed`: what makes the map fast (the first paint, the head start, the cache levels),
  each with what it buys, measured;
- :mod:`.folium_bridge`: streamlit-folium's private surface, the only code that reaches past
  ``st_folium``;
- :mod:`.data_api`: the Data API page (every endpoint, with live links for the view);
- :mod:`.goto`: "Go to site", which opens a site's page from any of its names;
- :mod:`.sidebar`: the filters, read from and written back to the URL, the warning about a
  link's unusable parts, and the share link;
- :mod:`.map_widget`: the map, its click and its HTML download;
- :mod:`.points`: the user's own points (the uploader, their overlay and table, and the notice
  when a tab's points are gone with its session);
- :mod:`.readers`: readers take turns (one page run at a time, in the order they came);
- :mod:`.reconnect`: a page that reconnects to a restarted server runs again from its link;
- :mod:`.site`: the selected site's panel;
- :mod:`.cite`: "Cite this view" (below "Share this view") and "Cite this site" or one of its
  facts (in the site panel);
- :mod:`.tables`: the sites, events and leases tables and the bibliography, with downloads;
- :mod:`.charts`: the counts, the timeline and the events chart;
- :mod:`.publish`: the embed snippet, the page's CSS for phones and print, and the line that
  describes a view; :mod:`.embed`: the embedded page;
- :mod:`.links`: the atlas's links as this session reached it;
- :mod:`.pages_text`: the About text (``about.md``) and other page text, with figures from
  the data;
- :mod:`.state`: every session-state and widget key, and the selection of a site;
- :mod:`.warmup`: what ``serve.py`` does before the server takes visitors (not imported here);
- :mod:`.widgets`: markdown escaping and download buttons, shared by the others.
"""

from strategic_sites.ui.charts import counts, events_chart, timeline
from strategic_sites.ui.speed import first_paint, rest_follows
from strategic_sites.ui.goto import go_to_site, open_found_site
from strategic_sites.ui.loading import DATA_ENV, atlas, current, data_folder, prepare
from strategic_sites.ui.map_widget import MAP_HEIGHT, MAP_KEY, RETURNED, atlas_map, folium_args, map_download
from strategic_sites.ui.pages_text import about, data_changes, events_summary, grade_exceptions
from strategic_sites.ui.points import gone_notice as points_gone_notice
from strategic_sites.ui.points import uploader as points_uploader
from strategic_sites.ui.data_api import data_api
from strategic_sites.ui.embed import embedded_view
from strategic_sites.ui.links import share_link
from strategic_sites.view.links import PAGES
from strategic_sites.ui.publish import embedded, page_style, view_description
from strategic_sites.ui.readers import reader_turn
from strategic_sites.ui.reconnect import timer as rerun_on_reconnect
from strategic_sites.ui.sidebar import filter_widgets, footer, link_warning, page_drawn, sidebar_filters, skip_links, sync_url
from strategic_sites.ui.site import site_detail
from strategic_sites.ui.state import select_site
from strategic_sites.ui.tables import bibliography, changes_section, events_table, leases_table, sites_table, tables_section
from strategic_sites.ui.widgets import anchor, md

__all__ = [
    "data_api",
    "PAGES",
    "anchor",
    "skip_links",
    "page_drawn",
    "DATA_ENV",
    "MAP_HEIGHT",
    "MAP_KEY",
    "RETURNED",
    "about",
    "atlas",
    "atlas_map",
    "bibliography",
    "changes_section",
    "counts",
    "current",
    "data_changes",
    "grade_exceptions",
    "embedded",
    "embedded_view",
    "data_folder",
    "events_chart",
    "events_summary",
    "events_table",
    "first_paint",
    "folium_args",
    "footer",
    "go_to_site",
    "leases_table",
    "link_warning",
    "map_download",
    "md",
    "open_found_site",
    "page_style",
    "reader_turn",
    "points_uploader",
    "points_gone_notice",
    "rerun_on_reconnect",
    "prepare",
    "rest_follows",
    "select_site",
    "share_link",
    "sidebar_filters",
    "filter_widgets",
    "site_detail",
    "sites_table",
    "sync_url",
    "tables_section",
    "timeline",
    "view_description",
]
