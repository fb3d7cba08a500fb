"""A view as files for GIS and Google Earth (outputs/gis.py), read back as a user's software reads
them: the GeoPackage with GDAL (pyogrio), the KML and KMZ with lxml and with GDAL."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import lxml.html
import pandas as pd
import pyogrio
import pytest
from lxml import etree

from datafiles import edit_feature, edit_row, feature_index, first_row, read_rows
from strategic_sites import load_atlas
from strategic_sites.core.dates import parse_partial
from strategic_sites.map.style import EVENT_COLOURS, STATUS_COLOURS, STATUS_SHAPES
from strategic_sites.outputs import gis, tables
from strategic_sites.view import language, urlstate
from strategic_sites.view.filters import apply
from strategic_sites.view.language import names as names_of
from strategic_sites.view.urlstate import Known

ROOT = Path(__file__).resolve().parents[1]
KML = "{http://www.opengis.net/kml/2.2}"
LINK = "https://atlas.example/?country=KGZ&asof=2024-01-01"
HOSTILE = "<img src=x onerror=alert(1)>]]>&amp;"

# A country, an as-of date, a search, an empty view (a search that finds nothing), the whole atlas.
VIEWS = ["country=KGZ", "asof=2013-06-01", "q=Baikonur", "q=Tyuratam&from=2013&to=2015", "q=zzzqqqxxx", "", "lang=ru&country=TJK"]


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory) -> Path:
    """A copy of the shipped data, so that the files read back and the atlas they are compared
    with are of one version of it."""
    import shutil

    folder = tmp_path_factory.mktemp("shipped") / "geodata"
    shutil.copytree(ROOT / "geodata", folder)
    return folder


@pytest.fixture(scope="module")
def atlas(data_folder):
    return load_atlas(data_folder)


def view_of(atlas, query: str):
    """The atlas and view the page builds for a link (the page's parser, language and filter)."""
    filters, warnings = urlstate.parse(parse_qs(query, keep_blank_values=True), Known.of(atlas))
    assert warnings == []
    shown = language.localise(atlas, filters.lang) if filters.lang != atlas.lang else atlas
    return shown, apply(shown, filters)


def written(tmp_path, data: bytes, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def cells(frame: pd.DataFrame) -> list[dict]:
    """Rows as a reader compares them: blanks as None, numbers as floats, the rest as text."""

    def cell(value):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        return str(value) if str(value) != "" else None

    return [{k: cell(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


# --- the GeoPackage -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def packages(atlas, tmp_path_factory):
    """Each view's GeoPackage, written once to a file as a user saves it."""
    folder = tmp_path_factory.mktemp("gpkg")
    made = {}
    for number, query in enumerate(VIEWS):
        shown, view = view_of(atlas, query)
        made[query] = (shown, view, written(folder, gis.geopackage(shown, view, LINK), f"view-{number}.gpkg"))
    return made


def test_the_geopackage_has_its_layers_typed_in_wgs84(packages):
    for query, (_, _, path) in packages.items():
        layers = {name: kind for name, kind in pyogrio.list_layers(path)}
        assert layers == {
            "sites": "Point",
            "events": "Point",
            "lease_areas": "MultiPolygon",
            "control_periods": None,
            "leases": None,
            "sources": None,
            "about": None,
        }, query
        for name in ("sites", "events", "lease_areas"):
            assert pyogrio.read_info(path, layer=name)["crs"] == "EPSG:4326"
        info = pyogrio.read_info(path, layer="sites")
        types = dict(zip(info["fields"], info["dtypes"]))
        assert types["years_left"] == "float64" and types["sources"] == "int64", query  # typed even when empty
        assert types["since_date"].startswith("datetime64") and types["lease_end_date"].startswith("datetime64")
        described = info["layer_metadata"]["DESCRIPTION"]
        assert "control status" in described


@pytest.mark.parametrize("query", VIEWS)
def test_the_geopackage_holds_the_pages_tables(packages, query):
    shown, view, path = packages[query]
    page = {
        "sites": tables.sites_table(shown, view),
        "events": tables.events_table(shown, view.events),
        "leases": tables.leases_table(shown, view.leases),
        "control_periods": gis.control_table(shown, view),
        "sources": tables.bibliography(shown, set(view.sites["id"]), set(view.events["id"])),
    }
    for layer, table in page.items():
        read = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
        assert len(read) == len(table), (query, layer)
        assert cells(read[list(table.columns)]) == cells(table), (query, layer)
    sites = pyogrio.read_dataframe(path, layer="sites")
    assert [c for p in sites.geometry for c in (p.x, p.y)] == pytest.approx([c for p in view.sites.to_crs("EPSG:4326").geometry for c in (p.x, p.y)])
    areas = pyogrio.read_dataframe(path, layer="lease_areas")
    assert sorted(areas["site_id"]) == sorted(view.areas["site_id"])
    if len(areas):
        assert set(areas.geometry.geom_type) == {"MultiPolygon"}


def test_an_empty_view_is_a_geopackage_of_empty_layers(packages):
    shown, view, path = packages["q=zzzqqqxxx"]
    assert view.sites.empty
    for name, _ in pyogrio.list_layers(path):
        rows = pyogrio.read_dataframe(path, layer=name, read_geometry=False)
        assert len(rows) == (8 if name == "about" else 0), name


def test_the_geopackage_dates_are_dates(packages, atlas):
    shown, view, path = packages["asof=2013-06-01"]
    sites = pyogrio.read_dataframe(path, layer="sites", read_geometry=False)
    dated = sites["since"].fillna("") != ""
    assert dated.sum() >= 5 and sites.loc[~dated, "since_date"].isna().all()  # no status on the date: no date
    for row in sites[dated].itertuples():
        assert row.since_date.date() == parse_partial(row.since).first
    periods = pyogrio.read_dataframe(path, layer="control_periods", read_geometry=False)
    baikonur = periods[periods["site_id"] == "baikonur"]
    control = atlas.control[atlas.control["site_id"] == "baikonur"].sort_values("start_date")
    assert [d.date() for d in baikonur["from_date"]] == [parse_partial(s).first for s in control["start"]]
    assert baikonur["to_date"].isna().tolist() == [e == "" for e in control["end"]]  # ongoing: no end date
    events = pyogrio.read_dataframe(path, layer="events", read_geometry=False)
    month = events[events["date_precision"] == "month"].iloc[0]
    assert month.date_first.date() == parse_partial(month.date).first and month.date_last.date() == parse_partial(month.date).last
    assert month.date_first < month.date_last


def test_the_geopackage_says_what_it_is(packages, atlas):
    _, _, path = packages["country=KGZ"]
    about = dict(pyogrio.read_dataframe(path, layer="about", read_geometry=False)[["key", "value"]].itertuples(index=False))
    assert about["title"] == "Strategic Sites Atlas"
    assert about["link"] == LINK
    assert about["data_version"] == atlas.data_version.code
    assert "Kyrgyzstan" in about["view"]
    assert about["crs"] == "EPSG:4326"


# --- KML and KMZ ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def whole(atlas):
    shown, view = view_of(atlas, "")
    return shown, view, etree.fromstring(gis.kml(shown, view, LINK))


def folder(tree, name: str):
    (found,) = [f for f in tree.iter(KML + "Folder") if f.findtext(KML + "name") == name]
    return found


def data_of(placemark, name: str) -> str | None:
    for item in placemark.iter(KML + "Data"):
        if item.get("name") == name:
            return item.findtext(KML + "value")
    return None


def description_links(placemark) -> list[str]:
    return [a.get("href") for a in lxml.html.fragment_fromstring(placemark.findtext(KML + "description"), create_parent="div").iter("a")]


def test_each_control_period_is_a_placemark_with_its_time_span(whole, data_folder):
    atlas, view, tree = whole
    sites = folder(tree, "Sites by control status")
    control = list(csv.DictReader(io.StringIO((data_folder / "control.csv").read_text(encoding="utf-8"))))
    for site_id in ("baikonur", "kant", "dushanbe-201st-base"):
        expected = sorted(((row["start"], row["end"] or None, row["status"]) for row in control if row["site_id"] == site_id), key=lambda r: parse_partial(r[0]).first)
        placemarks = [p for p in sites.iter(KML + "Placemark") if data_of(p, "site_id") == site_id]
        got = []
        for placemark in placemarks:
            span = placemark.find(KML + "TimeSpan")
            got.append((span.findtext(KML + "begin"), span.findtext(KML + "end"), placemark.findtext(KML + "styleUrl").removeprefix("#status-")))
        assert got == expected, site_id
        assert expected[-1][1] is None  # an ongoing period: a span with no end
        assert placemarks[-1].find(KML + "TimeSpan").find(KML + "end") is None


def test_each_status_has_its_own_style_and_is_written_in_words(whole):
    atlas, view, tree = whole
    names = names_of(atlas)
    styles = {s.get("id"): s for s in tree.iter(KML + "Style")}
    colours = set()
    for status, colour in STATUS_COLOURS.items():
        icon = styles[f"status-{status}"].find(KML + "IconStyle")
        tint = icon.findtext(KML + "color")
        assert tint == "ff" + colour[5:7] + colour[3:5] + colour[1:3]  # KML's aabbggrr
        colours.add(tint)
    assert len(colours) == len(STATUS_COLOURS)
    for placemark in folder(tree, "Sites by control status").iter(KML + "Placemark"):
        status = placemark.findtext(KML + "styleUrl").removeprefix("#status-")
        if status == "none":
            continue
        label = names.status(status)
        assert label in placemark.findtext(KML + "name")  # never colour alone
        assert f"{label} ({STATUS_SHAPES[status]} marker)" in lxml.html.fromstring(placemark.findtext(KML + "description")).text_content()


def test_events_have_their_time_and_leases_their_span(whole):
    atlas, view, tree = whole
    events = {data_of(p, "event_id"): p for p in folder(tree, "Events").iter(KML + "Placemark")}
    assert set(events) == set(view.events["id"])
    for event in view.events.itertuples():
        placemark = events[event.id]
        if event.date_precision == "day":
            assert placemark.findtext(f"{KML}TimeStamp/{KML}when") == event.date
        else:  # known to a month or a year: a span over it
            when = parse_partial(event.date)
            assert placemark.findtext(f"{KML}TimeSpan/{KML}begin") == when.first.isoformat()
            assert placemark.findtext(f"{KML}TimeSpan/{KML}end") == when.last.isoformat()
        kind = str(event.kind)
        assert placemark.findtext(KML + "styleUrl") == f"#event-{kind if kind in EVENT_COLOURS else 'statement'}"
    areas = [p for p in folder(tree, "Lease areas").iter(KML + "Placemark") if data_of(p, "site_id") == "baikonur"]
    leases = view.leases[view.leases["site_id"] == "baikonur"].sort_values("start_date")
    spans = [(p.findtext(f"{KML}TimeSpan/{KML}begin"), p.findtext(f"{KML}TimeSpan/{KML}end")) for p in areas]
    per_area = len(view.areas[view.areas["site_id"] == "baikonur"])
    assert per_area >= 1
    assert spans == [(row.start, row.end or None) for row in leases.itertuples()] * per_area
    assert all(p.find(f"{KML}Polygon") is not None or p.find(f"{KML}MultiGeometry") is not None for p in areas)


def test_each_description_links_its_sources(whole):
    atlas, view, tree = whole
    urls = dict(zip(atlas.sources["id"], atlas.sources["url"]))
    control = atlas.control[atlas.control["site_id"] == "baikonur"].sort_values("start_date", kind="stable")
    site = atlas.site("baikonur")
    placemarks = [p for p in folder(tree, "Sites by control status").iter(KML + "Placemark") if data_of(p, "site_id") == "baikonur"]
    for placemark, period in zip(placemarks, control.itertuples(), strict=True):
        cited = list(dict.fromkeys([*period.source_ids, *(period.dispute_source_id.split(";") if period.dispute_source_id else [])]))
        expected = {urls[s] for s in [*cited, *site["source_ids"]] if urls.get(s)}
        assert set(description_links(placemark)) == expected
    event = view.events.iloc[0]
    (placemark,) = [p for p in folder(tree, "Events").iter(KML + "Placemark") if data_of(p, "event_id") == event["id"]]
    assert {urls[s] for s in event["source_ids"] if urls.get(s)} <= set(description_links(placemark))


def test_gdal_reads_the_kml_and_the_kmz(whole, tmp_path, atlas):
    shown, view = view_of(atlas, "country=KGZ")
    tree = etree.fromstring(gis.kml(shown, view, LINK))
    counts = {name: len(list(folder(tree, name).iter(KML + "Placemark"))) for name in ("Sites by control status", "Events", "Lease areas")}
    for name, data in (("view.kml", gis.kml(shown, view, LINK)), ("view.kmz", gis.kmz(shown, view, LINK))):
        path = written(tmp_path, data, name)
        layers = [layer for layer, _ in pyogrio.list_layers(path)]
        assert layers == list(counts), name
        for layer, count in counts.items():
            read = pyogrio.read_dataframe(path, layer=layer)
            assert len(read) == count, (name, layer)
        sites = pyogrio.read_dataframe(path, layer="Sites by control status")
        assert set(sites.geometry.geom_type) == {"Point"}
        assert any("Kant" in n for n in sites["Name"])


def test_the_kmz_holds_the_kml_and_its_icons(atlas):
    shown, view = view_of(atlas, "q=Baikonur")
    with zipfile.ZipFile(io.BytesIO(gis.kmz(shown, view, LINK))) as kmz:
        names = kmz.namelist()
        assert names[0] == "doc.kml"
        tree = etree.fromstring(kmz.read("doc.kml"))
        hrefs = {icon.findtext(KML + "href") for icon in tree.iter(KML + "Icon")}
        assert hrefs and hrefs <= set(names)
        for href in hrefs:
            assert kmz.read(href)[:8] == b"\x89PNG\r\n\x1a\n"
    assert etree.fromstring(gis.kml(shown, view, LINK)).findtext(f"{KML}Document/{KML}Style/{KML}IconStyle/{KML}Icon/{KML}href").startswith("https://")


def test_the_kml_says_what_it_is(whole):
    atlas, view, tree = whole
    note = lxml.html.fromstring(tree.findtext(f"{KML}Document/{KML}description"))
    assert LINK in [a.get("href") for a in note.iter("a")]
    assert atlas.data_version.code in note.text_content()


# --- hostile text ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, data_folder):
    """The shipped data with markup and a CDATA end in a site's name, an event's title and a source's title."""
    import shutil

    folder = tmp_path_factory.mktemp("hostile") / "geodata"
    shutil.copytree(data_folder, folder)
    edit_feature(folder, "sites.geojson", feature_index(folder, "sites.geojson", id="kant"), name=HOSTILE)
    recent = next(i for i, r in enumerate(read_rows(folder / "events.csv")) if r["site_id"] == "kant" and r["date"] >= "2010")
    edit_row(folder, "events.csv", recent, title=HOSTILE)
    kant_source = next(r for r in csv.DictReader(io.StringIO((folder / "control.csv").read_text(encoding="utf-8"))) if r["site_id"] == "kant")["source_id"]
    edit_row(folder, "sources.csv", first_row(folder, "sources.csv", id=kant_source), title=HOSTILE)
    atlas = load_atlas(folder)
    return atlas, apply(atlas, Known.of(atlas).defaults())


def test_hostile_text_comes_out_as_text_in_the_kml(hostile):
    atlas, view = hostile
    for data in (gis.kml(atlas, view, LINK), zipfile.ZipFile(io.BytesIO(gis.kmz(atlas, view, LINK))).read("doc.kml")):
        assert b"<img" not in data and b"]]>" not in data  # nowhere as markup, no CDATA to break out of
        tree = etree.fromstring(data)
        assert [e.tag for e in tree.iter() if not str(e.tag).startswith(KML)] == []  # only KML's own elements
        names = [p.findtext(KML + "name") for p in tree.iter(KML + "Placemark")]
        assert any(n.startswith(HOSTILE + " — ") for n in names)  # the site's name, as written
        assert any(n.endswith(": " + HOSTILE) for n in names)  # the event's title
        described = 0
        for placemark in tree.iter(KML + "Placemark"):
            description = lxml.html.fragment_fromstring(placemark.findtext(KML + "description"), create_parent="div")
            assert list(description.iter("img", "script")) == []
            assert all(not k.startswith("on") for e in description.iter() for k in e.attrib)
            described += HOSTILE in description.text_content()
        assert described >= 3  # the site's periods, the event, the source's title


def test_hostile_text_comes_out_as_text_in_the_geopackage(hostile, tmp_path):
    atlas, view = hostile
    path = written(tmp_path, gis.geopackage(atlas, view, LINK), "hostile.gpkg")
    sites = pyogrio.read_dataframe(path, layer="sites", read_geometry=False)
    assert HOSTILE in set(sites["name"])
    assert HOSTILE in set(pyogrio.read_dataframe(path, layer="events", read_geometry=False)["title"])
    assert HOSTILE in set(pyogrio.read_dataframe(path, layer="sources", read_geometry=False)["title"])


def test_the_files_are_made_without_leaving_files_behind(atlas, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shown, view = view_of(atlas, "country=KGZ")
    assert gis.geopackage(shown, view, LINK)[:16] == b"SQLite format 3\x00"
    assert list(tmp_path.iterdir()) == []


def test_every_format_is_built(atlas):
    shown, view = view_of(atlas, "country=KGZ")
    assert set(gis.FORMATS) == set(gis.BUILDERS)
    for fmt in gis.FORMATS:
        assert gis.build(fmt, shown, view, LINK, exported=date(2026, 1, 2))
