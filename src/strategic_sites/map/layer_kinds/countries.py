"""Countries: the Natural Earth outlines of the host countries, bold, and of their neighbours
(``SSA.countries`` in atlas-map.js). The outlines come once with the outlines' file
(:func:`strategic_sites.map.mapdata.outlines`); a view sends only which countries are hosts.
"""

from __future__ import annotations

from strategic_sites.data.atlas import Atlas
from strategic_sites.map.layer_kinds import ImageKey, LegendEntry, Sheet
from strategic_sites.view.filters import View

HOST_COUNTRIES = ("KAZ", "KGZ", "TJK", "RUS")
HOST_LINE, OTHER_LINE = ("#4d4d4d", 1.6), ("#9e9e9e", 0.8)  # the live map's outlines: colour, weight (px); atlas-map.js draws them
HOST_BORDER = "#4d4d4d"  # the image: the borders of the view's host countries


def data(atlas: Atlas, view: View) -> list[str]:
    """The host countries, drawn bold (the same for every view)."""
    return list(HOST_COUNTRIES)


def legend() -> tuple[LegendEntry, ...]:
    """The two weights of outline."""

    def line(colour: str, weight: float) -> str:
        return f'<span class="ssa-swatch ssa-line" style="border-top:{max(1, round(weight))}px solid {colour}"></span>'

    rows = f"<li>{line(*HOST_LINE)}Host countries ({', '.join(HOST_COUNTRIES)})</li><li>{line(*OTHER_LINE)}Neighbouring countries</li>"
    return (LegendEntry("Countries", rows),)


def draw(sheet: Sheet, atlas: Atlas, view: View) -> ImageKey:
    """The borders of the countries that host the view's sites, darker than the land's (which
    the image draws under every layer). Nothing in the image's legend."""
    countries = sheet.outlines
    host = countries[countries["iso3"].isin(set(view.sites["country"]))]
    if len(host):
        host.boundary.plot(ax=sheet.ax, color=HOST_BORDER, linewidth=1.2, zorder=2)
    return ImageKey()
