"""The map: a constant base map and one function per data layer, each a folium FeatureGroup.

Every function takes already-filtered frames (and the as-of date or period) and returns
folium objects; nothing here knows about Streamlit. All text that comes from the data is
HTML-escaped before it reaches a tooltip or popup (:mod:`strategic_sites.popups`).
"""

from __future__ import annotations

import json
from datetime import date
from functools import partial

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from strategic_sites import popups
from strategic_sites.style import (
    EVENT_COLOURS,
    LEASE_CLASSES,
    LEASE_NONE_COLOUR,
    LEASE_OPEN_COLOUR,
    NO_STATUS_COLOUR,
    STATUS_COLOURS,
    glyph_svg,
    lease_colour,
)
from strategic_sites.timeline import leases_in_force, status_as_of
from strategic_sites.vocab import EVENT_KINDS, SITE_KINDS, STATUSES

LAYER_NAMES = {
    "status": "Control status",
    "leases": "Lease terms",
    "events": "Events",
    "countries": "Countries",
}
HOST_COUNTRIES = ("KAZ", "KGZ", "TJK", "RUS")
LAND = "#f4f1ea"
WATER = "#c9dcec"
MARKER_SIZE = 26


# --- base map ----------------------------------------------------------------------------------


class _Css(MacroElement):
    """A style sheet in the map's page (marker, legend and background styles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var style = document.createElement("style");
            style.innerHTML = {{ this.css|tojson }};
            document.head.appendChild(style);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, css: str):
        super().__init__()
        self._name = "Css"
        self.css = css


class Legend(MacroElement):
    """A Leaflet control holding escaped HTML: the legend (built from the vocabularies), or
    another box of text in the same style (``css_class``, ``position``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, position: str = "bottomright", css_class: str = "ssa-legend"):
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.position = position
        self.css_class = css_class


