"""Control status: one marker per site of the view, its status on the as-of date told by its
colour and its shape, its kind by the glyph inside (``SSA.sites`` in atlas-map.js).

The view sends each site's place, colour, status, accessible name, tooltip and the date's part
of its popup; the rest of the popup, the glyphs and the shapes come once with the sites' file
(:func:`strategic_sites.map.mapdata.site_bundle`).
"""

from __future__ import annotations

from functools import cache

from strategic_sites.core import text
from strategic_sites.core.vocab import SITE_KINDS, STATUSES
from strategic_sites.data import lookup
from strategic_sites.data.atlas import Atlas
from strategic_sites.map import popups
from strategic_sites.map.layer_kinds import ImageKey, LegendEntry, Sheet
from strategic_sites.map.style import (
    CHANGED_COLOUR,
    FALLBACK_GLYPH,
    KIND_GLYPHS,
    NO_STATUS_COLOUR,
    SHAPE_PATHS,
    STATUS_COLOURS,
    glyph_svg,
    status_shape,
    status_swatch_svg,
)
from strategic_sites.view.filters import View
from strategic_sites.view.language import names as names_of

EDGE, EDGE_ALPHA = "#000000", 0.5  # the image: the thin dark rim round a site's white edge, that shows it on light land


def site_label(site, period, lease, day, names, changed: bool = False) -> str:
    """A site marker's accessible name, plain text: what a sighted reader sees of it, its name,
    kind and status on the date (the marker's colour and shape), its lease's end, and the mark
    of a doubtful status: "Baikonur Cosmodrome, cosmodrome: Leased to Russia, lease to 2050"."""
    if period is None:
        state = f"no recorded status on {text.day(day)}"
    else:
        state = names.status(str(period["status"]))
        grade = str(period["confidence"])
        if grade in ("disputed", "unconfirmed"):
            state += f" ({grade})"
    lease_part = f", lease {text.lease_end(lease)}" if lease is not None else ""
    change_part = ", changed between the dates compared" if changed else ""
    return f"{site.name}, {names.kind(site.kind).lower()}: {state}{lease_part}{change_part}"


def data(atlas: Atlas, view: View) -> dict:
    """One marker per site of the view, coloured by its status on the as-of date, with the
    date's part of its popup (the rest is in :func:`strategic_sites.map.mapdata.site_bundle`)."""
    day = view.filters.asof
    names = names_of(atlas)
    sources = lookup.of(atlas).source_rows
    sites = []
    for site in view.sites.itertuples():
        period = view.status_of(site.id)
        lease = view.lease_of(site.id)
        changed = popups.changes_tooltip(view.changes_of(site.id), view.compared) if view.compared else ""
        sites.append(
            {
                "id": site.id,
                "kind": site.kind,
                "lat": round(site.geometry.y, 5),
                "lon": round(site.geometry.x, 5),
                "colour": STATUS_COLOURS[period["status"]] if period is not None else NO_STATUS_COLOUR,
                "status": str(period["status"]) if period is not None else "",
                "label": site_label(site, period, lease, day, names, bool(changed)),
                "faded": period is None,
                "conf": str(period["confidence"]) if period is not None else "",
                "changed": bool(changed),
                "tooltip": popups.site_tooltip(site, period, day, names, view.found_as.get(site.id, ""), changed),
                "now": popups.site_on_day(period, lease, day, names, sources, changed),
            }
        )
    return {"sites": sites}


def legend() -> tuple[LegendEntry, ...]:
    """The statuses, in sight (each marker's colour and shape), and the kinds' glyphs."""

    def shape(status: str | None) -> str:  # the marker's shape and colour (style constants only)
        return f'<span class="ssa-shape" style="display:inline-flex;flex:none">{status_swatch_svg(status)}</span>'

    status_rows = "".join(f"<li>{shape(s)}{popups.esc(STATUSES[s])}</li>" for s in STATUS_COLOURS)
    status_rows += f'<li>{shape(None)}<span class="ssa-muted">No status on this date (faded)</span></li>'
    kind_rows = "".join(
        f'<li><span class="ssa-glyph">{glyph_svg(k, size=14, colour="#333")}</span>{popups.esc(label)}</li>' for k, label in SITE_KINDS.items()
    )
    return (
        LegendEntry("Control status on the date", status_rows, in_sight=True),
        LegendEntry("Site kind", kind_rows, open=True),
    )


# --- the image ------------------------------------------------------------------------------------


@cache
def glyph(kind: str):
    """A site kind's glyph (the live map's SVG path) as a matplotlib marker, centred, y up."""
    from matplotlib.transforms import Affine2D
    from svgpath2mpl import parse_path

    path = parse_path(KIND_GLYPHS.get(kind, FALLBACK_GLYPH))
    return path.transformed(Affine2D().translate(-12, -12).scale(1, -1))


@cache
def status_marker(status: str | None):
    """A status's shape (the live map's, None: no status) as a matplotlib marker, y up, and the
    factor of marker area that keeps the shapes' sizes as on the map (matplotlib scales a
    custom marker to its widest point, a circle's radius)."""
    import numpy as np
    from matplotlib.transforms import Affine2D
    from svgpath2mpl import parse_path

    path = parse_path(SHAPE_PATHS[status_shape(status)]).transformed(Affine2D().scale(1, -1))
    return path, float(np.abs(path.vertices).max()) ** 2


def draw(sheet: Sheet, atlas: Atlas, view: View) -> ImageKey:
    """Each site its status's shape in the status's colour, white-edged with a thin dark rim
    (faded, in the no-status shape, when it has none on the date), its kind's glyph in white, a
    ring when it changed between the two dates compared. The legend: the statuses and kinds drawn."""
    from matplotlib.lines import Line2D

    ax = sheet.ax
    sites = data(atlas, view)["sites"]
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
    statuses = [s for s in STATUSES if s in shown]
    kinds = [k for k in SITE_KINDS if k in {s["kind"] for s in sites}]
    faded = any(s["faded"] for s in sites)

    sections = []
    if statuses or faded:
        entries = []
        for status in statuses:
            shape, factor = status_marker(status)
            marker = Line2D([], [], marker=shape, linestyle="none", markersize=10 * factor**0.5, markerfacecolor=STATUS_COLOURS[status], markeredgecolor=(0, 0, 0, EDGE_ALPHA), markeredgewidth=0.6)
            entries.append((marker, STATUSES[status]))
        if faded:
            shape, factor = status_marker(None)
            marker = Line2D([], [], marker=shape, linestyle="none", markersize=10 * factor**0.5, markerfacecolor=NO_STATUS_COLOUR, markeredgecolor=EDGE, markeredgewidth=0.6, alpha=0.5)
            entries.append((marker, "No status on this date"))
        sections.append(("Control status", tuple(entries)))
    if kinds:
        entries = [(Line2D([], [], marker=glyph(kind), linestyle="none", markersize=10, markerfacecolor="#333333", markeredgewidth=0), SITE_KINDS[kind]) for kind in kinds]
        sections.append(("Site kind", tuple(entries)))
    if changed:
        ring = Line2D([], [], marker="o", linestyle="none", markersize=12, markerfacecolor="none", markeredgecolor=CHANGED_COLOUR, markeredgewidth=2)
        sections.append(("", ((ring, "Changed between the dates compared"),)))
    return ImageKey(tuple(sections))
