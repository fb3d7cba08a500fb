"""Control status is never told by colour alone, and its colours stay apart for colour-blind
readers (WCAG 2.2 AA, 1.4.1 use of colour and 1.4.11 non-text contrast).

The colours are those the map really draws (checked against the map's view data); vision is
simulated with colorspacious (Machado et al. 2009, severity 100) and distances measured in
CAM02-UCS, where a distance under about 10 reads as "the same colour" on a small marker."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import date

import numpy as np
import pytest
from colorspacious import cspace_convert

from strategic_sites.outputs import charts, image
from strategic_sites.map import layers, mapdata
from strategic_sites.view.filters import Filters, apply
from strategic_sites.map.style import (
    KIND_GLYPHS,
    NO_STATUS_COLOUR,
    NO_STATUS_SHAPE,
    SHAPE_PATHS,
    STATUS_COLOURS,
    STATUS_SHAPES,
    shape_path,
    status_icon_svg,
    status_marker_svg,
    status_swatch_svg,
)
from strategic_sites.core.vocab import STATUSES

MIN_DELTA_E = 10
VISIONS = {"normal vision": None, "deuteranopia": "deuteranomaly", "protanopia": "protanomaly", "tritanopia": "tritanomaly"}
PALETTE = {**STATUS_COLOURS, "no status": NO_STATUS_COLOUR}  # every colour the map gives a status


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])


def seen(colours: list[str], cvd: str | None) -> np.ndarray:
    """The colours in CAM02-UCS as a reader with ``cvd`` (None: normal vision) sees them."""
    values = np.array([rgb(c) for c in colours])
    if cvd is not None:
        values = np.clip(cspace_convert(values, {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}, "sRGB1"), 0, 1)
    return cspace_convert(values, "sRGB1", "CAM02-UCS")


def luminance(colour: str) -> float:
    """WCAG relative luminance."""
    c = rgb(colour)
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


@pytest.fixture(scope="module")
def map_colours(atlas):
    """The status colours the map's view data gives the shipped sites: today, and in 1985 (when
    the cosmodromes were Soviet and later sites not yet there)."""
    used = set()
    for day in (date(2024, 1, 1), date(1985, 1, 1)):
        used |= {site["colour"] for site in mapdata.status_data(atlas, apply(atlas, Filters(asof=day)))["sites"]}
    return used


def test_the_map_draws_status_in_the_palette_colours_only(map_colours):
    assert map_colours <= set(PALETTE.values())
    assert NO_STATUS_COLOUR in map_colours and len(map_colours) >= 4  # the faded and several statuses
    assert len(set(PALETTE.values())) == len(PALETTE) == len(STATUSES) + 1


@pytest.mark.parametrize("vision", VISIONS)
def test_every_two_status_colours_stay_apart(vision, map_colours):
    names = list(PALETTE)
    points = seen(list(PALETTE.values()), VISIONS[vision])
    closest = min(
        (float(np.linalg.norm(points[i] - points[j])), names[i], names[j]) for i, j in itertools.combinations(range(len(names)), 2)
    )
    assert closest[0] >= MIN_DELTA_E, f"under {vision}, {closest[1]} and {closest[2]} are only dE {closest[0]:.1f} apart"


@pytest.mark.parametrize("status", STATUSES)
def test_the_white_glyph_stands_out_on_every_status_colour(status):
    contrast = 1.05 / (luminance(STATUS_COLOURS[status]) + 0.05)
    assert contrast >= 3.0, f"{status}: {contrast:.2f}:1 against white"


def test_every_status_has_a_shape_of_its_own():
    assert list(STATUS_SHAPES) == list(STATUSES)
    shapes = [*STATUS_SHAPES.values(), NO_STATUS_SHAPE]
    assert len(set(shapes)) == len(shapes)
    assert len({SHAPE_PATHS[s] for s in shapes}) == len(shapes)
    markers = [status_marker_svg(s) for s in [*STATUSES, None]]
    assert len(set(markers)) == len(markers)
    for status, marker in zip([*STATUSES, None], markers):
        root = ET.fromstring(marker)  # well-formed, hidden from screen readers, no glyph
        assert root.get("aria-hidden") == "true" and root.get("width") == "26"
        fill = [p.get("fill") for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("fill") != "none"]
        assert fill == [PALETTE[status or "no status"]]
        assert 'stroke="#ffffff" stroke-width="2"' in marker


@pytest.mark.parametrize("shape", sorted(SHAPE_PATHS))
def test_a_14_px_glyph_stays_within_its_26_px_marker(shape):
    """Every kind's glyph, centred, lies inside the shape or its white outline: none spills
    onto the dark edge or the land."""
    from matplotlib.transforms import Affine2D
    from svgpath2mpl import parse_path

    outlined = parse_path(shape_path(shape, 12, 13))  # the fill (radius 11 px) and its 1 px of outline outside
    for kind, glyph in KIND_GLYPHS.items():
        points = np.concatenate(parse_path(glyph).transformed(Affine2D().scale(14 / 24).translate(6, 6)).to_polygons(closed_only=False))
        assert outlined.contains_points(points).all(), f"the {kind} glyph leaves the {shape}"


def test_the_legend_shows_each_status_by_its_shape():
    legend = layers.legend_html()
    for status in [*STATUSES, None]:
        assert status_swatch_svg(status) in legend
    for colour in PALETTE.values():
        assert f"background:{colour}" not in legend  # no round dot of colour alone


def test_the_popup_shows_the_status_shape(atlas):
    view = apply(atlas, Filters(asof=date(2024, 1, 1)))
    sites = mapdata.status_data(atlas, view)["sites"]
    checked = set()
    for site in sites:
        period = view.status_of(site["id"])
        if period is not None:
            assert status_icon_svg(period["status"]) in site["now"]
            assert f"background:{STATUS_COLOURS[period['status']]}" not in site["now"]
            checked.add(period["status"])
    assert len(checked) >= 3


def test_the_timeline_tells_status_by_shape_and_its_legend_shows_both(mini):
    view = apply(mini, Filters(asof=date(2013, 6, 1), year_from=1900, year_to=2013))
    bars = charts.periods_frame(mini, view, date(2026, 1, 1))
    order = charts.site_order(bars, list(view.sites["id"]), dict(zip(view.sites["id"], view.sites["name"])))
    chart = charts.timeline_chart(bars, charts.event_points(mini, view), order, date(2013, 6, 1))
    spec = chart.to_dict()
    shaped = [layer for layer in spec["layer"] if "shape" in layer.get("encoding", {})]
    assert len(shaped) == 1
    encoding = shaped[0]["encoding"]
    assert encoding["shape"]["field"] == encoding["color"]["field"] == "label"  # one mark: shape and colour of the same status
    labels = list(STATUSES.values())
    assert encoding["shape"]["scale"] == {"domain": labels, "range": [SHAPE_PATHS[STATUS_SHAPES[s]] for s in STATUSES]}
    assert encoding["color"]["scale"] == {"domain": labels, "range": [STATUS_COLOURS[s] for s in STATUSES]}
    # The shapes sit on the bars' starts and leave clicks to the bars: a short bar still picks its site.
    import vl_convert

    vega = vl_convert.vegalite_to_vega(chart.to_json())
    by_status = [mark for mark in vega["marks"] if mark["encode"]["update"].get("fill", {}).get("field") == "label"]
    assert [(mark["type"], mark.get("interactive", True)) for mark in by_status] == [("rect", True), ("symbol", False)]

    # As drawn: one legend of seven symbols, each its status's colour in a shape of its own.
    svg = ET.fromstring(charts.chart_image(chart, "svg"))
    symbols = [
        path
        for group in svg.iter("{http://www.w3.org/2000/svg}g")
        if "role-legend-symbol" in (group.get("class") or "")
        for path in group.iter("{http://www.w3.org/2000/svg}path")
    ]
    assert [p.get("fill") for p in symbols] == [STATUS_COLOURS[s] for s in STATUSES]
    assert len({p.get("d") for p in symbols}) == len(STATUSES)


def test_the_static_image_draws_and_lists_each_status_by_its_shape(atlas):
    figure = image.draw(atlas, apply(atlas, Filters(asof=date(2024, 1, 1))))
    entries = dict(zip((t.get_text() for t in figure.legends[0].get_texts()), figure.legends[0].legend_handles))
    drawn = [s for s in STATUSES if STATUSES[s] in entries]
    assert len(drawn) >= 3
    shapes = [entries[STATUSES[s]].get_marker().vertices.tobytes() for s in drawn]
    assert shapes == [image.status_marker(s)[0].vertices.tobytes() for s in drawn]
    assert len(set(shapes)) == len(shapes)
