"""The standalone map export: one HTML file, every asset inlined, the view as shown."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from strategic_sites.outputs import export
from strategic_sites.map import layers
from strategic_sites.map.assets import static_path
from strategic_sites.view.filters import Filters, apply


@pytest.fixture(scope="module")
def kyrgyz(atlas):
    view = apply(atlas, Filters(countries=("KGZ",), asof=date(2014, 1, 1), year_from=2000, year_to=2015, layers=("status", "events", "countries")))
    return view, export.export_view(atlas, view, "https://atlas.example/?country=KGZ&asof=2014-01-01&from=2000&to=2015&layers=status,events,countries")


def test_no_script_or_style_sheet_is_fetched(kyrgyz):
    _, page = kyrgyz
    assert not re.search(r"<script[^>]*\ssrc=", page)
    assert not re.search(r"<link[^>]*stylesheet", page)
    assert not re.search(r"url\(\s*['\"]?(?!data:|#)[^)'\"]+\.(png|svg|gif)", page)  # images inlined too


def test_every_script_and_style_sheet_the_map_uses_is_inlined(kyrgyz, atlas):
    view, page = kyrgyz
    served = layers.compose(atlas, view).html()  # the same view as the app links it
    links = re.findall(r'<script[^>]*\ssrc="([^"]+)"', served) + re.findall(r'<link[^>]*href="([^"]+)"', served)
    assert any("atlas-map.js" in link for link in links) and any("supercluster" in link for link in links)
    for link in links:
        text = static_path(link).read_text(encoding="utf-8").replace("</script", "<\\/script")
        assert text[200:400] in page or text[:200] in page, link


def test_the_file_holds_the_view_sites_events_layers_and_note(kyrgyz, atlas):
    view, page = kyrgyz
    for site_id in view.sites["id"]:
        assert f'"id":"{site_id}"' in page
    assert '"id":"baikonur"' not in page and '"baikonur":' not in page  # other sites' data stays out
    events = json.loads(re.search(r'"events":(\{"n":\d+.*?"text":\[\[\[.*?\]\]\]\})', page).group(1))
    assert events["n"] == len(view.events) > 0
    ids = [row[0] for chunk in events["text"] for row in chunk]
    assert sorted(ids) == sorted(view.events["id"])  # every event of the view, once; no other
    assert "Lease terms" in page and "removeLayer" in page  # the hidden layer starts hidden
    assert "As of 01 January 2014; events 2000–2015" in page
    assert "Host countries: Kyrgyzstan (KGZ)" in page
    assert "https://atlas.example/?country=KGZ" in page
    assert "<title>Strategic Sites Atlas: As of 01 January 2014; events 2000–2015</title>" in page


def test_text_in_the_note_is_escaped(atlas):
    view = apply(atlas, Filters(q='<img src=x onerror="alert(1)">', asof=date(2014, 1, 1)))
    page = export.export_view(atlas, view, 'https://atlas.example/?q="><script>alert(2)</script>')
    assert '<img src=x onerror="alert(1)">' not in page
    assert "<script>alert(2)</script>" not in page
    # HTML-escaped, then JSON-encoded into the script that builds the note.
    assert "Search: “\\u0026lt;img src=x onerror=\\u0026quot;alert(1)\\u0026quot;\\u0026gt;”" in page


def test_a_point_named_like_an_asset_tag_exports_as_text(atlas):
    # The scripts and style sheets are found by parsing the page as a browser does: text inside a
    # script (a user's point's name in the map's data) is never taken for a tag to inline.
    from strategic_sites.uploads.upload import read_points

    name = '<link rel="stylesheet" href="ssa-inline:atlas/atlas-map.css"><script src="ssa-inline:x.js"></script>'
    quoted = name.replace('"', '""')
    upload = read_points("points.csv", f'name,lat,lon\n"{quoted}",42.87,74.59\n'.encode(), atlas.countries)
    view = apply(atlas, Filters(asof=date(2014, 1, 1)))
    plain = export.export_view(atlas, view)
    page = export.export_view(atlas, view, points=upload.points)
    assert json.dumps(name).replace("<", "\\u003c").replace(">", "\\u003e")[1:-1] in page  # the name, as data
    assert page.count("<style>") == plain.count("<style>") and page.count("<script>") == plain.count("<script>")
    assert not re.search(r"<script[^>]*\ssrc=", page)


def test_an_asset_that_cannot_be_inlined_stops_the_export(atlas):
    import folium

    fmap = folium.Map()
    fmap.get_root().header.add_child(folium.Element(f'<img alt="" src="{export.MARK}vendor/x.png">'))
    with pytest.raises(export.assets.UnvendoredAsset, match=r'<img alt="" src="ssa-inline:vendor/x.png">'):
        export.standalone_html(fmap)
