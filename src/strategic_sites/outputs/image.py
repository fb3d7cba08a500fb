"""A view as a static image for an article, a report or a slide: PNG (2× resolution), SVG or PDF.

Drawn on the server with matplotlib, with no network: the Natural Earth land and borders
framed to the sites shown; each site its status's shape in the status's colour on the as-of
date with its kind's glyph (the live map's shapes, colours and glyphs, from
:mod:`strategic_sites.map.style`, through :mod:`strategic_sites.map.mapdata`, so the two never disagree); lease areas shaded by years left;
the period's events as small dots; the user's own points; labels placed apart (adjustText);
a title saying what the view is; a legend of only what is drawn; a scale bar
(matplotlib-scalebar), a north arrow and a credit line with the data's version.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import cache

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Affine2D

from strategic_sites.outputs import export
from strategic_sites.map import mapdata
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.filters import View
from strategic_sites.view.links import Links
from strategic_sites.map.style import (
    CHANGED_COLOUR,
    EVENT_COLOURS,
    FALLBACK_GLYPH,
    KIND_GLYPHS,
    LEASE_CLASSES,
    LEASE_NONE_COLOUR,
    LEASE_OPEN_COLOUR,
    LEASE_OPEN_LABEL,
    NO_STATUS_COLOUR,
    SHAPE_PATHS,
    STATUS_COLOURS,
    status_shape,
)
from strategic_sites.core.vocab import EVENT_KINDS, SITE_KINDS, STATUSES

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
SIZE = (12.0, 8.0)  # inches: the map on the left, the legend on the right
DPI = 100  # SVG and PDF are vector; PNG is drawn at 2 × DPI
PNG_SCALE = 2
PNG_PIXELS = (int(SIZE[0] * DPI * PNG_SCALE), int(SIZE[1] * DPI * PNG_SCALE))  # 2400 × 1600
LAND, WATER, BORDER, HOST_BORDER = "#f4f1ea", "#c9dcec", "#9e9e9e", "#4d4d4d"
POINTS_COLOUR = "#008080"  # the user's own points, as on the live map
EDGE, EDGE_ALPHA = "#000000", 0.5  # the thin dark rim round a site's white edge, that shows it on light land
MAP_BOX = (0.02, 0.09, 0.70, 0.78)  # left, bottom, width, height of the map, in figure fractions
PAD_DEGREES = 1.5  # around the sites shown
MIN_SPAN = 4.0  # degrees of latitude the frame spans at least (one site alone)
LABELS_MAX = 40  # sites labelled; past that only the map (the legend says so)


@dataclass(frozen=True)
class Drawn:
    """What the image shows, for its legend: only what is drawn."""

    statuses: tuple[str, ...]
    faded: bool
    kinds: tuple[str, ...]
    leases: tuple[tuple[str, str], ...]  # (colour, label)
    events: tuple[str, ...]
    changed: bool
    points: bool


@cache
def glyph(kind: str) -> MplPath:
    """A site kind's glyph (the live map's SVG path) as a matplotlib marker, centred, y up."""
    from svgpath2mpl import parse_path

    path = parse_path(KIND_GLYPHS.get(kind, FALLBACK_GLYPH))
    return path.transformed(Affine2D().translate(-12, -12).scale(1, -1))


@cache
def status_marker(status: str | None) -> tuple[MplPath, float]:
    """A status's shape (the live map's, None: no status) as a matplotlib marker, y up, and the
    factor of marker area that keeps the shapes' sizes as on the map (matplotlib scales a
    custom marker to its widest point, a circle's radius)."""
    from svgpath2mpl import parse_path

    path = parse_path(SHAPE_PATHS[status_shape(status)]).transformed(Affine2D().scale(1, -1))
    return path, float(np.abs(path.vertices).max()) ** 2


