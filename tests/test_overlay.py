"""A user's own points on the map: which a view shows, how they travel to the browser, and
that the standalone export carries them."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from strategic_sites.outputs import export
from strategic_sites.view import language
from strategic_sites.map import layers
from strategic_sites.map import overlay
from strategic_sites.uploads import upload as uploads
from strategic_sites.view.filters import Filters, apply

CSV = b"""name,lat,lon,date,url
Bishkek office,42.87,74.59,2015-03,https://example.org/a
"<img src=x onerror=alert(1)>",43.24,76.89,2010,javascript:alert(1)
Undated in Tashkent,41.3,69.28,,
Old Almaty note,43.25,76.9,1995,
"""


@pytest.fixture(scope="module")
def points(atlas):
    upload = uploads.read_points("mine.csv", CSV, atlas.countries)
    assert upload.ok
    return upload.points


def names(frame) -> list[str]:
    return list(frame["name"])


def test_the_views_filters_apply_to_the_points(atlas, points):
    assert names(overlay.shown(points, Filters(countries=("KGZ",)))) == ["Bishkek office"]  # country from the map
    # The period keeps dated points inside it, and undated points always.
    assert names(overlay.shown(points, Filters(year_from=2000, year_to=2012))) == ["<img src=x onerror=alert(1)>", "Undated in Tashkent"]
    assert names(overlay.shown(points, Filters(year_from=1991, year_to=2026, q="almaty"))) == ["Old Almaty note"]
    assert names(overlay.shown(points, Filters(kinds=("cosmodrome",), year_from=1991))) == names(points)  # site kinds don't apply


SEARCHED = """name,lat,lon
Байконур launch pad,45.92,63.34
Koshkar depot,43.2,76.8
Osh garrison,40.53,72.8
""".encode()


def test_the_points_are_searched_as_the_sites_are(atlas):
    """The search text finds a user's points by the rules that find the sites: any script, a near
    spelling, the start of a word (not letters inside one), and the operator filter, like kind
    and status, does not apply to them."""
    upload = uploads.read_points("searched.csv", SEARCHED, atlas.countries)
    points = upload.points
    found = lambda q: names(overlay.shown(points, Filters(year_from=1991, q=q)))  # noqa: E731
    assert found("Baikonur") == ["Байконур launch pad"]  # Cyrillic name, Latin query, one letter off
    assert found("osh") == ["Osh garrison"]  # not "Koshkar": "osh" inside a word
    assert found("launch") == ["Байконур launch pad"]
    assert names(overlay.shown(points, Filters(year_from=1991, operators=("roscosmos",)))) == names(points)


def test_a_view_sends_a_bitmap_of_its_points(points):
    shown = overlay.shown(points, Filters(countries=("KAZ",), year_from=1991))
    sent = overlay.bits(points, shown)
    mask = np.unpackbits(np.frombuffer(base64.b64decode(sent["bits"]), dtype=np.uint8), bitorder="little")[: len(points)]
    assert [n for n, on in zip(names(points), mask) if on] == names(shown) and sent["count"] == len(shown) == 2


def test_the_bundle_holds_each_point_once_with_its_text_and_only_http_links(atlas, points):
    bundle = overlay.bundle(points, language.names(language.localise(atlas, "ru")))
    rows = bundle["events"]["text"][0]
    assert bundle["events"]["n"] == len(rows) == len(points)
    assert [row[3] for row in rows] == names(points)  # text as written: the browser sets it as text
    assert bundle["countries"]["KGZ"] == "Киргизия"  # country names in the chosen language
    assert [source[3] for source in bundle["sources"]] == ["https://example.org/a"]  # the javascript: URL is gone
    assert bundle["kinds"] == [[overlay.LABEL, overlay.COLOUR]]


def test_the_map_gets_a_your_points_layer_and_legend_entry(atlas, points):
    view = apply(atlas, Filters())
    shown = overlay.shown(points, view.filters)
    sources = {**layers.inline_sources(atlas), "points": overlay.bundle(points, language.names(atlas))}
    composed = layers.compose(atlas, view, sources, points=overlay.bits(points, shown))
    assert [group.layer_name for group in composed.groups][-1] == overlay.LABEL
    page = composed.html()
    assert "SSA.points(" in page and "Your points" in page
    without = layers.compose(atlas, view).html()
    assert "SSA.points(" not in without and "From your file" not in without


def test_the_points_kept_as_script_text_give_the_same_map(atlas):
    # The session keeps its points' bundle as the script's text, in ASCII (ui/points.py): the map it makes
    # reads the same data, names in any script included, and the rest of the page is the same.
    from strategic_sites.map.elements import ScriptJSON, script_json

    mine = uploads.read_points("mine.csv", CSV + "Космодром «Байконур» 😀,45.96,63.31,2020,\n".encode(), atlas.countries).points
    view = apply(atlas, Filters())
    bundle = overlay.bundle(mine, language.names(atlas))
    bits = overlay.bits(mine, overlay.shown(mine, view.filters))
    kept = ScriptJSON(script_json(bundle, ascii=True))
    assert kept.isascii() and "Космодром" not in kept
    pages = [re.sub(r"_[0-9a-f]{32}", "_id", layers.compose(atlas, view, {**layers.inline_sources(atlas), "points": held}, points=bits).html())
             for held in (bundle, kept)]  # folium's element ids are random
    sources = [page.split("SSA.source(", 1)[1].split(");\n", 1)[0] for page in pages]
    assert json.loads(sources[0]) == json.loads(sources[1])
    assert "Космодром «Байконур» 😀" in [row[3] for row in json.loads(sources[1])["points"]["events"]["text"][0]]
    assert pages[0].replace(sources[0], "") == pages[1].replace(sources[1], "")
    assert "<img" not in sources[1]  # still escaped for the script


def test_all_points_shown_are_the_frame_itself_not_a_copy(points):
    assert overlay.shown(points, Filters(year_from=1900)) is points
    assert overlay.shown(points, Filters(countries=("KGZ",))) is not points


def test_the_standalone_export_carries_the_points_the_view_shows(atlas, points):
    view = apply(atlas, Filters(countries=("KGZ",)))
    page = export.export_view(atlas, view, "", points=points)
    assert "SSA.points(" in page
    sources = json.loads(re.search(r"SSA\.source\((\{.*?\})\);\n", page).group(1))
    assert [row[3] for row in sources["points"]["events"]["text"][0]] == ["Bishkek office"]
    everything = export.export_view(atlas, apply(atlas, Filters(year_from=1991)), "", points=points)
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in everything  # the hostile name travels as data
    assert "<img src=x onerror" not in everything  # never as markup
