"""The bench apps (floor, naive, fast): the atlas, the one filter, and how each draws its map.

Each bench app is a three-line Streamlit script run as ``streamlit run bench/apps/<name>.py``
from the project root, so it reads the project's ``.streamlit/config.toml`` like the dashboard.
``bench/apps/static`` is a symlink to the project's ``static/``: Streamlit serves the
``static/`` folder beside the main script (resolving symlinks), so the map's iframe finds the
same vendored files at ``../../app/static/vendor/`` as the dashboard's.

The filter, "Country": All, or KGZ. KGZ keeps the sites whose host country is KGZ, and the
events at one of those sites or whose ``countries`` list KGZ.

:func:`build` is also what bench/run.py times in-process as the "server build" (with
``fmap.get_root().render()``): it draws no Streamlit element.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import folium
import folium.plugins

from strategic_sites import load_atlas

ROOT = Path(__file__).resolve().parents[2]
HEIGHT = 640  # as the dashboard's map
VARIANTS = ("floor", "naive", "fast")

# The bench apps' own list of the vendored files they load (not the dashboard's
# assets.localize, which is under test and may drop what these apps need): Leaflet; jQuery,
# which folium's Popup uses (naive only); Leaflet.markercluster (naive, fast). The component's
# iframe finds Streamlit's static folder at this relative prefix.
PREFIX = "../../app/static/vendor/"
LEAFLET_JS = ("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
LEAFLET_CSS = ("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")
JQUERY = ("jquery", "https://code.jquery.com/jquery-3.7.1.min.js")
VENDORED = {
    LEAFLET_JS[1]: "leaflet@1.9.3/leaflet.js",
    LEAFLET_CSS[1]: "leaflet@1.9.3/leaflet.css",
    JQUERY[1]: "jquery@3.7.1/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": "leaflet.markercluster@1.1.0/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": "leaflet.markercluster@1.1.0/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": "leaflet.markercluster@1.1.0/MarkerCluster.Default.css",
}


def _elements(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _elements(child)


def localize(fmap: folium.Map) -> None:
    """Load only what the map needs, from static/vendor/."""
    items = list(_elements(fmap))
    popups = any(isinstance(item, folium.Popup) for item in items)
    fmap.default_js = [LEAFLET_JS, JQUERY] if popups else [LEAFLET_JS]
    fmap.default_css = [LEAFLET_CSS]
    for item in items:
        for attr in ("default_js", "default_css"):
            links = getattr(item, attr, None) or []
            setattr(item, attr, [(name, PREFIX + VENDORED[url]) for name, url in links])


def kgz(data):
    """The sites and events the KGZ choice keeps."""
    sites = data.sites[data.sites["country"] == "KGZ"]
    ids = set(sites["id"])
    events = data.events[data.events["site_id"].isin(ids) | data.events["country_list"].map(lambda codes: "KGZ" in codes)]
    return sites, events


def build(variant: str, data, sites, events) -> folium.Map:
    """The map of one bench app: a map fitted to all the sites (the same view whatever the
    filter, no tiles), the chosen sites as CircleMarkers, and the events as the variant draws them."""
    fmap = folium.Map(tiles=None, maxZoom=18)  # no tile layer to set it, and marker clusters need one
    west, south, east, north = data.sites.total_bounds
    fmap.fit_bounds([[south - 1, west - 1], [north + 1, east + 1]])
    for site in sites.itertuples():
        folium.CircleMarker([site.geometry.y, site.geometry.x], radius=8, color="#253447", fill=True, fill_opacity=0.9).add_to(fmap)
    if variant == "naive":  # one Marker with a Popup per event, in a MarkerCluster
        cluster = folium.plugins.MarkerCluster().add_to(fmap)
        for event in events.itertuples():
            popup = folium.Popup(f"<b>{escape(str(event.title))}</b><br>{escape(str(event.date))}", max_width=300)
            folium.Marker([event.geometry.y, event.geometry.x], popup=popup).add_to(cluster)
    elif variant == "fast":  # the events' points as one array, clustered in the browser
        # Leaflet's default marker, as naive's: folium's default callback needs the
        # awesome-markers plugin, which the atlas does not vendor.
        callback = "function (row) { return L.marker(new L.LatLng(row[0], row[1])); }"
        folium.plugins.FastMarkerCluster([[point.y, point.x] for point in events.geometry], callback=callback).add_to(fmap)
    elif variant != "floor":
        raise ValueError(f"unknown bench app {variant!r}")
    localize(fmap)
    return fmap


def page(variant: str) -> None:
    """The whole Streamlit page of a bench app."""
    import streamlit as st
    from streamlit_folium import st_folium

    @st.cache_resource(show_spinner=False)
    def atlas(folder: str):
        return load_atlas(folder)

    st.set_page_config(page_title=f"bench: {variant}", layout="wide")
    data = atlas(os.environ.get("STRATEGIC_SITES_DATA") or str(ROOT / "geodata"))
    choice = st.radio("Country", ["All", "KGZ"], horizontal=True)
    sites, events = kgz(data) if choice == "KGZ" else (data.sites, data.events)
    if variant == "floor":
        events = events.iloc[:0]
    st_folium(build(variant, data, sites, events), key="map", returned_objects=[], height=HEIGHT, use_container_width=True)