class LandBase(MacroElement):
    """Natural Earth land in a pane below the tiles: hidden by tiles, visible when they fail."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var pane = map.createPane("ssa-land");
            pane.style.zIndex = 150;
            pane.style.pointerEvents = "none";
            L.geoJSON({{ this.data|tojson }}, {
                pane: "ssa-land",
                interactive: false,
                style: {color: "#9e9e9e", weight: 0.6, fillColor: "{{ this.land }}", fillOpacity: 1}
            }).addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: dict):
        super().__init__()
        self._name = "LandBase"
        self.data = data
        self.land = LAND


class OfflineMiniMap(JSCSSMixin, MacroElement):
    """leaflet-minimap over the Natural Earth outlines, so it works without tiles."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var land = L.geoJSON({{ this.data|tojson }}, {
                style: {color: "#8a8a8a", weight: 0.5, fillColor: "{{ this.land }}", fillOpacity: 1},
                interactive: false
            });
            var mini = new L.Control.MiniMap(land, {
                position: "bottomleft", width: 150, height: 150, zoomLevelOffset: -5,
                toggleDisplay: true, minimized: false
            });
            mini.addTo({{ this._parent.get_name() }});
            mini._miniMap.getContainer().style.background = "{{ this.water }}";
        })();
        {% endmacro %}
        """
    )
    default_js = [("Control_MiniMap_js", "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.js")]
    default_css = [("Control_MiniMap_css", "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.css")]

    def __init__(self, data: dict):
        super().__init__()
        self._name = "OfflineMiniMap"
        self.data = data
        self.land = LAND
        self.water = WATER


class OverlayReporter(MacroElement):
    """Tells the app which overlays are on when the user toggles one in the layer control.

    streamlit-folium reports ``selected_layers`` only for WMS layers; this fills it with the
    overlays that are on (plus a numbered marker entry, so that "none on" is still a report
    and no two reports are equal) before streamlit-folium's debounced update sends the
    component value.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var reports = 0;
            map.on("overlayadd overlayremove", function () {
                var data = window.__GLOBAL_DATA__, control = window.layer_control;
                // Leaflet fires these whenever an overlay joins or leaves the map, also when
                // streamlit-folium swaps the layers on a rerun; only a user's click counts.
                if (!data || !control || !control._handlingClick) { return; }
                var selected = {};
                reports += 1;  // each report differs, so toggling back and forth is never lost
                selected[{{ this.marker|tojson }}] = {name: {{ this.marker|tojson }}, url: "report-" + reports};
                control._layers.forEach(function (entry) {
                    if (entry.overlay && map.hasLayer(entry.layer)) {
                        selected[entry.name] = {name: entry.name, url: "ssa"};
                    }
                });
                data.selected_layers = selected;
            });
        })();
        {% endmacro %}
        """
    )
    marker = "__overlays__"

    def __init__(self):
        super().__init__()
        self._name = "OverlayReporter"


def overlays_reported(selected_layers) -> tuple[str, ...] | None:
    """The layer keys a report of :class:`OverlayReporter` says are on (None: no report)."""
    if not selected_layers:
        return None
    names = {item.get("name") for item in selected_layers if isinstance(item, dict)}
    if OverlayReporter.marker not in names:
        return None
    return tuple(key for key, label in LAYER_NAMES.items() if label in names)


class AtlasLayerControl(folium.LayerControl):
    """folium's layer control, with the overlays the view hides switched off at start."""

    _template = Template(
        """
        {% macro script(this,kwargs) %}
            var {{ this.get_name() }}_layers = {
                base_layers : {
                    {%- for key, val in this.base_layers.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
                overlays :  {
                    {%- for key, val in this.overlays.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
            };
            let {{ this.get_name() }} = L.control.layers(
                {{ this.get_name() }}_layers.base_layers,
                {{ this.get_name() }}_layers.overlays,
                {{ this.options|tojavascript }}
            ).addTo({{this._parent.get_name()}});
            {%- for name in this.hidden %}
            if ({{ this.get_name() }}_layers.overlays[{{ name|tojson }}]) {
                {{ this._parent.get_name() }}.removeLayer({{ this.get_name() }}_layers.overlays[{{ name|tojson }}]);
            }
            {%- endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, visible: tuple[str, ...] = tuple(LAYER_NAMES), **kwargs):
        super().__init__(**kwargs)
        self.hidden = [label for key, label in LAYER_NAMES.items() if key not in visible]


def _geojson(frame: gpd.GeoDataFrame, columns: list[str], tolerance: float = 0.0) -> dict:
    shapes = frame[columns + ["geometry"]].copy()
    if tolerance:
        shapes["geometry"] = shapes.geometry.simplify(tolerance, preserve_topology=True)
    return json.loads(shapes.to_json(drop_id=True))


def bounds_of(sites: gpd.GeoDataFrame, pad: float = 1.0) -> list[list[float]]:
    """[[south, west], [north, east]] around the sites, padded by ``pad`` degrees."""
    if sites.empty:
        return [[35.0, 45.0], [56.0, 90.0]]  # Central Asia
    west, south, east, north = sites.total_bounds
    return [[south - pad, west - pad], [north + pad, east + pad]]


def base_map(countries: gpd.GeoDataFrame, bounds: list[list[float]]) -> folium.Map:
    """The part of the map that never changes: basemaps, controls, legend, view."""
    fmap = folium.Map(tiles=None, max_zoom=18, min_zoom=2, control_scale=True, zoom_snap=0.5, world_copy_jump=True)
    fmap.fit_bounds(bounds)
    _Css(CSS).add_to(fmap)

    LandBase(_geojson(countries, ["iso3"], tolerance=0.01)).add_to(fmap)
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

    folium.plugins.Fullscreen(position="topleft", title="Full screen", title_cancel="Leave full screen").add_to(fmap)
    folium.plugins.MeasureControl(position="topleft", primary_length_unit="kilometers", secondary_length_unit="miles", primary_area_unit="sqkilometers").add_to(fmap)
    OfflineMiniMap(_geojson(countries, ["iso3"], tolerance=0.2)).add_to(fmap)
    Legend(legend_html()).add_to(fmap)
    OverlayReporter().add_to(fmap)
    return fmap


# --- data layers -------------------------------------------------------------------------------


def _site_icon(site_id: str, kind: str, colour: str, faded: bool) -> folium.DivIcon:
    opacity = " ssa-faded" if faded else ""
    html = (
        f'<div class="ssa-site{opacity}" style="background:{colour}" data-site="{popups.esc(site_id)}" data-kind="{popups.esc(kind)}">'
        f"{glyph_svg(kind, size=16)}</div>"
    )
    half = MARKER_SIZE // 2
    return folium.DivIcon(html=html, icon_size=(MARKER_SIZE, MARKER_SIZE), icon_anchor=(half, half), class_name="ssa-site-icon")


def status_layer(
    sites: gpd.GeoDataFrame,
    control: pd.DataFrame,
    leases: pd.DataFrame,
    events: pd.DataFrame,
    sources: pd.DataFrame,
    day: date,
) -> folium.FeatureGroup:
    """One marker per site, coloured by its status on ``day``; a site with none is faded."""
    layer = folium.FeatureGroup(name=LAYER_NAMES["status"], show=True)
    status = status_as_of(control, day)
    in_force = leases_in_force(leases, day)
    for site in sites.itertuples():
        period = status.loc[site.id] if site.id in status.index else None
        colour = STATUS_COLOURS[period["status"]] if period is not None else NO_STATUS_COLOUR
        lease = in_force.loc[site.id] if site.id in in_force.index else None
        site_events = events[events["site_id"] == site.id]
        folium.Marker(
            location=[site.geometry.y, site.geometry.x],
            icon=_site_icon(site.id, site.kind, colour, faded=period is None),
            z_index_offset=1000,  # above event clusters at the same place
            tooltip=folium.Tooltip(popups.site_tooltip(site, period, day)),
            popup=folium.Popup(popups.site_popup(site, period, lease, site_events, sources, day), max_width=380, max_height=320),
        ).add_to(layer)
    return layer


def lease_layer(areas: gpd.GeoDataFrame, leases: pd.DataFrame, sites: gpd.GeoDataFrame, day: date) -> folium.FeatureGroup:
    """Leased territories and ranges shaded by years left on ``day``; ring markers where no area is drawn."""
    layer = folium.FeatureGroup(name=LAYER_NAMES["leases"], show=True)
    in_force = leases_in_force(leases, day)
    shown = set(sites["id"])
    names = sites.set_index("id")["name"]
    drawn = set()
    for area in areas[areas["site_id"].isin(shown)].itertuples():
        lease = in_force.loc[area.site_id] if area.site_id in in_force.index else None
        colour, label = lease_colour(lease["years_remaining"]) if lease is not None else (LEASE_NONE_COLOUR, "no lease in force")
        text = popups.lease_tooltip(names[area.site_id], lease, label, area)
        folium.GeoJson(
            {"type": "Feature", "geometry": area.geometry.__geo_interface__, "properties": {}},
            style_function=partial(_area_style, colour),
            highlight_function=_area_highlight,
            tooltip=folium.Tooltip(text),
            name=f"area-{area.site_id}",
            control=False,
        ).add_to(layer)
        drawn.add(area.site_id)
    for site in sites[sites["id"].isin(in_force.index) & ~sites["id"].isin(drawn)].itertuples():
        lease = in_force.loc[site.id]
        colour, label = lease_colour(lease["years_remaining"])
        folium.CircleMarker(
            location=[site.geometry.y, site.geometry.x],
            radius=17,
            color=colour,
            weight=4,
            fill=False,
            tooltip=folium.Tooltip(popups.lease_tooltip(site.name, lease, label, None)),
        ).add_to(layer)
    return layer


# Event clusters in a neutral colour, so that they are not read as control statuses.
CLUSTER_ICON = """
function (cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 28 : n < 50 ? 34 : 40;
    return L.divIcon({
        html: '<div class="ssa-cluster" style="width:' + size + 'px;height:' + size + 'px">' + n + '</div>',
        className: 'ssa-cluster-icon', iconSize: L.point(size, size)
    });
}
"""


def events_layer(events: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, sources: pd.DataFrame) -> folium.FeatureGroup:
    """One clustered marker per event, coloured by kind; events away from sites at their own point."""
    layer = folium.FeatureGroup(name=LAYER_NAMES["events"], show=True)
    cluster = folium.plugins.MarkerCluster(
        name="events-cluster",
        control=False,
        options={"maxClusterRadius": 40, "spiderfyOnMaxZoom": True, "showCoverageOnHover": False},
        icon_create_function=CLUSTER_ICON,
    ).add_to(layer)
    names = sites.set_index("id")["name"].to_dict()
    for event in events.itertuples():
        colour = EVENT_COLOURS[event.kind]
        folium.CircleMarker(
            location=[event.lat, event.lon],
            radius=6,
            color="#ffffff",
            weight=1.5,
            fill=True,
            fill_color=colour,
            fill_opacity=0.95,
            tooltip=folium.Tooltip(popups.event_tooltip(event)),
            popup=folium.Popup(popups.event_popup(event, names.get(event.site_id, ""), sources), max_width=360, max_height=300),
        ).add_to(cluster)
    return layer


# Style callbacks are module-level functions (not lambdas) so that layers can be pickled
# into Streamlit's data cache.
def _area_style(colour: str, _feature) -> dict:
    return {"color": colour, "weight": 2, "fillColor": colour, "fillOpacity": 0.35, "dashArray": "4 3"}


def _area_highlight(_feature) -> dict:
    return {"weight": 4, "fillOpacity": 0.5}


def _outline_style(feature) -> dict:
    host = feature["properties"]["iso3"] in HOST_COUNTRIES
    return {"color": "#4d4d4d" if host else "#9e9e9e", "weight": 1.6 if host else 0.8, "fill": False}


def countries_layer(countries: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """Host-country outlines (Natural Earth), bold for the atlas's host countries."""
    layer = folium.FeatureGroup(name=LAYER_NAMES["countries"], show=True)
    data = _geojson(countries, ["iso3", "name"], tolerance=0.005)
    folium.GeoJson(
        data,
        style_function=_outline_style,
        interactive=False,
        name="country-outlines",
        control=False,
    ).add_to(layer)
    return layer


# --- legend ------------------------------------------------------------------------------------


def legend_html() -> str:
    def swatch(colour: str, shape: str = "dot") -> str:
        return f'<span class="ssa-swatch ssa-{shape}" style="background:{colour}"></span>'

    status_rows = "".join(f"<li>{swatch(c)}{popups.esc(STATUSES[s])}</li>" for s, c in STATUS_COLOURS.items())
    status_rows += f'<li>{swatch(NO_STATUS_COLOUR)}<span class="ssa-muted">No status on this date (faded)</span></li>'
    kind_rows = "".join(
        f'<li><span class="ssa-glyph">{glyph_svg(k, size=14, colour="#333")}</span>{popups.esc(label)}</li>' for k, label in SITE_KINDS.items()
    )
    lease_rows = "".join(f"<li>{swatch(c, 'box')}{popups.esc(label)}</li>" for _, c, label in LEASE_CLASSES)
    lease_rows += f"<li>{swatch(LEASE_OPEN_COLOUR, 'box')}In force, no end date</li><li>{swatch(LEASE_NONE_COLOUR, 'box')}No lease in force</li>"
    event_rows = "".join(f"<li>{swatch(c)}{popups.esc(EVENT_KINDS[k])}</li>" for k, c in EVENT_COLOURS.items())
    return (
        '<div class="ssa-legend-title">Legend</div>'
        f'<details open><summary>Control status</summary><ul>{status_rows}</ul></details>'
        f"<details><summary>Site kind</summary><ul>{kind_rows}</ul></details>"
        f"<details><summary>Lease terms</summary><ul>{lease_rows}</ul></details>"
        f"<details><summary>Events</summary><ul>{event_rows}</ul></details>"
    )


CSS = f"""
.leaflet-container {{ background: {WATER}; font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
.ssa-site-icon {{ background: none; border: none; }}
.ssa-site {{ width: {MARKER_SIZE}px; height: {MARKER_SIZE}px; border-radius: 50%; border: 2px solid #fff;
  box-shadow: 0 1px 4px rgba(0,0,0,.45); display: flex; align-items: center; justify-content: center; box-sizing: border-box; }}
.ssa-site.ssa-faded {{ opacity: .45; border-style: dashed; }}
.ssa-legend {{ background: rgba(255,255,255,.94); padding: 6px 10px; border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,.3);
  max-height: 55vh; overflow-y: auto; min-width: 150px; }}
.ssa-legend-title {{ font-weight: 700; margin-bottom: 2px; }}
.ssa-legend summary {{ cursor: pointer; margin: 4px 0 2px; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #444; }}
.ssa-cluster {{ background: rgba(37, 52, 71, .85); color: #fff; border: 2px solid #fff; border-radius: 50%;
  box-shadow: 0 1px 4px rgba(0,0,0,.4); display: flex; align-items: center; justify-content: center; font-weight: 600; font-size: 12px; }}
.ssa-legend ul {{ list-style: none; margin: 0; padding: 0; }}
.ssa-legend li {{ display: flex; align-items: center; gap: 6px; margin: 2px 0; white-space: nowrap; }}
.ssa-swatch {{ display: inline-block; width: 12px; height: 12px; flex: none; }}
.ssa-swatch.ssa-dot {{ border-radius: 50%; border: 1px solid rgba(0,0,0,.25); }}
.ssa-swatch.ssa-box {{ opacity: .75; border: 1px solid rgba(0,0,0,.25); }}
.ssa-glyph {{ display: inline-flex; width: 14px; }}
.ssa-muted {{ color: #666; }}
.ssa-popup h3 {{ margin: 0 0 2px; font-size: 15px; }}
.ssa-popup .ssa-ru {{ color: #555; margin-bottom: 6px; }}
.ssa-popup dl {{ display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; margin: 6px 0; }}
.ssa-popup dt {{ color: #666; }}
.ssa-popup dd {{ margin: 0; }}
.ssa-popup ul {{ margin: 4px 0; padding-left: 16px; }}
.ssa-popup .ssa-status {{ display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; }}
"""


def site_at(sites: gpd.GeoDataFrame, tooltip: str | None, latlng: dict | None) -> str | None:
    """The site a click on the map selected: by its tooltip (which starts with the site's
    name), else by the clicked marker's position. None for clicks on anything else."""
    if tooltip:
        text = tooltip.strip()
        matches = [s.id for s in sites.itertuples() if text.startswith(s.name)]
        if matches:
            return max(matches, key=lambda i: len(sites.loc[sites["id"] == i, "name"].iloc[0]))
    if latlng and "lat" in latlng and "lng" in latlng:
        for site in sites.itertuples():
            if abs(site.geometry.y - latlng["lat"]) < 1e-6 and abs(site.geometry.x - latlng["lng"]) < 1e-6:
                return site.id
    return None


def site_map(atlas, site_id: str, day: date, zoom: int = 7) -> folium.Map:
    """A small map of one site: its marker, its drawn areas and the country outlines."""
    site = atlas.site(site_id)
    fmap = folium.Map(location=[site.geometry.y, site.geometry.x], zoom_start=zoom, tiles=None, max_zoom=18, min_zoom=2, control_scale=True)
    _Css(CSS).add_to(fmap)
    LandBase(_geojson(atlas.countries, ["iso3"], tolerance=0.01)).add_to(fmap)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(fmap)
    sites = atlas.sites[atlas.sites["id"] == site_id]
    countries_layer(atlas.countries).add_to(fmap)
    lease_layer(atlas.areas[atlas.areas["site_id"] == site_id], atlas.leases[atlas.leases["site_id"] == site_id], sites, day).add_to(fmap)
    status_layer(sites, atlas.control, atlas.leases, atlas.events, atlas.sources, day).add_to(fmap)
    return fmap


def data_layers(atlas, view) -> list[folium.FeatureGroup]:
    """The four overlays of a filtered view: status, leases, events, countries."""
    day = view.filters.asof
    return [
        status_layer(view.sites, atlas.control, view.leases, atlas.events, atlas.sources, day),
        lease_layer(view.areas, view.leases, view.sites, day),
        events_layer(view.events, view.sites, atlas.sources),
        countries_layer(atlas.countries),
    ]
