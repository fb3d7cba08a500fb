"""The session's state and every widget key, named once.

Streamlit keeps a widget's value in ``st.session_state`` under the widget's key, so a key is
both a name in the page (``.st-key-<key>`` in the browser, ``key=`` in AppTest) and a slot
of state. Here are all of them, and the few functions that change the selected site.
"""

from __future__ import annotations

import hashlib

import streamlit as st

# --- the filters' widgets (their values make the Filters of a run) ------------------------------
ASOF = "f_asof"
QUERY = "f_q"
LANG = "f_lang"
PERIOD = "f_period"  # the events' years, (from, to)
VS = "f_vs"  # the date the as-of date is compared with (None: no comparison)


def choice_key(choice) -> str:
    """The widget key of a registered filter (strategic_sites.view.filters.CHOICES): ``f_country``."""
    return f"f_{choice.param}"

# --- the rest of the view, set by clicks rather than by the sidebar ------------------------------
SITE = "site"  # the selected site's id ("" for none)
LAYERS = "layers"  # the map's overlays switched on

# --- what a run leaves for the rest of the run and the next ones ---------------------------------
FILTERS = "_filters"  # the Filters of this run, as the sidebar read them
CURRENT = "_current"  # (atlas in the chosen language, filtered view) of this run
URL_SEEDED = "url_seeded"  # the Filters the opened link asked for (set once per session)
URL_WARNINGS = "url_warnings"  # what the opened link asked for and did not get
URL_DATA = "url_data"  # the data version the opened link was made with (None: it names none)
MAP_BOUNDS = "map_bounds"  # the map's first frame in this session (the sites' bounds, or the link's map=): its base map
MAP_AT = "map_at"  # where the user moved the map, (lat, lon, zoom), or None: fitted to the sites (the link's map=)
MAP_PICKED = "_map_picked"  # the site last selected by a click on the map (the map is not moved to it)
MAP_SEEN_SITE = "_map_seen_site"  # the selected site when the map was last drawn (a new one from elsewhere moves the map once)
MAP_CENTRED = "_map_centred"  # how many times the map was moved to a selected site
PAGE_NOW = "_page_now"  # the url_path of the page this run draws
PAGE_BEFORE = "_page_before"  # the url_path of the page the run before drew (None: this session's first run)
HANDLED_LAYERS = "_handled_layers"  # the map's last overlay report already acted on
HANDLED_CLICK = "_handled_click"  # the map's last click already acted on
PICKED = "_picked"  # per table or chart, the last site it picked
POINTS = "_points"  # the user's own points (ui.points.Points), this session only
UPLOAD_READ = "_upload_read"  # what the last file read gave (an uploads.Upload)
UPLOADS = "_uploads"  # how many files were read: the uploader's key, new (and empty) after each
POINTS_GONE = "_points_gone"  # how many points the opened address said its tab held, while this session holds none
MAP_ARGS = "_map_args"  # (key, the map's arguments) when the map holds the user's points
MAP_SENT = "_map_sent"  # the overlays the map was last sent (a rerun that changes them gives the map a head start)
STARTED = "_started"  # the session has run the app before (ui.speed)
FIRST_PAINT = "_first_paint"  # this run draws the map page's head and map alone (ui.speed)
TABLE_SHOWN = "table_shown"  # which table's tab is open under the map: sites, events, leases, points

# --- keys of other widgets and containers --------------------------------------------------------
RESET = "reset-filters"
EMBED_HEIGHT = "embed-height"
VIEW_DESCRIPTION = "view-description"
COUNTS = "counts"
STRAPLINE = "strapline"
SHOW_REST = "show-filters"  # the first paint's button that asks for the rest at once (ui.speed)
GO_TO = "go-to-site"
GO_TO_RESULT = "_go_to_result"  # ("jump" or "none", the query) of the last Enter in GO_TO
MAP = "atlas-map"
MAP_HTML = "map-html"
IMAGE_MENU = "map-image"  # the "Download image" menu; its buttons map-image-png, -svg, -pdf
GIS_MENU = "map-gis"  # the "Download for GIS" menu; its buttons map-gis-gpkg, -kml, -kmz
SITE_DETAIL = "site-detail"
CLOSE_SITE = "close-site"
SITE_MAP = "site-map"
SITE_TIMELINE = "site-timeline"
TABLE_TABS = "table-tabs"
SITES_TABLE = "sites-table"
CHANGES_TABLE = "changes-table"
EVENTS_TABLE = "events-table"
LEASES_TABLE = "leases-table"
TIMELINE_CHART = "timeline-chart"
EVENTS_CHART = "events-chart"
ALL_SOURCES = "all-sources"
SOURCES_TABLE = "sources-table"
UPLOADER = "points-upload"
POINTS_GONE_BOX = "points-gone"  # the notice that the tab's points are not in this session
HIDE_POINTS_GONE = "hide-points-gone"
REMOVE_POINTS = "remove-points"
REJECTS_CSV = "rejects-csv"
POINTS_TABLE = "points-table"


def download(table: str, kind: str) -> str:
    """The key of a table's download button, e.g. ``sites-table-csv``."""
    return f"{table}-{kind}"


def changing(key: str, *parts) -> str:
    """``key`` with a short fingerprint of ``parts``: a new widget whenever they change."""
    return f"{key}-{hashlib.sha1(repr(parts).encode('utf-8')).hexdigest()[:10]}"


def select_site(site_id: str) -> None:
    """Select a site (map click, table row, chart): it goes into the URL and the detail panel."""
    if site_id and site_id != st.session_state.get(SITE):
        st.session_state[SITE] = site_id
        st.rerun()


def close_site() -> None:
    """No site selected any more."""
    st.session_state[SITE] = ""
    st.rerun()


def pick_site(source: str, site_id: str | None) -> None:
    """Select the site a widget (``source``) reports as picked, once per new pick: a
    selection that stays in the widget does not re-select a site the user has closed."""
    handled = st.session_state.setdefault(PICKED, {})
    if site_id and site_id != handled.get(source):
        handled[source] = site_id
        select_site(site_id)
    elif not site_id:
        handled.pop(source, None)
