"""Site labels: each site's name beside its marker (``SSA.labels`` in atlas-map.js).

The names are the sites' own, in the atlas's language (:func:`strategic_sites.view.language.localise`
has put them in ``sites["name"]``), shortened as the image shortens them (:func:`short_name`).
Each site's label and place come once with the sites' file, which the site markers fetch anyway
(:func:`site_part`, in :func:`strategic_sites.map.mapdata.site_bundle`); a view sends only the ids
of its sites. The browser places the labels on every zoom and move: beside each marker where it
is drawn (markers spread apart are labelled where they are), never on another label or another
site's marker, and hides a label with no room. They are decoration: the markers carry the names
for screen readers, so the labels are hidden from them and let every pointer event through.
"""

from __future__ import annotations

import math

from strategic_sites.data.atlas import Atlas
from strategic_sites.map.layer_kinds import ImageKey, LegendEntry, Sheet
from strategic_sites.view.filters import View

LABELS_MAX = 40  # the image labels this many sites at most; past that only the map (its legend says so)
LABEL_LENGTH = 34  # characters of a label at most


def short_name(name: str, limit: int = LABEL_LENGTH) -> str:
    """A site's name as a label: its part before a bracket, at most ``limit`` characters."""
    short = name.split(" (")[0]
    return short if len(short) <= limit else short[: limit - 1] + "…"


def site_part(sites) -> dict[str, list]:
    """Each site's label and place, [label, latitude, longitude], by id: this layer's part of the
    sites' file (the same for every view of the atlas in its language)."""
    return {site.id: [short_name(site.name), round(site.geometry.y, 5), round(site.geometry.x, 5)] for site in sites.itertuples()}


def data(atlas: Atlas, view: View) -> dict:
    """The ids of the view's sites, in its order (the first placed first where room is short)."""
    return {"sites": view.sites["id"].tolist()}


def legend() -> tuple[LegendEntry, ...]:
    """What a label is, and why some sites have none at a given zoom."""
    rows = (
        '<li><span class="ssa-label ssa-label-key" aria-hidden="true">Aa</span>'
        "Site name (hidden where it would overlap)</li>"
    )
    return (LegendEntry("Site labels", rows),)


def draw(sheet: Sheet, atlas: Atlas, view: View) -> ImageKey:
    """The names of the sites shown, moved apart where they would overlap (adjustText); a label
    that still overlaps one placed before it is left out. The legend notes how many were left
    out, or that a view of more than :data:`LABELS_MAX` sites is not labelled."""
    if len(view.sites) > LABELS_MAX:
        return ImageKey(notes=(f"More than {LABELS_MAX} sites: not labelled",))
    if view.sites.empty:
        return ImageKey()
    from adjustText import adjust_text

    ax = sheet.ax
    texts = [
        ax.text(site.geometry.x, site.geometry.y, short_name(site.name), fontsize=8.5, zorder=10, clip_on=True,
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
    if not left_out:
        return ImageKey()
    return ImageKey(notes=(f"{left_out} label{'s' if left_out > 1 else ''} left out where they would overlap",))
