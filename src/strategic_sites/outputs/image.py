"""A view as a static image for an article, a report or a slide: PNG (2× resolution), SVG or PDF.

Drawn on the server with matplotlib, with no network: the Natural Earth land and borders
framed to the sites shown, then each layer the view shows, drawn by its own module
(:mod:`strategic_sites.map.layer_kinds`, from the same data as the live map's, so the two never
disagree): each site its status's shape in the status's colour on the as-of date with its kind's
glyph; the sites' names placed apart (adjustText); lease areas shaded by years left; the
period's events as small dots; the host countries' borders. Then the user's own points; a title
saying what the view is; a legend of only what is drawn; a scale bar (matplotlib-scalebar), a
north arrow and a credit line with the data's version.
"""

from __future__ import annotations

import io
import math

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from strategic_sites.core import layerset
from strategic_sites.outputs import export
from strategic_sites.map import layer_kinds, mapdata
from strategic_sites.map.layer_kinds import ImageKey, Sheet
from strategic_sites.map.layer_kinds.labels import LABELS_MAX  # noqa: F401 (the image's limit, said in its legend)
from strategic_sites.map.layer_kinds.status import glyph, status_marker  # noqa: F401 (the markers the image draws)
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.filters import View
from strategic_sites.view.links import Links

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
SIZE = (12.0, 8.0)  # inches: the map on the left, the legend on the right
DPI = 100  # SVG and PDF are vector; PNG is drawn at 2 × DPI
PNG_SCALE = 2
PNG_PIXELS = (int(SIZE[0] * DPI * PNG_SCALE), int(SIZE[1] * DPI * PNG_SCALE))  # 2400 × 1600
LAND, WATER, BORDER = "#f4f1ea", "#c9dcec", "#9e9e9e"
POINTS_COLOUR = "#008080"  # the user's own points, as on the live map
MAP_BOX = (0.02, 0.09, 0.70, 0.78)  # left, bottom, width, height of the map, in figure fractions
PAD_DEGREES = 1.5  # around the sites shown
MIN_SPAN = 4.0  # degrees of latitude the frame spans at least (one site alone)


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
    and the line under it. Each layer the view shows draws itself, in the registry's order."""
    figure = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(figure)  # a renderer, for measuring the labels
    figure.patch.set_facecolor("white")
    ax = figure.add_axes(MAP_BOX)
    width_in, height_in = SIZE[0] * MAP_BOX[2], SIZE[1] * MAP_BOX[3]
    west, east, south, north = frame_of(view, width_in / height_in)
    middle = (south + north) / 2

    def frame() -> None:
        """The map's frame and its box on the page as they will be drawn, set before each layer
        draws and at the end: plotting may move them (geopandas sets an aspect of its own), and
        a label is placed, and kept or left out, by where it lands on the page."""
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_aspect(1 / math.cos(math.radians(middle)), adjustable="box")
        ax.apply_aspect()

    frame()
    ax.set_facecolor(WATER)
    ax.set_xticks([])
    ax.set_yticks([])

    box = (west, south, east, north)
    sheet = Sheet(ax, box, _land(ax, atlas, view, box))
    keys = []
    for spec in layerset.LAYERS:
        if spec.id in view.filters.layers:
            frame()
            keys.append(layer_kinds.kind(spec.id).draw(sheet, atlas, view))
    drawn_points = _points(ax, points, box)
    frame()
    ax.set_xlabel("")
    ax.set_ylabel("")
    _scale_and_north(ax, middle, east - west)

    first, rest = title_lines(atlas, view)
    figure.text(0.02, 0.955, first, fontsize=15, fontweight="bold", va="top")
    figure.text(0.02, 0.915, rest, fontsize=9.5, color="#444444", va="top", wrap=True)
    figure.text(0.02, 0.035, credit(atlas, link), fontsize=8, color="#555555", va="bottom")
    _legend(figure, keys, drawn_points)
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


def _land(ax, atlas: Atlas, view: View, box):
    """Natural Earth countries inside the frame, under every layer: land and borders (the same
    for every view). Returns them, for the layers to draw on (the countries layer darkens the
    host countries' borders)."""
    outlines = _outlines(atlas)
    countries = outlines.cx[box[0] : box[2], box[1] : box[3]]
    if len(countries):
        countries.plot(ax=ax, color=LAND, edgecolor=BORDER, linewidth=0.6, zorder=1)
    return countries


def _inside(xs: np.ndarray, ys: np.ndarray, box) -> np.ndarray:
    return (xs >= box[0]) & (xs <= box[2]) & (ys >= box[1]) & (ys <= box[3])


def _points(ax, points: pd.DataFrame | None, box) -> bool:
    if points is None or not len(points):
        return False
    xs, ys = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    inside = _inside(xs, ys, box)
    if not inside.any():
        return False
    ax.scatter(xs[inside], ys[inside], s=14, marker="D", c=POINTS_COLOUR, edgecolors="white", linewidths=0.4, zorder=6, rasterized=inside.sum() > 2000)
    return True


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


def _legend(figure: Figure, keys: list[ImageKey], points: bool) -> None:
    """A legend of only what is drawn, right of the map: each layer's sections, in the
    registry's order, the user's points, then the layers' notes."""
    handles, labels, titles = [], [], set()

    def section(title: str) -> None:
        handles.append(Line2D([], [], linestyle="none"))
        labels.append(title)
        titles.add(title)

    for key in keys:
        for title, entries in key.sections:
            if title:
                section(title)
            for handle, label in entries:
                handles.append(handle)
                labels.append(label)
    if points:
        section("Your points")
        handles.append(Line2D([], [], marker="D", linestyle="none", markersize=5, markerfacecolor=POINTS_COLOUR, markeredgecolor="white"))
        labels.append("From your file")
    for note in (note for key in keys for note in key.notes):
        handles.append(Line2D([], [], linestyle="none"))
        labels.append(note)
    if not handles:
        return
    legend = figure.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.735, 0.87), frameon=False, fontsize=8.5, handlelength=1.4, borderaxespad=0)
    for text in legend.get_texts():
        if text.get_text() in titles:
            text.set_fontweight("bold")
            text.set_x(-18)
