"""The map: its data, published once per atlas and language, the layers of each view, the
streamlit-folium widget (whose arguments are worked out once per view, on a base map kept for
every view: :mod:`.speed` says what each cache buys), what a click on it selects, and the map as
a self-contained HTML download. streamlit-folium's private calls are in :mod:`.folium_bridge`."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import streamlit as st

from strategic_sites.map import layers, mapdata, published
from strategic_sites.outputs import tables
from strategic_sites.view import urlstate
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.filters import LAYERS, Filters, View
from strategic_sites.ui import folium_bridge, speed, state
from strategic_sites.ui.speed import head_start
from strategic_sites.ui.points import current as current_points
from strategic_sites.ui.points import map_points
from strategic_sites.ui.links import share_link
from strategic_sites.ui.widgets import md
from strategic_sites.view.urlstate import Known

MAP_KEY = state.MAP
MAP_HEIGHT = 620  # px: with the page's head, the whole map is in sight at 1440 × 900 (page.css)
RETURNED = ("last_active_drawing", "last_object_clicked", "last_object_clicked_count", "selected_layers")


@speed.MAP_FILES
def _map_sources(data: Atlas) -> tuple[dict, str]:
    """Where the map's heavy data comes from for this atlas and language: files written once
    and fetched by the browser, or (when they cannot be written) the data inline."""
    try:
        return published.map_sources(data), ""
    except published.NotPublished as exc:
        return layers.inline_sources(data), str(exc)


def map_sources(data: Atlas) -> dict:
    """The map's data for this atlas and language (see :func:`_map_sources`)."""
    return _map_sources(data)[0]


@speed.VIEW_LAYERS
def _view_data(data: Atlas, shaping: Filters, _view: View) -> dict:
    """What a view's layers hold; cached on the atlas and the filters that shape the layers
    (``shaping``: the view's filters without the selected site and the layers shown)."""
    return mapdata.view_data(data, _view)


def map_parts(data: Atlas, view: View, bounds=None, points: tuple | None = None, base=None, at=None) -> layers.AtlasMap:
    """The composed map of this view, from the cached sources and view data, with the
    user's own points when there are some (``points``: see :func:`.points.map_points`) and
    on the constant ``base`` when one is kept (see :func:`_base`)."""
    sources, problem = _map_sources(data)
    if problem:
        st.caption(f"The map's data is sent with the page ({md(problem)}); it works, but more slowly.")

    vdata = _view_data(data, mapdata.data_filters(view), view)
    if points is None:
        return layers.compose(data, view, sources, data=vdata, bounds=bounds, base=base, at=at)
    _, bundle, shown = points
    return layers.compose(data, view, {**sources, "points": bundle}, data=vdata, bounds=bounds, points=shown, at=at)


def overlay_args(parts: layers.AtlasMap) -> dict:
    """The component's arguments that the view decides (its overlays, their control and links),
    hung on ``parts.base`` and taken off it again (:func:`.folium_bridge.overlay_args`)."""
    return folium_bridge.overlay_args(parts.base, parts.groups, parts.control)


def folium_args(
    parts: layers.AtlasMap, height: int = MAP_HEIGHT, width=None, returned=RETURNED, key: str = MAP_KEY
) -> dict:
    """The arguments ``st_folium`` would send for this map, worked out once so that a rerun
    with the same view sends them without rendering the map again (tests/test_map_widget.py
    checks them against streamlit-folium's own for the atlas's maps, tests/test_folium_bridge.py
    for small maps)."""
    return folium_bridge.folium_args(
        parts.base, parts.groups, parts.control, height=height, width=width, returned=tuple(returned), key=key
    )


@dataclass
class _Base:
    """A constant base map kept for every view drawn on it, its part of the arguments, and
    the lock that lets one view at a time hang its overlays on it."""

    fmap: object
    args: dict
    lock: threading.Lock


@speed.KEPT_BASE
def _base(data: Atlas, frame: tuple, height: int) -> _Base:
    """The base map of this atlas and first frame (:func:`_first_frame`), composed and
    rendered once: a new view then costs only its overlays."""
    sources, _ = _map_sources(data)
    bounds, at = _frame_parts(frame)
    fmap = layers.base_map(sources, bounds, at=at)
    args = folium_bridge.base_args(fmap, height=height, width="stretch", returned=RETURNED, key=MAP_KEY)
    return _Base(fmap, args, threading.Lock())


def _frame_parts(frame: tuple) -> tuple[list[list[float]], tuple | None]:
    """A first frame as the base map takes it: bounds to fit, or the link's (lat, lon, zoom)."""
    if len(frame) == 3:
        lat, lon, _ = frame
        return [[lat, lon], [lat, lon]], frame
    return [list(frame[0]), list(frame[1])], None


