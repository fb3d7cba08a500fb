"""Colours and symbols shared by the map, its legend and the charts."""

from __future__ import annotations

import re

from strategic_sites.core.text import OPEN_END

# Control status colours; the legend uses this order. Chosen so that the 8 colours the map uses
# for status (these 7 and NO_STATUS_COLOUR) stay apart for colour-blind readers, and each carries
# a white glyph: every status colour has contrast >= 3:1 against white (WCAG 2.2 non-text
# contrast); the no-status colour is drawn faded (45 % opacity) and may be light.
# Method: a hill-climbing search from the previous palette (ColorBrewer PuOr/RdBu and greys),
# within hue and chroma bounds that keep the meaning (CIELab hue 10-75 deg brown for Soviet, 40-70
# orange for leased, 20-40 red for Russian, 285-340 purple for joint, 245-290 blue for the host
# country; chroma <= 4 for the greys), maximising the smallest pairwise distance in CAM02-UCS up
# to 16 while moving the colours as little as possible. Vision simulated with colorspacious
# (Machado et al. 2009, severity 100): sRGB1+CVD -> sRGB1 (clipped) -> CAM02-UCS, Euclidean dE.
# Smallest pairwise dE achieved: normal vision 20.1 (proposed / no status), deuteranopia 16.0
# (joint / host), protanopia 16.0 (Soviet / Russian), tritanopia 16.0 (leased / Russian).
# tests/test_palette.py keeps it at 10 or more. Previous: soviet #8c510a, russian #b2182b,
# joint #5e3c99, host #2166ac (Soviet / Russian were dE 4.0 apart under deuteranopia).
STATUS_COLOURS: dict[str, str] = {
    "soviet": "#602600",
    "russian_lease": "#e66101",
    "russian": "#b53037",
    "joint": "#482b84",
    "host": "#246ab0",
    "proposed": "#878787",
    "closed": "#1a1a1a",
}
NO_STATUS_COLOUR = "#bdbdbd"

# A shape per status, so that colour is never the only cue (WCAG 1.4.1): the map's markers, the
# legend, the popups, the timeline and the static image all draw it. Each holds a 14 px glyph
# centred in a 26 px marker.
STATUS_SHAPES: dict[str, str] = {
    "soviet": "pentagon",  # the five points of the star
    "russian_lease": "square",  # a parcel of land
    "russian": "shield",
    "joint": "hexagon",
    "host": "circle",
    "proposed": "cross",  # a plus: planned, to be added
    "closed": "octagon",  # a stop sign
}
NO_STATUS_SHAPE = "diamond"  # not on the timeline, whose events are diamonds

# Each shape as an SVG path of absolute M/L/C commands (no arcs) in a box from -1 to 1, y down,
# centred on the marker's centre: the form Vega-Lite takes for a custom point shape, scaled for
# the map's SVG markers and read by matplotlib (svgpath2mpl) for the static image.
SHAPE_PATHS: dict[str, str] = {
    "circle": "M0,-1C0.5523,-1 1,-0.5523 1,0C1,0.5523 0.5523,1 0,1C-0.5523,1 -1,0.5523 -1,0C-1,-0.5523 -0.5523,-1 0,-1Z",
    "square": "M-0.86,-0.86L0.86,-0.86L0.86,0.86L-0.86,0.86Z",
    "diamond": "M0,-1L1,0L0,1L-1,0Z",
    "pentagon": "M0,-1L0.951,-0.309L0.588,0.809L-0.588,0.809L-0.951,-0.309Z",
    "hexagon": "M-1,0L-0.5,-0.866L0.5,-0.866L1,0L0.5,0.866L-0.5,0.866Z",
    "octagon": "M-0.383,-0.924L0.383,-0.924L0.924,-0.383L0.924,0.383L0.383,0.924L-0.383,0.924L-0.924,0.383L-0.924,-0.383Z",
    "shield": "M-0.9,-0.92L0.9,-0.92L0.9,0.05C0.9,0.55 0.45,0.84 0,1C-0.45,0.84 -0.9,0.55 -0.9,0.05Z",
    "cross": "M-0.5,-1L0.5,-1L0.5,-0.5L1,-0.5L1,0.5L0.5,0.5L0.5,1L-0.5,1L-0.5,0.5L-1,0.5L-1,-0.5L-0.5,-0.5Z",
}
MARKER_SIZE = 26  # px: the map's site markers
_EDGE = "rgba(0,0,0,0.55)"  # the dark edge round the white outline, that shows on light land


