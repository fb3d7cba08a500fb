"""Lease terms: the leased territories and ranges shaded by the years their lease has left on the
as-of date, and a ring round each leased site with no drawn area (``SSA.leases`` in atlas-map.js).

The areas' outlines come once with the sites' file (:func:`strategic_sites.map.mapdata.site_bundle`);
a view sends, for each area, its number there, its shade and its tooltip.
"""

from __future__ import annotations

from strategic_sites.data.atlas import Atlas
from strategic_sites.map import popups
from strategic_sites.map.layer_kinds import ImageKey, LegendEntry, Sheet
from strategic_sites.map.style import LEASE_CLASSES, LEASE_NONE_COLOUR, LEASE_OPEN_COLOUR, LEASE_OPEN_LABEL, lease_colour
from strategic_sites.view.filters import View
from strategic_sites.view.language import names as names_of

NO_LEASE = "no lease in force"


def data(atlas: Atlas, view: View) -> dict:
    """Leased territories and ranges shaded by years left; rings where no area is drawn."""
    site_names = dict(zip(view.sites["id"], view.sites["name"]))
    names = names_of(atlas)
    areas, drawn = [], set()
    positions = atlas.areas.index.get_indexer(view.areas.index)
    for position, area in zip(positions, view.areas.itertuples()):
        lease = view.lease_of(area.site_id)
        colour, label = lease_colour(lease["years_remaining"]) if lease is not None else (LEASE_NONE_COLOUR, NO_LEASE)
        tooltip = popups.lease_tooltip(site_names.get(area.site_id, area.site_id), lease, label, area, names)
        areas.append({"area": int(position), "site": area.site_id, "colour": colour, "tooltip": tooltip})
        drawn.add(area.site_id)
    rings = []
    for site in view.sites[view.sites["id"].isin(view.in_force.index) & ~view.sites["id"].isin(drawn)].itertuples():
        lease = view.lease_of(site.id)
        colour, label = lease_colour(lease["years_remaining"])
        tooltip = popups.lease_tooltip(site.name, lease, label, None, names)
        rings.append({"site": site.id, "lat": round(site.geometry.y, 5), "lon": round(site.geometry.x, 5), "colour": colour, "tooltip": tooltip})
    return {"areas": areas, "rings": rings}


def _swatch(colour: str) -> str:
    return f'<span class="ssa-swatch ssa-box" style="background:{colour}"></span>'


def legend() -> tuple[LegendEntry, ...]:
    """The shades of years left, open-ended leases, and areas with no lease in force."""
    rows = "".join(f"<li>{_swatch(c)}{popups.esc(label)}</li>" for _, c, label in LEASE_CLASSES)
    rows += f"<li>{_swatch(LEASE_OPEN_COLOUR)}{popups.esc(LEASE_OPEN_LABEL.capitalize())}</li><li>{_swatch(LEASE_NONE_COLOUR)}No lease in force</li>"
    return (LegendEntry("Lease terms", rows),)


def draw(sheet: Sheet, atlas: Atlas, view: View) -> ImageKey:
    """Leased territories and ranges in their years-left shading; rings where no area is drawn.
    The legend: the shades drawn, in the order of the years left."""
    from matplotlib.patches import Patch

    ax = sheet.ax
    shown = data(atlas, view)
    shades = {colour: label for _, colour, label in LEASE_CLASSES} | {LEASE_OPEN_COLOUR: LEASE_OPEN_LABEL, LEASE_NONE_COLOUR: NO_LEASE}
    used: dict[str, str] = {}
    for area in shown["areas"]:
        shape = atlas.areas.geometry.iloc[area["area"]]
        polygons = list(shape.geoms) if hasattr(shape, "geoms") else [shape]
        for polygon in polygons:
            x, y = polygon.exterior.xy
            ax.fill(x, y, facecolor=area["colour"], edgecolor=area["colour"], alpha=0.35, linewidth=1.2, linestyle="--", zorder=3)
        used[area["colour"]] = shades.get(area["colour"], "")
    for ring in shown["rings"]:
        ax.scatter([ring["lon"]], [ring["lat"]], s=520, facecolors="none", edgecolors=ring["colour"], linewidths=3, zorder=4)
        used[ring["colour"]] = shades.get(ring["colour"], "")
    if not used:
        return ImageKey()
    order = [colour for _, colour, _ in LEASE_CLASSES] + [LEASE_OPEN_COLOUR, LEASE_NONE_COLOUR]
    drawn = sorted(used.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    entries = tuple((Patch(facecolor=colour, edgecolor=colour, alpha=0.6), label.capitalize()) for colour, label in drawn)
    return ImageKey((("Lease terms", entries),))
