"""The view as a static image (PNG, SVG, PDF) and the charts as PNG and SVG."""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from strategic_sites.map.layer_kinds import labels as label_layer
from strategic_sites.outputs import charts, image
from strategic_sites.view.filters import Filters, apply

REFERENCE = Path(__file__).parent / "fixtures" / "reference" / "map-mini.png"
LINK = "https://atlas.example/?asof=2020-01-01"


def mini_view(mini):
    return apply(mini, Filters(asof=date(2020, 1, 1), year_from=1991, year_to=2020))


def svg_text(svg: bytes) -> str:
    return " ".join(t for t in ET.fromstring(svg).itertext())


def test_the_png_opens_at_twice_the_resolution_and_its_title_holds_the_date(atlas):
    view = apply(atlas, Filters(countries=("KGZ",), asof=date(2024, 1, 1)))
    png = Image.open(io.BytesIO(image.render(atlas, view, "png", LINK)))
    assert png.format == "PNG" and png.size == image.PNG_PIXELS == (2400, 1600)
    assert "01 January 2024" in png.info["Title"] and png.info["Source"] == LINK


def test_the_svg_keeps_its_text_and_names_only_what_it_draws(atlas):
    view = apply(atlas, Filters(countries=("KGZ",), asof=date(2024, 1, 1)))
    said = svg_text(image.render(atlas, view, "svg", LINK))
    assert "Strategic Sites Atlas — As of 01 January 2024" in said
    assert "Host countries: Kyrgyzstan (KGZ)" in said
    assert "Kant Air Base" in said  # a site's label
    assert "Air base" in said and "Leased to Russia" in said  # the legend: kinds and statuses drawn
    assert "Cosmodrome" not in said and "Soviet (USSR, to 1991)" not in said  # ... and only those
    assert f"data version {atlas.data_version.code}" in said and "sources: atlas.example/sources" in said
    assert "200 km" in said or "100 km" in said  # the scale bar, in round kilometres


def test_compare_and_confidence_are_in_the_title_and_the_legend(atlas):
    view = apply(atlas, Filters(asof=date(2024, 1, 1), vs=date(2013, 1, 1), confidence=("confirmed", "reported")))
    said = svg_text(image.render(atlas, view, "svg"))
    assert "Compared with 01 January 2013" in said and "Changed between the dates compared" in said
    assert "Confidence: confirmed, reported" in said


def pdf_title(pdf: bytes) -> str:
    """The document title of a PDF's Info dictionary (as UTF-16 hex, or a literal string)."""
    import re

    found = re.search(rb"/Title\s*(<[0-9A-Fa-f]+>|\((?:[^()\\]|\\.)*\))", pdf)
    assert found, "no /Title"
    value = found[1]
    if value.startswith(b"<"):
        raw = bytes.fromhex(value[1:-1].decode("ascii"))
    else:
        raw = re.sub(rb"\\(.)", rb"\1", value[1:-1])  # (escaped brackets and backslashes)
    return raw.decode("utf-16") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def test_the_pdf_is_a_pdf_with_the_title(atlas):
    view = apply(atlas, Filters(asof=date(2024, 1, 1)))
    pdf = image.render(atlas, view, "pdf")
    assert pdf.startswith(b"%PDF") and "As of 01 January 2024" in pdf_title(pdf)


def test_text_from_the_data_is_text_in_the_svg(atlas, tmp_path):
    """A name with markup is drawn as written; the SVG stays well-formed."""
    import geopandas as gpd
    from dataclasses import replace

    sites = atlas.sites.copy()
    sites.loc[sites["id"] == "kant", "name"] = '<script>alert(1)</script> & "Kant"'
    hostile = replace(atlas, sites=gpd.GeoDataFrame(sites, geometry="geometry", crs=atlas.sites.crs))
    view = apply(hostile, Filters(countries=("KGZ",), asof=date(2024, 1, 1)))
    svg = image.render(hostile, view, "svg")
    assert '<script>alert(1)</script> & "Kant"' in svg_text(svg)
    assert b"<script>" not in svg


def test_an_empty_view_still_draws_a_map_that_says_so(atlas):
    view = apply(atlas, Filters(q="no site has this name at all", asof=date(2024, 1, 1)))
    said = svg_text(image.render(atlas, view, "svg"))
    assert "0 sites" in said


def test_the_user_points_are_drawn_and_named(atlas):
    from strategic_sites.uploads import upload as uploads

    upload = uploads.read_points("mine.csv", b"name,lat,lon\nBishkek,42.87,74.59\n", atlas.countries)
    view = apply(atlas, Filters(countries=("KGZ",), asof=date(2024, 1, 1)))
    said = svg_text(image.render(atlas, view, "svg", points=upload.points))
    assert "Your points" in said and "From your file" in said


def test_the_image_matches_the_reference_rendering(mini):
    """The three-site mini atlas drawn as the reference image was (perceptual hash, and pixels
    within a tolerance). Set UPDATE_REFERENCE=1 to draw the reference anew after a deliberate change."""
    import imagehash
    import numpy as np

    png = image.render(mini, mini_view(mini), "png", LINK)
    if os.environ.get("UPDATE_REFERENCE") or not REFERENCE.exists():
        REFERENCE.write_bytes(png)
        pytest.skip("reference image written")
    now, then = Image.open(io.BytesIO(png)).convert("RGB"), Image.open(REFERENCE).convert("RGB")
    assert now.size == then.size
    assert imagehash.phash(now, hash_size=16) - imagehash.phash(then, hash_size=16) <= 8
    small = [np.asarray(i.resize((600, 400)), dtype=float) for i in (now, then)]
    assert np.abs(small[0] - small[1]).mean() < 3.0  # of 255: anti-aliasing and font hinting aside


def test_charts_download_as_png_and_svg(atlas):
    view = apply(atlas, Filters(countries=("KGZ",), asof=date(2024, 1, 1), vs=date(2013, 1, 1)))
    bars, points = charts.periods_frame(atlas, view, date(2026, 11, 30)), charts.event_points(atlas, view)
    chart = charts.timeline_chart(bars, points, charts.site_order(bars, list(view.sites["id"]), dict(zip(view.sites["id"], view.sites["name"]))), view.filters.asof, vs=view.filters.vs)
    png = Image.open(io.BytesIO(charts.chart_image(chart, "png")))
    assert png.format == "PNG" and png.size[0] >= 2000  # 2× resolution
    svg = charts.chart_image(charts.events_per_year_chart(charts.events_per_year(view.events)), "svg")
    assert "Kind" in svg_text(svg)


def test_no_two_labels_overlap_and_those_left_out_are_counted(atlas):
    """All 25 sites at once crowd around Bishkek and Dushanbe: labels are moved apart, and one
    that would still overlap is left out, which the legend says."""
    figure = image.draw(atlas, apply(atlas, Filters(asof=date(2024, 1, 1))))
    renderer = figure.canvas.get_renderer()
    ax = figure.axes[0]
    names = {label_layer.short_name(name) for name in atlas.sites["name"]}
    labels = [t for t in ax.texts if t.get_text() in names]
    shown = [t.get_window_extent(renderer) for t in labels if t.get_visible()]
    assert len(shown) >= len(labels) // 2  # most sites keep their label
    assert not any(a.overlaps(b) for i, a in enumerate(shown) for b in shown[i + 1 :])
    left_out = len(labels) - len(shown)
    legend = " ".join(t.get_text() for t in figure.legends[0].get_texts())
    assert (f"{left_out} label" in legend) == (left_out > 0)