def frame_of(view: View, aspect: float) -> tuple[float, float, float, float]:
    """West, east, south, north framing the sites shown (or the region when none), padded, with
    ``aspect`` (width / height of the map on paper) kept at the mid latitude's scale."""
    if len(view.sites):
        xs, ys = view.sites.geometry.x, view.sites.geometry.y
        west, east, south, north = xs.min(), xs.max(), ys.min(), ys.max()
    else:
        west, east, south, north = 46.0, 87.0, 36.0, 55.0  # Central Asia
    west, east, south, north = west - PAD_DEGREES, east + PAD_DEGREES, south - PAD_DEGREES, north + PAD_DEGREES
    middle = (south + north) / 2
    shrink = math.cos(math.radians(middle))  # a degree of longitude on paper, in degrees of latitude
    height = max(north - south, MIN_SPAN, (east - west) * shrink / aspect)
    width = height * aspect / shrink
    cx, cy = (west + east) / 2, middle
    return cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2


def title_lines(atlas: Atlas, view: View) -> tuple[str, str]:
    """The title (with the as-of date) and a line of the rest of the view."""
    lines = export.describe(atlas, view)
    first = f"Strategic Sites Atlas — {lines[0]}"
    rest = " · ".join(line for line in lines[1:] if not line.startswith("Data version"))
    return first, rest


def credit(atlas: Atlas, link: str = "") -> str:
    version = atlas.data_version.code if atlas.data_version is not None else atlas.version[:8]
    where = f" · sources: {Links.short_sources(link)}" if link else ""
    return f"Strategic Sites Atlas · data version {version} · Natural Earth{where}"


def render(atlas: Atlas, view: View, fmt: str = "png", link: str = "", points: pd.DataFrame | None = None) -> bytes:
    """The view as an image file (``fmt`` one of :data:`FORMATS`); ``points``: the user's own
    points the view shows (drawn and named in the legend); ``link``: the view's share link."""
    if fmt not in FORMATS:
        raise ValueError(f"no image format {fmt!r}; one of {', '.join(FORMATS)}")
    figure = draw(atlas, view, link, points)
    first = figure.texts[0].get_text()
    buffer = io.BytesIO()
    metadata = {"Title": first}
    if fmt == "png":
        metadata["Source"] = link or "Strategic Sites Atlas"
    elif fmt == "pdf":
        metadata["Subject"] = figure.texts[1].get_text()
    # SVG keeps its text as text (an editor can change a label; a reader's search finds it).
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "strategic-sites-atlas"}):
        figure.savefig(buffer, format=fmt, dpi=DPI * PNG_SCALE if fmt == "png" else DPI, metadata=metadata)
    return buffer.getvalue()


def draw(atlas: Atlas, view: View, link: str = "", points: pd.DataFrame | None = None) -> Figure:
    """The figure of the view (what :func:`render` saves): its first two texts are the title
    and the line under it."""
    figure = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(figure)  # a renderer, for measuring the labels
    figure.patch.set_facecolor("white")
    ax = figure.add_axes(MAP_BOX)
    width_in, height_in = SIZE[0] * MAP_BOX[2], SIZE[1] * MAP_BOX[3]
    west, east, south, north = frame_of(view, width_in / height_in)
    middle = (south + north) / 2
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians(middle)), adjustable="box")
    ax.set_facecolor(WATER)
    ax.set_xticks([])
    ax.set_yticks([])

    box = (west, south, east, north)
    _land(ax, atlas, view, box)
    leases = _leases(ax, atlas, view)
    events = _events(ax, view, box)
    drawn_points = _points(ax, points, box)
    statuses, faded, kinds, changed = _sites(ax, atlas, view)
    # The frame again: plotting may have moved it. Then the labels, placed within it.
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians(middle)), adjustable="box")
    ax.set_xlabel("")
    ax.set_ylabel("")
    left_out = _labels(ax, view, box)
    _scale_and_north(ax, middle, east - west)

    first, rest = title_lines(atlas, view)
    figure.text(0.02, 0.955, first, fontsize=15, fontweight="bold", va="top")
    figure.text(0.02, 0.915, rest, fontsize=9.5, color="#444444", va="top", wrap=True)
    figure.text(0.02, 0.035, credit(atlas, link), fontsize=8, color="#555555", va="bottom")
    _legend(figure, Drawn(statuses, faded, kinds, leases, events, changed, drawn_points), len(view.sites) > LABELS_MAX, left_out)
    return figure


