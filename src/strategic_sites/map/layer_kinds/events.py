"""Events: every event of the view, clustered in the browser and coloured by kind (``SSA.events``
in atlas-map.js).

Every event comes once with the events' file, as compact columns
(:func:`strategic_sites.map.mapdata.bundle`); a view sends only which of them it shows, as a
bitmap (12.5 KB at 100,000 events), and their count.
"""

from __future__ import annotations

import numpy as np

from strategic_sites.core.vocab import EVENT_KINDS
from strategic_sites.data.atlas import Atlas
from strategic_sites.map import popups
from strategic_sites.map.compact import bitmap
from strategic_sites.map.layer_kinds import ImageKey, LegendEntry, Sheet
from strategic_sites.map.style import EVENT_COLOURS
from strategic_sites.view.filters import View


def data(atlas: Atlas, view: View) -> dict:
    """Which of the bundle's events are in the view, and how many."""
    return {"bits": bitmap(atlas.events.index, view.events.index), "count": len(view.events)}


def legend() -> tuple[LegendEntry, ...]:
    """Each event kind's colour."""
    rows = "".join(f'<li><span class="ssa-swatch ssa-dot" style="background:{c}"></span>{popups.esc(EVENT_KINDS[k])}</li>' for k, c in EVENT_COLOURS.items())
    return (LegendEntry("Events", rows),)


def draw(sheet: Sheet, atlas: Atlas, view: View) -> ImageKey:
    """The period's events as small dots in their kind's colour (those inside the frame). The
    legend: the kinds drawn."""
    from matplotlib.lines import Line2D

    if view.events.empty:
        return ImageKey()
    box = sheet.box
    xs, ys = view.events.geometry.x.to_numpy(), view.events.geometry.y.to_numpy()
    inside = (xs >= box[0]) & (xs <= box[2]) & (ys >= box[1]) & (ys <= box[3])
    if not inside.any():
        return ImageKey()
    kinds = view.events["kind"].astype(str).to_numpy()[inside]
    # A little spread, so that the events at one site show as a patch, not one dot.
    rng = np.random.default_rng(0)
    spread = (box[3] - box[1]) / 150
    x = xs[inside] + rng.normal(0, spread, inside.sum())
    y = ys[inside] + rng.normal(0, spread, inside.sum())
    colours = [EVENT_COLOURS.get(k, "#666666") for k in kinds]
    sheet.ax.scatter(x, y, s=7, c=colours, alpha=0.7, linewidths=0, zorder=5, rasterized=len(x) > 2000)
    drawn = [k for k in EVENT_KINDS if k in set(kinds)]
    entries = tuple((Line2D([], [], marker="o", linestyle="none", markersize=5, markerfacecolor=EVENT_COLOURS[k], markeredgewidth=0), EVENT_KINDS[k]) for k in drawn)
    return ImageKey((("Events", entries),))