def status_colour(status: str | None) -> str:
    """The colour of a status (None: no status on the date)."""
    return NO_STATUS_COLOUR if status is None else STATUS_COLOURS[status]


def status_shape(status: str | None) -> str:
    """The shape of a status (None: no status on the date), a key of :data:`SHAPE_PATHS`."""
    return NO_STATUS_SHAPE if status is None else STATUS_SHAPES[status]


def shape_path(shape: str, scale: float = 1.0, offset: float = 0.0) -> str:
    """A shape's path scaled by ``scale`` and moved by ``offset`` on both axes."""
    return re.sub(r"-?\d+(?:\.\d+)?", lambda m: f"{float(m[0]) * scale + offset:.2f}".rstrip("0").rstrip("."), SHAPE_PATHS[shape])


def _shape_svg(status: str | None, size: int, outline: float, edge: float) -> str:
    """The status's shape and colour in a ``size`` px square: a white outline of ``outline`` px
    and a dark edge of ``edge`` px outside it, all inside the square. Unknown status: KeyError."""
    colour, shape, size = status_colour(status), status_shape(status), int(size)
    half = size / 2
    path = shape_path(shape, half - outline / 2 - edge, half)
    white = f' stroke="#ffffff" stroke-width="{outline:g}" stroke-linejoin="round"' if outline else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        f'aria-hidden="true" focusable="false">'
        f'<path d="{path}" fill="none" stroke="{_EDGE}" stroke-width="{outline + 2 * edge:g}" stroke-linejoin="round"/>'
        f'<path d="{path}" fill="{colour}"{white}/></svg>'
    )


def status_marker_svg(status: str | None, size: int = MARKER_SIZE) -> str:
    """A site's marker without its glyph: the status's shape filled with its colour, a 2 px
    white outline and a thin dark edge (None: the no-status shape and colour; the map fades
    it). Only constants of this module go into it."""
    return _shape_svg(status, size, 2, 1)


def status_swatch_svg(status: str | None, size: int = 14) -> str:
    """The status's shape and colour for a legend on white: the marker's shape with its dark
    edge, without the white outline (which would only make it smaller there)."""
    return _shape_svg(status, size, 0, 0.75)


def _compact(path: str) -> str:
    """A path of :data:`SHAPE_PATHS` in fewer characters: numbers without a leading zero,
    spaces between them."""
    return re.sub(r"(?<![\d.])0\.", ".", path.replace(",", " "))


def status_icon_svg(status: str, size: int = 10) -> str:
    """The status's shape in its colour, small and plain, to sit in a line of text on white
    (a popup's status). Few characters: every view sends one per site."""
    return (
        f'<svg viewBox="-1 -1 2 2" width="{int(size)}" height="{int(size)}" style="margin-right:4px" aria-hidden="true">'
        f'<path fill="{STATUS_COLOURS[status]}" d="{_compact(SHAPE_PATHS[STATUS_SHAPES[status]])}"/></svg>'
    )


EVENT_COLOURS: dict[str, str] = {
    "agreement": "#1b9e77",
    "launch": "#d95f02",
    "accident": "#e7298a",
    "meeting": "#7570b3",
    "status_change": "#66a61e",
    "construction": "#e6ab02",
    "protest": "#a6761d",
    "statement": "#666666",
    "economic": "#1f78b4",
}

# Lease shading by years remaining on the as-of date: (upper bound in years, colour, label).
LEASE_CLASSES: list[tuple[float, str, str]] = [
    (5, "#d7191c", "under 5 years left"),
    (15, "#fdae61", "5 to 15 years left"),
    (30, "#a6d96a", "15 to 30 years left"),
    (float("inf"), "#1a9641", "30 years or more left"),
]
LEASE_OPEN_COLOUR = "#2b83ba"  # in force with no end date (ongoing)
LEASE_OPEN_LABEL = f"in force, {OPEN_END}"
LEASE_NONE_COLOUR = "#bababa"  # not in force on the date


def lease_colour(years_remaining: float | None) -> tuple[str, str]:
    """Colour and label for a lease with ``years_remaining`` (None: in force, no end)."""
    if years_remaining is None or years_remaining != years_remaining:  # None or NaN
        return LEASE_OPEN_COLOUR, LEASE_OPEN_LABEL
    for bound, colour, label in LEASE_CLASSES:
        if years_remaining < bound:
            return colour, label
    raise AssertionError("unreachable")