@speed.MAP_ARGS
def _map_args(data: Atlas, shaping: Filters, visible: tuple, frame: tuple, height: int, _view: View) -> dict:
    """The map component's arguments, on the atlas, the shaping filters, the layers shown,
    the first frame and the height: everything that changes them. Shared by every session."""
    base = _base(data, frame, height)
    with base.lock:
        parts = map_parts(data, _view, _frame_parts(frame)[0], base=base.fmap)
        return {**base.args, **overlay_args(parts)}


def _args_with_points(data: Atlas, view: View, frame: tuple, points: tuple, height: int = MAP_HEIGHT) -> dict:
    """The map's arguments with the user's points: kept in this session only (one entry,
    dropped with the session), since a shared cache would hold every visitor's uploads, up to
    tens of megabytes each, until evicted."""
    key = (data.key, mapdata.data_filters(view), tuple(view.filters.layers), frame, points[0], points[2]["bits"], height)
    held = st.session_state.get(state.MAP_ARGS)
    if held is None or held[0] != key:
        bounds, at = _frame_parts(frame)
        parts = map_parts(data, view, bounds, points, at=at)
        held = (key, folium_args(parts, height=height, width="stretch"))
        st.session_state[state.MAP_ARGS] = held
    return held[1]


def _first_frame(view: View) -> tuple:
    """The map's first frame: where the link put it (map=: lat, lon, zoom), or the bounds of
    the view's sites, which the map then fits in its real shape."""
    if view.filters.at is not None:
        return tuple(view.filters.at)
    return tuple(tuple(c) for c in layers.bounds_of(view.sites, pad=0))


def prepare_map(data: Atlas, view: View, height: int = MAP_HEIGHT) -> None:
    """Work out the map of ``view`` as a visitor's first sight of it draws it, into the cache
    every session shares (the server's warm-up, :mod:`.warmup`)."""
    _map_args(data, mapdata.data_filters(view), tuple(view.filters.layers), _first_frame(view), height, view)


def atlas_map(data: Atlas, view: View, height: int = MAP_HEIGHT) -> None:
    """Draw the map; a click on a site selects it.

    The map's arguments are cached on the view: a rerun that changes nothing on the map
    costs no rendering, and one that changes the filters sends only the new layers."""
    # The base map of the frame the map was mounted with stays: later filter changes update the
    # layers, and the map fits them in the browser (or, once the user has moved it, stays). A map
    # drawn anew (the session's first, or back from another page) opens where the view says.
    if state.MAP_BOUNDS not in st.session_state or st.session_state.get(state.PAGE_BEFORE) != st.session_state.get(state.PAGE_NOW):
        st.session_state[state.MAP_BOUNDS] = _first_frame(view)
    frame = st.session_state[state.MAP_BOUNDS]
    _republish_if_gone(data)
    mine = map_points(data, view)
    if mine is None:
        args = _map_args(data, mapdata.data_filters(view), tuple(view.filters.layers), frame, height, view)
    else:
        args = _args_with_points(data, view, frame, mine, height)
    result = folium_bridge.draw(args, center=_centre(data, view))
    head_start(args, _pause)
    _follow_layers(result.get("selected_layers"))
    _follow_frame(result.get("selected_layers"), view)
    clicked = _clicked_site(result)
    if clicked:
        st.session_state[state.MAP_PICKED] = clicked
        state.select_site(clicked)


def _republish_if_gone(data: Atlas) -> None:
    """The map's data files deleted while serving (a wiped static/ folder): written again in the
    background, and the browser, which retries a file that is not there yet, draws the map once
    they are. Three file stats a run (:func:`published.missing`)."""
    sources, problem = _map_sources(data)
    if problem or not published.missing(sources):
        return
    try:
        published.map_sources(data)
    except published.NotPublished as exc:
        st.caption(f"The map's data files are gone and cannot be written again ({md(str(exc))}).")


def _centre(data: Atlas, view: View):
    """Where the map moves to show the selected site: once, in the run where a site is newly
    selected elsewhere (a table, the timeline, the search), while the user has the map somewhere
    of their own (a map fitted to the view's sites shows them all). Not for a site clicked on the
    map (it is in sight, and moving the map would move its open popup), nor for the site a link
    names (the link's frame, or the fitted one, shows it). streamlit-folium moves the map when
    the centre it is given differs from the last one: each move is a hair apart (1e-9°)."""
    site = view.filters.site
    before = st.session_state.get(state.MAP_SEEN_SITE, site)
    st.session_state[state.MAP_SEEN_SITE] = site
    if not site or site == before or view.filters.at is None or site == st.session_state.get(state.MAP_PICKED):
        return None
    selected = data.site(site)
    if selected is None:
        return None
    moves = st.session_state[state.MAP_CENTRED] = st.session_state.get(state.MAP_CENTRED, 0) + 1
    return (selected.geometry.y + moves * 1e-9, selected.geometry.x)


