"""The map: one composer, :func:`compose`, that the app, the export, the tests and the
benchmark all call.

A map is a constant base (basemaps, controls, legend, the Natural Earth land) and one overlay
per registered layer (:data:`strategic_sites.core.layerset.LAYERS`: control status, site labels,
lease terms, events, countries), each a folium FeatureGroup holding one call,
``SSA.<script>(group, data)``, that hands the layer's data for the view (from its module in
:mod:`strategic_sites.map.layer_kinds`) to its drawing function in ``static/atlas/atlas-map.js``.
The legend is the layers' entries in the same order. Nothing here knows one layer from another.

The heavy data (outlines, the sites' popups and areas, events) is referred to by name and comes from ``sources``:
URLs of files the browser fetches once (:mod:`strategic_sites.map.published`), or the data
itself inline (:func:`inline_sources`, for a standalone file). A view sends only
:func:`strategic_sites.map.mapdata.view_data`. Text from the data is escaped by
:mod:`strategic_sites.map.popups` or set as text by the browser; every JSON value put in a
script goes through :func:`script_json`, so no ``</script>`` or markup can break out.
Nothing here knows about Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import folium
import folium.plugins
import geopandas as gpd

from strategic_sites.map import assets, layer_kinds, mapdata, popups
from strategic_sites.map import overlay
from strategic_sites.map.elements import AtlasScript, Call, Legend, MiniMap, layer_control, script_json  # noqa: F401 (script_json: part of this module's API)
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.filters import LAYERS, View, site_only
from strategic_sites.map.style import CHANGED_COLOUR
from strategic_sites.core import layerset
from strategic_sites.core.vocab import CONFIDENCE, CONFIDENCE_MEANING

LAYER_NAMES = {layer.id: layer.label for layer in layerset.LAYERS}
HOST_COUNTRIES = mapdata.HOST_COUNTRIES
MAX_ZOOM = 18  # the map's deepest zoom; events still one place at this zoom are listed, not split
FIT_MAX_ZOOM = 9  # the deepest zoom a view fitted to its sites opens at (one site: not street level)


OVERLAYS_REPORT = "__overlays__"  # the entry that marks a report of the overlays ticked
FRAME_REPORT = "__frame__"  # the entry that says where the map is ("fitted", or "lat,lon,zoom")
FITTED = "fitted"


def frame_reported(selected_layers) -> str | None:
    """What the map's last report says of where it is (``SSA.frame``): :data:`FITTED`, or
    "lat,lon,zoom" as the user left it; None when it says nothing."""
    for item in selected_layers or ():
        if isinstance(item, dict) and item.get("name") == FRAME_REPORT and isinstance(item.get("url"), str):
            return item["url"]
    return None


def overlays_reported(selected_layers) -> tuple[str, ...] | None:
    """The layer keys a report of ``SSA.reportOverlays`` says are on (None: no report)."""
    if not selected_layers:
        return None
    names = {item.get("name") for item in selected_layers if isinstance(item, dict)}
    if OVERLAYS_REPORT not in names:
        return None
    return tuple(key for key, label in LAYER_NAMES.items() if label in names)


def bounds_of(sites: gpd.GeoDataFrame, pad: float = 1.0) -> list[list[float]]:
    """[[south, west], [north, east]] around the sites, padded by ``pad`` degrees."""
    if sites.empty:
        return [[35.0, 45.0], [56.0, 90.0]]  # Central Asia
    west, south, east, north = sites.total_bounds
    return [[south - pad, west - pad], [north + pad, east + pad]]


def legend_html(points: bool = False) -> str:
    """The legend: each layer's entries (:mod:`strategic_sites.map.layer_kinds`), in the layer
    control's order, then how sure each fact is (and the user's points)."""

    def folded(entry: layer_kinds.LegendEntry) -> str:
        return f"<details{' open' if entry.open else ''}><summary>{popups.esc(entry.title)}</summary><ul>{entry.rows}</ul></details>"

    entries = [entry for spec in layerset.LAYERS for entry in layer_kinds.kind(spec.id).legend()]
    in_sight = "".join(f'<ul class="ssa-legend-status" aria-label="{popups.esc(e.title)}">{e.rows}</ul>' for e in entries if e.in_sight)
    more = "".join(folded(e) for e in entries if not e.in_sight)
    confidence_rows = "".join(f"<li>{popups.badge(grade)}<span class='ssa-muted'>{popups.esc(CONFIDENCE_MEANING[grade])}</span></li>" for grade in CONFIDENCE)
    confidence_rows += "<li><span class='ssa-muted'>Markers of a disputed (!) or unconfirmed (?) status carry the mark; such events are dashed rings</span></li>"
    confidence_rows += f'<li><span class="ssa-swatch ssa-dot" style="background:#fff;outline:3px solid {CHANGED_COLOUR}"></span>Changed between two dates (Compare)</li>'
    mine = f'<span class="ssa-swatch ssa-dot" style="background:{overlay.COLOUR}"></span>'
    return (
        # What every marker shows (the statuses) first, the rest folded under "More keys", so
        # that the legend covers little of the map at first.
        '<div class="ssa-legend-title">Legend</div>'
        + in_sight
        + (f"<details open><summary>{overlay.LABEL}</summary><ul><li>{mine}From your file (not in the shared link)</li></ul></details>" if points else "")
        + '<details class="ssa-legend-more"><summary>More keys</summary>'
        + more
        + f"<details><summary>Confidence</summary><ul class='ssa-legend-conf'>{confidence_rows}</ul></details>"
        "</details>"
    )


def clicked_site(drawing) -> str | None:
    """The site a click selected, from the clicked layer's GeoJSON that streamlit-folium
    returns (``last_active_drawing``): site markers and lease areas carry their site's id in
    ``properties.site``. None for a click on anything else."""
    if not isinstance(drawing, dict):
        return None
    properties = drawing.get("properties")
    site = properties.get("site") if isinstance(properties, dict) else None
    return site if isinstance(site, str) and site else None


# --- the composer --------------------------------------------------------------------------------


HEAVY_BUILDERS = {
    "outlines": mapdata.outlines,
    "sites": mapdata.site_bundle,
    "events": lambda atlas: mapdata.bundle(atlas, mapdata.event_texts(atlas)),
}  # each heavy data file (layerset.HEAVY) as the map gets it inline


def inline_sources(atlas: Atlas, keys: tuple[str, ...] = LAYERS) -> dict:
    """The heavy data itself, for a map that must work from one file with no server: the
    outlines (the land under every map) and the files the layers ``keys`` draw from."""
    return {name: HEAVY_BUILDERS[name](atlas) for name in dict.fromkeys(("outlines", *layerset.heavy(keys)))}


def base_map(
    sources: dict,
    bounds: list[list[float]],
    small: bool = False,
    points: bool = False,
    prefix: str = assets.STREAMLIT_PREFIX,
    at: tuple[float, float, float] | None = None,
) -> folium.Map:
    """The part of the map that never changes: basemaps, controls, legend, land, view, and
    where the layers' data comes from (``sources``: outlines, sites, events), its scripts and
    styles served from ``prefix``. A ``small`` map (a site page's) has the basemaps and the
    land only. The map opens on ``bounds`` and fits the view's sites once they are drawn
    (``SSA.frame``), or opens at ``at`` (lat, lon, zoom: a link's ``map=``) and stays there."""
    options = {"tiles": None, "control_scale": True, "zoom_snap": 0.5, "world_copy_jump": True, "prefer_canvas": True}
    if at is not None:
        fmap = folium.Map(location=[at[0], at[1]], zoom_start=at[2], **options)
    elif small:
        fmap = folium.Map(**options)
        fmap.fit_bounds(bounds, max_zoom=FIT_MAX_ZOOM)
    else:
        # Opened near the sites, and fitted to them at once in the map's real shape (SSA.frame),
        # with no animation: an animated fit from elsewhere would still run after it.
        (south, west), (north, east) = bounds
        fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=3, **options)
    # folium gives its zoom limits to the tiles it makes, and makes none here: set the map's.
    fmap.options.update(maxZoom=MAX_ZOOM, minZoom=2)
    AtlasScript(sources).add_to(fmap)
    Call("land").add_to(fmap)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap", overlay=False, control=True, show=True).add_to(fmap)
    folium.TileLayer(
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors &copy; <a href="https://carto.com/attributions">CARTO</a>',
        name="Light (CARTO)",
        subdomains="abcd",
        max_zoom=20,
        overlay=False,
        control=True,
        show=False,
    ).add_to(fmap)
    # Choosing this base removes the tiles and leaves the Natural Earth land below.
    folium.FeatureGroup(name="Natural Earth (offline)", overlay=False, control=True, show=False).add_to(fmap)
    if small:
        assets.localize(fmap, prefix)
        return fmap

    folium.plugins.Fullscreen(position="topleft", title="Full screen", title_cancel="Leave full screen").add_to(fmap)
    folium.plugins.MeasureControl(position="topleft", primary_length_unit="kilometers", secondary_length_unit="miles", primary_area_unit="sqkilometers").add_to(fmap)
    # Fitted to the sites (before the minimap follows the map), or where the user put it.
    Call("frame", {"marker": FRAME_REPORT, "pinned": at is not None, "bounds": bounds, "maxZoom": FIT_MAX_ZOOM}).add_to(fmap)
    MiniMap().add_to(fmap)
    Legend(legend_html(points)).add_to(fmap)
    Call("reportOverlays", {"marker": OVERLAYS_REPORT}).add_to(fmap)
    Call("keys").add_to(fmap)  # Escape closes a popup, wherever the focus is in the map
    assets.localize(fmap, prefix)
    return fmap


def view_layers(data: dict, visible: tuple[str, ...] = LAYERS, keys: tuple[str, ...] = LAYERS) -> list[folium.FeatureGroup]:
    """The overlays ``keys`` of a view, from :func:`strategic_sites.map.mapdata.view_data`: each
    a group named as the layer control lists it, holding the call of its drawing function
    (``SSA.<script>``) with its data; those not in ``visible`` start hidden."""
    groups = []
    for key in keys:
        spec = layerset.spec(key)
        group = folium.FeatureGroup(name=spec.label, show=key in visible)
        Call(spec.script, data[key]).add_to(group)
        groups.append(group)
    return groups


@dataclass
class AtlasMap:
    """A composed map: the constant base, the view's overlays, and the layer control.

    The app hands the three to ``st_folium`` (the overlays are swapped on a rerun without
    rebuilding the map); :meth:`standalone` puts them on one map for a file or a test.
    """

    base: folium.Map
    groups: list[folium.FeatureGroup]
    control: folium.LayerControl | None

    def standalone(self) -> folium.Map:
        for group in self.groups:
            group.add_to(self.base)
        if self.control is not None:
            self.control.add_to(self.base)
        return self.base

    def html(self) -> str:
        """The whole map as one HTML page (assets linked, not inlined)."""
        return self.standalone().get_root().render()


def compose(
    atlas: Atlas,
    view: View,
    sources: dict | None = None,
    *,
    data: dict | None = None,
    bounds: list[list[float]] | None = None,
    prefix: str = assets.STREAMLIT_PREFIX,
    keys: tuple[str, ...] = LAYERS,
    small: bool = False,
    points: dict | None = None,
    base: folium.Map | None = None,
    at: tuple[float, float, float] | None = None,
) -> AtlasMap:
    """The map of ``view``. ``sources`` names where the outlines and the event bundle come
    from (URLs, or the data itself: the default); ``data`` is the view's
    :func:`~strategic_sites.map.mapdata.view_data` when the caller has it cached; ``bounds``
    the first view (default: around the view's sites); ``prefix`` where assets are served;
    ``keys`` which overlays the map has (every registered layer by default); ``small`` a map with no
    legend, minimap or layer control (a site page's); ``points`` the user's own points the
    view shows (:func:`strategic_sites.map.overlay.bits`; their bundle is ``sources["points"]``),
    drawn as one more overlay, "Your points"; ``base`` the constant part when the caller
    keeps one already composed (:func:`base_map`) for the same sources, bounds, ``small``,
    ``points`` and ``prefix``, as the app does for each atlas and first view (:mod:`.ui.map_widget`);
    ``at`` a frame to open at instead of fitting the sites (lat, lon, zoom)."""
    sources = sources or inline_sources(atlas, keys)
    data = data or mapdata.view_data(atlas, view, keys)
    if base is None:
        base = base_map(sources, bounds or bounds_of(view.sites, pad=0), small, points=points is not None, prefix=prefix, at=at)
    groups = view_layers(data, view.filters.layers, keys)
    if points is not None:
        group = folium.FeatureGroup(name=overlay.LABEL)
        Call("points", points).add_to(group)
        groups.append(group)
    hidden = [label for key, label in LAYER_NAMES.items() if key in keys and key not in view.filters.layers]
    # Folded to its button (it opens on a pointer, a tap or Enter), so that the map shows.
    control = None if small else layer_control(hidden, collapsed=True, position="topright")
    for group in groups:
        assets.localize(group, prefix)
    return AtlasMap(base, groups, control)


def map_payload(atlas: Atlas, view: View, sources: dict | None = None) -> dict[str, str]:
    """What the app sends for a view, as text (for measuring): the map's page, its data
    referred to by URL as the app does (the files are written on the first call, then only
    fetched by browsers: they are not part of a view's payload)."""
    from strategic_sites.map import published

    sources = sources or published.map_sources(atlas, wait=True)
    return {"page": compose(atlas, view, sources).html()}


def site_map(atlas: Atlas, site_id: str, day: date, sources: dict | None = None) -> folium.Map:
    """A small map of one site: its marker, its drawn areas and the country outlines."""
    view = site_only(atlas, site_id, day)
    keys = ("status", "leases", "countries")
    sources = sources or inline_sources(atlas, keys)
    return compose(atlas, view, sources, bounds=bounds_of(view.sites, pad=1.5), keys=keys, small=True).standalone()