# One 24x24 SVG path per site kind, white on the status colour.
KIND_GLYPHS: dict[str, str] = {
    "cosmodrome": "M12 2c3 3 4 7 4 11l2 3v3h-3l-1-2h-4l-1 2H6v-3l2-3c0-4 1-8 4-11zm0 6a1.5 1.5 0 1 0 0 3a1.5 1.5 0 1 0 0-3z",
    "missile_test_range": "M11 2h2v4.1A6 6 0 0 1 17.9 11H22v2h-4.1A6 6 0 0 1 13 17.9V22h-2v-4.1A6 6 0 0 1 6.1 13H2v-2h4.1A6 6 0 0 1 11 6.1zm1 6a4 4 0 1 0 0 8a4 4 0 1 0 0-8z",
    "air_base": "M21 16v-2l-8-5V3.5a1.5 1.5 0 0 0-3 0V9l-8 5v2l8-2.5V19l-2 1.5V22l3.5-1l3.5 1v-1.5L13 19v-5.5z",
    "military_base": "M12 2l2.9 6.9L22 9.3l-5.4 4.7L18.2 21L12 17.3L5.8 21l1.6-7L2 9.3l7.1-.4z",
    "naval_test_base": "M12 2a3 3 0 0 1 1 5.8V10h3v2h-3v7.9c2.6-.4 4.6-2.2 5.3-4.6l-1.8.7l2.5-4l1.5 4.5l-1.5-.8C18.4 19.4 15.5 22 12 22s-6.4-2.6-7-6.3l-1.5.8L5 12l2.5 4l-1.8-.7c.7 2.4 2.7 4.2 5.3 4.6V12H8v-2h3V7.8A3 3 0 0 1 12 2z",
    "radar": "M4 20h16v2H4zm7-2v-3.3L5.6 9.3a8 8 0 0 1 11.3-2.1l-3.5 3.5a2 2 0 1 1-1.4 1.4l3.5-3.5A6 6 0 0 0 7.4 9.1L13 14.7V18z",
    "space_surveillance": "M12 5c5 0 9 4.5 10 7c-1 2.5-5 7-10 7S3 14.5 2 12c1-2.5 5-7 10-7zm0 3a4 4 0 1 0 0 8a4 4 0 1 0 0-8zm0 2a2 2 0 1 1 0 4a2 2 0 1 1 0-4z",
    "seismic_station": "M2 12h4l2-5l3 10l3-13l3 12l2-4h3v2h-2l-3 6l-3-11l-3 12l-3-10l-1 2H2z",
    "communications_centre": "M11 10h2l3 12h-2l-.8-3h-2.4L10 22H8zm1 3l-.7 4h1.4zM7.8 4.6l1.4 1.4a4 4 0 0 0 0 5.6l-1.4 1.4a6 6 0 0 1 0-8.4zm8.4 0a6 6 0 0 1 0 8.4l-1.4-1.4a4 4 0 0 0 0-5.6z",
    "industrial": "M2 21V10l5 3V10l5 3V10l5 3V3h4v18z",
    "city": "M3 21V9l6-4v4l6-4v16zm14 0V11h4v10zM6 12v2h2v-2zm0 4v2h2v-2zm5-4v2h2v-2zm0 4v2h2v-2z",
}
FALLBACK_GLYPH = "M12 7a5 5 0 1 0 0 10a5 5 0 1 0 0-10z"


def glyph_svg(kind: str, size: int = 16, colour: str = "#ffffff") -> str:
    path = KIND_GLYPHS.get(kind, FALLBACK_GLYPH)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="{size}" height="{size}" '
        f'aria-hidden="true"><path fill="{colour}" d="{path}"/></svg>'
    )

# Confidence badges: (mark, colour). The map's markers of a disputed or unconfirmed fact carry
# the mark; popups, tooltips and tables show the badge.
CONFIDENCE_BADGES: dict[str, tuple[str, str]] = {
    "confirmed": ("✓", "#1a9641"),
    "reported": ("•", "#636363"),
    "disputed": ("!", "#d95f02"),
    "unconfirmed": ("?", "#7b3294"),
}
CHANGED_COLOUR = "#e7298a"  # the ring around a site that changed between the two dates compared