def _follow_frame(selected, view: View) -> None:
    """Where the map says it is becomes the view's ``map=``: None when it is fitted to the
    sites, else the centre and zoom the user left it at (a rerun writes it to the URL)."""
    said = layers.frame_reported(selected)
    if said is None:
        return
    at = None if said == layers.FITTED else urlstate.read_map(said)[0]
    if said != layers.FITTED and at is None:
        return  # not a frame: nothing to follow
    if at != st.session_state.get(state.MAP_AT, view.filters.at):
        st.session_state[state.MAP_AT] = at
        st.rerun()


_pause = time.sleep  # the head start's wait (:func:`.speed.head_start`; tests count the pauses)


def _follow_layers(selected) -> None:
    """The overlays the user switched in the map's layer control become the view's layers."""
    reported = layers.overlays_reported(selected)
    ticks = [item for item in selected or () if not (isinstance(item, dict) and item.get("name") == layers.FRAME_REPORT)]
    if reported is not None and ticks != st.session_state.get(state.HANDLED_LAYERS):
        st.session_state[state.HANDLED_LAYERS] = ticks  # the report of the ticks alone (moves change the rest)
        if reported != tuple(st.session_state.get(state.LAYERS, LAYERS)):
            st.session_state[state.LAYERS] = reported
            st.rerun()


def _clicked_site(result: dict) -> str | None:
    """The site the user just clicked, if the map reports a click not yet acted on."""
    # The click count makes a second click on the same marker (after closing it) a new click.
    click = result.get("last_object_clicked"), result.get("last_object_clicked_count")
    if click == st.session_state.get(state.HANDLED_CLICK) or click[0] is None:
        return None
    st.session_state[state.HANDLED_CLICK] = click
    return layers.clicked_site(result.get("last_active_drawing"))


def map_download(data: Atlas, view: View) -> None:
    """"Download map (HTML)": this view as one self-contained file that opens with no network;
    "Download image" (PNG, SVG, PDF); "Download for GIS" (GeoPackage, KML, KMZ: :mod:`strategic_sites.outputs.gis`)."""
    from strategic_sites.outputs import export, gis, image
    from strategic_sites.ui import points

    link = share_link(view.filters, Known.of(data))
    mine = current_points()
    row = st.container(horizontal=True)
    row.download_button(
        "Download map (HTML)",
        data=lambda: export.export_view(data, view, link, points=mine.frame if mine else None),  # built on click
        file_name=tables.download_name("map", view.filters, "html"),
        mime="text/html",
        icon=":material/download:",
        on_click="ignore",
        key=state.MAP_HTML,
        help="The map as it is now (layers, filters, date, legend, popups and sources) in one HTML file "
        "that opens by double-click in any browser, with no internet access.",
    )
    with row.popover("Download image", icon=":material/image:", key=state.IMAGE_MENU):
        st.caption(
            "A static map of this view for an article, a report or a slide: the sites, lease areas and the "
            "period's events, labelled, with a title, legend, scale bar and credit line."
        )
        shown = points.shown(mine, view) if mine else None
        for fmt, label in (("png", f"PNG ({image.PNG_PIXELS[0]} × {image.PNG_PIXELS[1]} px)"), ("svg", "SVG (vector)"), ("pdf", "PDF (vector)")):
            st.download_button(
                label,
                data=lambda fmt=fmt: image.render(data, view, fmt, link, shown),  # drawn on click
                file_name=tables.download_name("map", view.filters, fmt),
                mime=image.FORMATS[fmt],
                icon=":material/download:",
                on_click="ignore",
                key=state.download(state.IMAGE_MENU, fmt),
            )
    with row.popover("Download for GIS", icon=":material/layers:", key=state.GIS_MENU):
        st.caption(
            "This view's sites, events and lease areas as data for mapping software, with the control history, "
            "leases and sources. **GeoPackage**: one file of layers and tables for QGIS, ArcGIS and other GIS. "
            "**KML**: for Google Earth, whose time slider then plays each site's control history. **KMZ**: the KML "
            "zipped with the atlas's own status icons, for Google Earth."
        )
        for fmt, fmt_info in gis.FORMATS.items():
            st.download_button(
                fmt_info.label,
                data=lambda fmt=fmt: gis.build(fmt, data, view, link),  # built on click
                file_name=tables.download_name("map", view.filters, fmt),
                mime=fmt_info.media,
                icon=":material/download:",
                on_click="ignore",
                key=state.download(state.GIS_MENU, fmt),
                help=f"{fmt_info.label}: {fmt_info.use}.",
            )