_OUTLINES: dict[str, object] = {}


def _outlines(atlas: Atlas):
    """The Natural Earth countries as the live map draws them, cut at the antimeridian and
    simplified (:func:`mapdata.outline_shape`), once per data version."""
    import geopandas as gpd

    if atlas.version not in _OUTLINES:
        _OUTLINES.clear()
        simple = [mapdata.outline_shape(geom) for geom in atlas.countries.geometry]
        _OUTLINES[atlas.version] = gpd.GeoDataFrame({"iso3": atlas.countries["iso3"].to_numpy()}, geometry=simple, crs=atlas.countries.crs)
    return _OUTLINES[atlas.version]


def _land(ax, atlas: Atlas, view: View, box) -> None:
    """Natural Earth countries inside the frame: land, borders, the host countries' borders darker."""
    outlines = _outlines(atlas)
    countries = outlines.cx[box[0] : box[2], box[1] : box[3]]
    hosts = set(view.sites["country"])
    if len(countries):
        countries.plot(ax=ax, color=LAND, edgecolor=BORDER, linewidth=0.6, zorder=1)
        host = countries[countries["iso3"].isin(hosts)]
        if len(host):
            host.boundary.plot(ax=ax, color=HOST_BORDER, linewidth=1.2, zorder=2)


def _leases(ax, atlas: Atlas, view: View) -> tuple[tuple[str, str], ...]:
    """Leased territories and ranges in their years-left shading; rings where no area is drawn."""
    if "leases" not in view.filters.layers:
        return ()
    data = mapdata.lease_data(atlas, view)
    shades = {colour: label for _, colour, label in LEASE_CLASSES} | {LEASE_OPEN_COLOUR: LEASE_OPEN_LABEL, LEASE_NONE_COLOUR: "no lease in force"}
    used: dict[str, str] = {}
    for area in data["areas"]:
        shape = atlas.areas.geometry.iloc[area["area"]]
        polygons = list(shape.geoms) if hasattr(shape, "geoms") else [shape]
        for polygon in polygons:
            x, y = polygon.exterior.xy
            ax.fill(x, y, facecolor=area["colour"], edgecolor=area["colour"], alpha=0.35, linewidth=1.2, linestyle="--", zorder=3)
        used[area["colour"]] = shades.get(area["colour"], "")
    for ring in data["rings"]:
        ax.scatter([ring["lon"]], [ring["lat"]], s=520, facecolors="none", edgecolors=ring["colour"], linewidths=3, zorder=4)
        used[ring["colour"]] = shades.get(ring["colour"], "")
    order = [colour for _, colour, _ in LEASE_CLASSES] + [LEASE_OPEN_COLOUR, LEASE_NONE_COLOUR]
    return tuple(sorted(used.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


def _inside(xs: np.ndarray, ys: np.ndarray, box) -> np.ndarray:
    return (xs >= box[0]) & (xs <= box[2]) & (ys >= box[1]) & (ys <= box[3])


def _events(ax, view: View, box) -> tuple[str, ...]:
    """The period's events as small dots in their kind's colour (those inside the frame)."""
    if "events" not in view.filters.layers or view.events.empty:
        return ()
    xs, ys = view.events.geometry.x.to_numpy(), view.events.geometry.y.to_numpy()
    inside = _inside(xs, ys, box)
    kinds = view.events["kind"].astype(str).to_numpy()[inside]
    if not inside.any():
        return ()
    # A little spread, so that the events at one site show as a patch, not one dot.
    rng = np.random.default_rng(0)
    spread = (box[3] - box[1]) / 150
    x = xs[inside] + rng.normal(0, spread, inside.sum())
    y = ys[inside] + rng.normal(0, spread, inside.sum())
    colours = [EVENT_COLOURS.get(k, "#666666") for k in kinds]
    ax.scatter(x, y, s=7, c=colours, alpha=0.7, linewidths=0, zorder=5, rasterized=len(x) > 2000)
    return tuple(k for k in EVENT_KINDS if k in set(kinds))


def _points(ax, points: pd.DataFrame | None, box) -> bool:
    if points is None or not len(points):
        return False
    xs, ys = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    inside = _inside(xs, ys, box)
    if not inside.any():
        return False
    ax.scatter(xs[inside], ys[inside], s=14, marker="D", c=POINTS_COLOUR, edgecolors="white", linewidths=0.4, zorder=6, rasterized=inside.sum() > 2000)
    return True


def _sites(ax, atlas: Atlas, view: View):
    """Each site its status's shape in the status's colour, white-edged with a thin dark rim
    (faded, in the no-status shape, when it has none on the date), its kind's glyph in white, a
    ring when it changed between the two dates compared."""
    if "status" not in view.filters.layers:
        return (), False, (), False
    sites = mapdata.status_data(atlas, view)["sites"]
    status_of = dict(zip(view.status.index, view.status["status"].astype(str)))
    changed = False
    for site in sites:
        alpha = 0.5 if site["faded"] else 1.0
        if site["changed"]:
            ax.scatter([site["lon"]], [site["lat"]], s=420, facecolors="none", edgecolors=CHANGED_COLOUR, linewidths=2.5, zorder=7)
            changed = True
        shape, factor = status_marker(None if site["faded"] else status_of.get(site["id"]))
        ax.scatter([site["lon"]], [site["lat"]], s=240 * factor, marker=shape, facecolors="none", edgecolors=EDGE, linewidths=2.7, alpha=EDGE_ALPHA * alpha, zorder=7.9)
        ax.scatter([site["lon"]], [site["lat"]], s=240 * factor, marker=shape, c=site["colour"], edgecolors="white", linewidths=1.5, alpha=alpha, zorder=8)
        ax.scatter([site["lon"]], [site["lat"]], s=110, marker=glyph(site["kind"]), c="white", linewidths=0, alpha=alpha, zorder=9)
    shown = {status_of[s["id"]] for s in sites if s["id"] in status_of}
    statuses = tuple(s for s in STATUSES if s in shown)
    kinds = tuple(k for k in SITE_KINDS if k in {s["kind"] for s in sites})
    return statuses, any(s["faded"] for s in sites), kinds, changed


def _labels(ax, view: View, box) -> int:
    """The names of the sites shown, moved apart where they would overlap; a label that still
    overlaps one placed before it is left out. Returns how many were left out."""
    if "status" not in view.filters.layers or not 0 < len(view.sites) <= LABELS_MAX:
        return 0
    from adjustText import adjust_text

    texts = [
        ax.text(site.geometry.x, site.geometry.y, _short(site.name), fontsize=8.5, zorder=10, clip_on=True,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.75})
        for site in view.sites.itertuples()
    ]  # fmt: skip
    xs, ys = view.sites.geometry.x.to_numpy(), view.sites.geometry.y.to_numpy()
    adjust_text(texts, x=xs, y=ys, ax=ax, expand=(1.15, 1.5), ensure_inside_axes=True, time_lim=1.0)
    renderer = ax.figure.canvas.get_renderer()
    placed, left_out = [], 0
    for text in texts:
        extent = text.get_window_extent(renderer).expanded(1.02, 1.08)
        if any(extent.overlaps(other) for other in placed):
            text.set_visible(False)
            left_out += 1
        else:
            placed.append(extent)
    # A leader line from each site to its label when the label moved away (plain lines: arrow
    # patches cost a second to draw).
    near = (ax.get_ylim()[1] - ax.get_ylim()[0]) / 40
    for text, x, y in zip(texts, xs, ys):
        tx, ty = text.get_position()
        if text.get_visible() and math.hypot((tx - x) * math.cos(math.radians(y)), ty - y) > near:
            ax.plot([x, tx], [y, ty], color="#555555", linewidth=0.6, zorder=9.5)
    return left_out


def _short(name: str, limit: int = 34) -> str:
    """A site's name as a label: its part before a bracket, at most ``limit`` characters."""
    short = name.split(" (")[0]
    return short if len(short) <= limit else short[: limit - 1] + "…"


SCALE_LENGTHS_KM = (10, 20, 50, 100, 200, 300, 500, 1000, 2000)


def scale_length(width_km: float) -> int:
    """A round length for the scale bar: the longest of :data:`SCALE_LENGTHS_KM` within a fifth of the map."""
    fitting = [length for length in SCALE_LENGTHS_KM if length <= width_km / 5]
    return fitting[-1] if fitting else SCALE_LENGTHS_KM[0]


def _scale_and_north(ax, middle: float, width_degrees: float) -> None:
    from matplotlib_scalebar.scalebar import ScaleBar

    km_per_degree = 111.32 * math.cos(math.radians(middle))  # along the parallel of the mid latitude
    length = scale_length(width_degrees * km_per_degree)
    ax.add_artist(ScaleBar(km_per_degree, units="km", fixed_value=length, fixed_units="km", location="lower right", box_alpha=0.8,
                           font_properties={"size": 8}, rotation="horizontal-only"))  # fmt: skip
    ax.annotate("N", xy=(0.965, 0.955), xytext=(0.965, 0.86), xycoords="axes fraction", ha="center", va="center",
                fontsize=11, fontweight="bold", arrowprops={"arrowstyle": "-|>", "color": "#222222", "lw": 1.5})  # fmt: skip


def _legend(figure: Figure, drawn: Drawn, unlabelled: bool, left_out: int = 0) -> None:
    """A legend of only what is drawn, in sections, right of the map."""
    handles, labels = [], []

    def section(title: str) -> None:
        handles.append(Line2D([], [], linestyle="none"))
        labels.append(title)

    if drawn.statuses or drawn.faded:
        section("Control status")
        for status in drawn.statuses:
            shape, factor = status_marker(status)
            handles.append(Line2D([], [], marker=shape, linestyle="none", markersize=10 * factor**0.5, markerfacecolor=STATUS_COLOURS[status], markeredgecolor=(0, 0, 0, EDGE_ALPHA), markeredgewidth=0.6))
            labels.append(STATUSES[status])
        if drawn.faded:
            shape, factor = status_marker(None)
            handles.append(Line2D([], [], marker=shape, linestyle="none", markersize=10 * factor**0.5, markerfacecolor=NO_STATUS_COLOUR, markeredgecolor=EDGE, markeredgewidth=0.6, alpha=0.5))
            labels.append("No status on this date")
    if drawn.kinds:
        section("Site kind")
        for kind in drawn.kinds:
            handles.append(Line2D([], [], marker=glyph(kind), linestyle="none", markersize=10, markerfacecolor="#333333", markeredgewidth=0))
            labels.append(SITE_KINDS[kind])
    if drawn.changed:
        handles.append(Line2D([], [], marker="o", linestyle="none", markersize=12, markerfacecolor="none", markeredgecolor=CHANGED_COLOUR, markeredgewidth=2))
        labels.append("Changed between the dates compared")
    if drawn.leases:
        section("Lease terms")
        for colour, label in drawn.leases:
            handles.append(Patch(facecolor=colour, edgecolor=colour, alpha=0.6))
            labels.append(label.capitalize())
    if drawn.events:
        section("Events")
        for kind in drawn.events:
            handles.append(Line2D([], [], marker="o", linestyle="none", markersize=5, markerfacecolor=EVENT_COLOURS[kind], markeredgewidth=0))
            labels.append(EVENT_KINDS[kind])
    if drawn.points:
        section("Your points")
        handles.append(Line2D([], [], marker="D", linestyle="none", markersize=5, markerfacecolor=POINTS_COLOUR, markeredgecolor="white"))
        labels.append("From your file")
    if unlabelled:
        labels.append(f"More than {LABELS_MAX} sites: not labelled")
        handles.append(Line2D([], [], linestyle="none"))
    elif left_out:
        labels.append(f"{left_out} label{'s' if left_out > 1 else ''} left out where they would overlap")
        handles.append(Line2D([], [], linestyle="none"))
    if not handles:
        return
    legend = figure.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.735, 0.87), frameon=False, fontsize=8.5, handlelength=1.4, borderaxespad=0)
    titles = {"Control status", "Site kind", "Lease terms", "Events", "Your points"}
    for text in legend.get_texts():
        if text.get_text() in titles:
            text.set_fontweight("bold")
            text.set_x(-18)
