"""Add your own points: a user's CSV or GeoJSON becomes points on the map, or one clear message.

Every good row is kept, every bad row is reported with its row number and kept in the rejects,
and no input makes the parser raise.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import random
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategic_sites.outputs import tables
from strategic_sites.uploads import upload as uploads
from strategic_sites.view.filters import Filters, apply
from strategic_sites.data.schema import split_list
from strategic_sites.uploads.upload import COLUMNS, MAX_BYTES, MAX_ROWS, SWAPPED, Upload, read_points

BISHKEK, ALMATY = (42.87, 74.59), (43.24, 76.89)
EXPECTED = [("Bishkek", *BISHKEK, "KGZ"), ("Almaty", *ALMATY, "KAZ")]
BUG = "error in the atlas"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def countries(atlas):
    return atlas.countries


def read(data: bytes | str, countries, name: str = "points.csv", **limits) -> Upload:
    """read_points, checking what holds for every input: an Upload with the fixed columns, no bug."""
    upload = read_points(name, data.encode() if isinstance(data, str) else data, countries, **limits)
    assert isinstance(upload, Upload)
    assert list(upload.points.columns) == COLUMNS + ["geometry"]
    assert upload.points.crs == "EPSG:4326"
    assert list(upload.rejects.columns[:2]) == ["row", "reason"]
    assert not any(BUG in message for message in upload.problems), upload.problems
    assert upload.ok == (len(upload.points) > 0)
    return upload


def seen(upload: Upload) -> list[tuple]:
    points = upload.points
    return list(zip(points["name"], points["lat"].round(5), points["lon"].round(5), points["country"]))


def feature(lat, lon, **properties) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def collection(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


GOOD = {
    "lat/lon": "name,lat,lon\nBishkek,42.87,74.59\nAlmaty,43.24,76.89\n",
    "lat/lng": "name,Lat,Lng\nBishkek,42.87,74.59\nAlmaty,43.24,76.89\n",
    "latitude/longitude, spaced, upper-case": " Name , LATITUDE ,Longitude \nBishkek,42.87,74.59\nAlmaty,43.24,76.89\n",
    "y/x, title": "title,x,y\nBishkek,74.59,42.87\nAlmaty,76.89,43.24\n",
    "semicolons and decimal commas": "name;lat;lon\nBishkek;42,87;74,59\nAlmaty;43.24;76.89\n",
    "tabs": "name\tlat\tlon\nBishkek\t42.87\t74.59\nAlmaty\t43.24\t76.89\n",
    "BOM, CRLF, no final newline": "\ufeffname,lat,lon\r\nBishkek,42.87,74.59\r\nAlmaty,43.24,76.89",
    "classic Mac line ends": "name,lat,lon\rBishkek,42.87,74.59\rAlmaty,43.24,76.89\r",
    "blank lines and other columns": "id,name,notes,lat,lon\n\n1,Bishkek,a,42.87,74.59\n,,,,\n2,Almaty,b,43.24,76.89\n\n",
    "UTF-16 with BOM": "name,lat,lon\nBishkek,42.87,74.59\nAlmaty,43.24,76.89\n".encode("utf-16"),
    # Named points.csv like the others: the content decides.
    "GeoJSON FeatureCollection": collection(feature(*BISHKEK, name="Bishkek"), feature(*ALMATY, title="Almaty")),
    "GeoJSON, names in any case": collection(feature(*BISHKEK, Name="Bishkek"), feature(*ALMATY, NAME="Almaty")),
}


@pytest.mark.parametrize("data", GOOD.values(), ids=GOOD.keys())
def test_good_files_give_every_point(data, countries):
    upload = read(data, countries)
    assert seen(upload) == EXPECTED
    assert upload.problems == () and upload.notes == () and len(upload.rejects) == 0


def test_a_single_feature_is_one_point(countries):
    upload = read(json.dumps(feature(*BISHKEK, title="Bishkek")), countries, "point.geojson")
    assert seen(upload) == EXPECTED[:1] and upload.points["row"].tolist() == [1]


def test_latin1_is_read_and_said(countries):
    upload = read("name,lat,lon\nBishkék,42.87,74.59\n".encode("latin-1"), countries)
    assert upload.points["name"].tolist() == ["Bishkék"]
    assert upload.notes == (
        "The file is not UTF-8; it was read as Windows-1252. Check that accented letters look right.",
    )


def test_windows_1251_is_read_as_cyrillic_and_said(countries):
    # Excel's CSV on a Russian-language Windows: read as Windows-1252 it was "Áèøêåê".
    upload = read("name,lat,lon\nБишкек,42.87,74.59\nАлматы,43.24,76.89\n".encode("cp1251"), countries)
    assert seen(upload) == [("Бишкек", *BISHKEK, "KGZ"), ("Алматы", *ALMATY, "KAZ")]
    assert upload.notes == ("The file is not UTF-8; it was read as Windows-1251. Check that Cyrillic letters look right.",)


def test_columns_are_named_as_the_file_separates_them(countries):
    # Commas inside the cells, semicolons between them on every line: the columns are the semicolons'.
    upload = read("name, alias, other names;year\nKant, Kant AB;2003\nOsh, Osh-2;2004\n", countries)
    assert upload.problems == ("No coordinate columns: the file has 'name, alias, other names', 'year'; "
                               "expected lat and lon (or lat/lng, latitude/longitude, y/x).",)


def test_the_atlas_own_events_download_loads_back(atlas, countries):
    view = apply(atlas, Filters())
    table = tables.events_table(atlas, view.events)
    upload = read(tables.events_geojson(view.events, table), countries, "events.geojson")
    assert upload.problems == () and len(upload.rejects) == 0
    points = upload.points
    assert len(points) == len(view.events) > 100
    assert points["name"].tolist() == table["title"].tolist()
    assert points["date"].tolist() == table["date"].tolist()
    assert points["kind"].tolist() == table["kind"].tolist()
    assert points["url"].tolist() == [s if s.startswith("http") else "" for s in table["source"]]
    first_named = [split_list(cell)[0] for cell in view.events["countries"].astype(str)]
    assert points["country"].tolist() == first_named
    assert points.geometry.geom_equals(view.events.geometry.reset_index(drop=True)).all()


def test_dates_become_first_and_last_days(countries):
    upload = read("lat,lon,date\n1,2,2013\n1,2,2014-02\n1,2,2015-03-08\n1,2,\n", countries)
    points = upload.points
    assert points["date"].tolist() == ["2013", "2014-02", "2015-03-08", ""]
    assert points["date_first"].tolist()[:3] == [pd.Timestamp(d) for d in ("2013-01-01", "2014-02-01", "2015-03-08")]
    assert points["date_last"].tolist()[:3] == [pd.Timestamp(d) for d in ("2013-12-31", "2014-02-28", "2015-03-08")]
    assert pd.isna(points["date_first"].iloc[3]) and pd.isna(points["date_last"].iloc[3])


def test_countries_as_given_by_name_or_from_the_map(countries):
    rows = ["lat,lon,country", "42.87,74.59,", "43.24,76.89,", "43.24,76.89,kaz", "43.24,76.89, Kazakhstan ",
            "43.24,76.89,\"Russia, Kazakhstan\"", "43.24,76.89,KZ", "43.24,76.89,India", "0,-30,", "51.5,-0.12,GBR",
            "43.24,76.89,Narnia", "42.87,74.59,XYZ"]
    upload = read("\n".join(rows), countries)
    assert upload.points["country"].tolist() == ["KGZ", "KAZ", "KAZ", "KAZ", "RUS", "KAZ", "IND", "", "GBR", "KAZ", "KGZ"]
    assert upload.notes == (
        "2 rows have a country that is not a country code or name; it was taken from the map: rows 11, 12",
    )


NOT_OURS = "This is not a CSV or GeoJSON file: it looks like "
FILE_PROBLEMS = {  # the file, the limits, the one message
    "empty": (b"", {}, "The file is empty."),
    "only blanks": (b"\n \r\n\t\n", {}, "The file is empty."),
    "PNG": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(50), {}, NOT_OURS + "a PNG image."),
    "Excel": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(50), {}, NOT_OURS + "a ZIP archive (an Excel workbook is one: save it as CSV)."),
    "random bytes": (random.Random(12).randbytes(3000), {}, NOT_OURS + "binary data (control character U+001E on line 1, character 10)."),
    "NUL bytes": (b"name,lat,lon\nKant,42.85,74.85\nOsh\0\0\0\0\0\0\0\0\0\0,40.5,72.8\n", {},
                  NOT_OURS + "binary data (a NUL byte on line 3, character 4)."),
    "no coordinates": (b"name,when,place\nKant,2003,Kyrgyzstan\n", {}, "No coordinate columns: the file has 'name', 'when', "
                       "'place'; expected lat and lon (or lat/lng, latitude/longitude, y/x)."),
    "header only": (b"name,lat,lon\n", {}, "The file has a header but no rows."),
    "over the bytes limit": (b"lat,lon\n" + b"1,2\n" * 30, {"max_bytes": 100}, "The file is 128 bytes; the limit is 100 bytes."),
    "over the rows limit": (b"lat,lon\n" + b"1,2\n" * 11, {"max_rows": 10}, "The file has more than 10 rows; the limit is 10."),
    "over the features limit": (collection(*[feature(1, 2)] * 11).encode(), {"max_rows": 10},
                                "The file has 11 features; the limit is 10."),
    "too many columns": (("lat,lon," + ",".join(f"c{i}" for i in range(1000)) + "\n1,2\n").encode(), {},
                         "The file has 1,002 columns; the limit is 1,000."),
    "broken JSON": (b'{"type": "FeatureCollection", "features": [}', {},
                    "The file looks like JSON but is not valid JSON: Expecting value: line 1 column 44 (char 43)."),
    "JSON nested too deep": (b"[" * 50_000 + b"]" * 50_000, {}, "The file looks like JSON but is nested too deeply to read."),
    "JSON, not GeoJSON": (b'{"sites": [1, 2]}', {}, "The file is JSON but not GeoJSON: expected a FeatureCollection or a Feature."),
    "no features": (collection().encode(), {}, "The GeoJSON has no features."),
}


@pytest.mark.parametrize(("data", "limits", "message"), FILE_PROBLEMS.values(), ids=FILE_PROBLEMS.keys())
def test_a_file_problem_is_one_message_and_no_points(data, limits, message, countries):
    upload = read(data, countries, **limits)
    assert upload.problems == (message,)
    assert not upload.ok and len(upload.rejects) == 0


def test_an_error_inside_is_still_one_message_never_a_traceback(countries, monkeypatch):
    def broken(*args):
        raise KeyError("a bug")

    monkeypatch.setattr(uploads, "_finish", broken)
    upload = read_points("points.csv", GOOD["lat/lon"].encode(), countries)
    assert upload.problems == ("The file could not be read: an error in the atlas (KeyError); please report it.",)
    assert not upload.ok and list(upload.points.columns) == COLUMNS + ["geometry"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        upload.points = None


def test_the_upload_limits_name_their_size_in_the_server_s_unit(countries):
    # One figure: the server takes server.maxUploadSize MiB (Streamlit's "MB" are 2**20 bytes), and so does the reader.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert MAX_BYTES == config["server"]["maxUploadSize"] * 2**20 == 52_428_800 and MAX_ROWS == 100_000
    assert read(b"x" * 65_116_569, countries).problems == ("The file is 62.1 MiB; the limit is 50 MiB.",)
    assert read(b"x" * (MAX_BYTES + 1), countries).problems == ("The file is 50.1 MiB; the limit is 50 MiB.",)
    many = b"lat,lon\n" + b"1,2\n" * (MAX_ROWS + 1)
    assert read(many, countries).problems == ("The file has more than 100,000 rows; the limit is 100,000.",)
    assert len(read(b"lat,lon\n" + b"42.87,74.59\n" * 10, countries, max_rows=10).points) == 10  # at the limit: read


def test_bad_rows_are_reported_by_number_and_the_good_ones_kept(countries):
    text = (
        "name,lat,lon,date\n"
        "Bishkek,42.87,74.59,2013\n"  # 2
        "north,,74.59,\n"  # 3: no latitude
        "pole,91,74.59,\n"  # 4
        "Almaty,43.24,76.89,2013-02-08\n"  # 5
        "words,forty,74.59,\n"  # 6
        "when,42.87,74.59,08/02/2013\n"  # 7
        "short,42.87\n"  # 8
        "\"two\nlines\",42.87,-181,\n"  # 9-10: a quoted line break; the row starts on line 9
        "long,42.87,74.59,2013,extra\n"  # 11
        "moon,42.87,74.59,2013-02-30\n"  # 12
        "digits,42.87,74.59,٢٠١٣\n"  # 13: not ASCII digits
    )
    upload = read(text, countries)
    assert seen(upload) == EXPECTED
    assert upload.points["row"].tolist() == [2, 5]
    assert upload.problems == (
        "2 rows have the wrong number of fields: rows 8, 11",
        "2 rows have coordinates that are not numbers: rows 3, 6",
        "2 rows have coordinates out of range (latitude -90 to 90, longitude -180 to 180): rows 4, 9",
        "3 rows have a date that is not YYYY, YYYY-MM or YYYY-MM-DD: rows 7, 12, 13",
    )
    rejects = upload.rejects
    assert rejects["row"].tolist() == [3, 4, 6, 7, 8, 9, 11, 12, 13]
    assert list(rejects.columns) == ["row", "reason", "name", "lat", "lon", "date", "(extra fields)"]
    by_row = rejects.set_index("row")
    assert by_row.loc[4, "reason"] == "coordinates out of range" and by_row.loc[4, "lat"] == "91"
    assert by_row.loc[7].tolist() == ["date is not YYYY, YYYY-MM or YYYY-MM-DD", "when", "42.87", "74.59", "08/02/2013", ""]
    assert by_row.loc[8].tolist() == ["2 fields; the header has 4", "short", "42.87", "", "", ""]
    assert by_row.loc[11, "(extra fields)"] == "extra"
    assert by_row.loc[9, "name"] == "two\nlines"  # the original cell, as it was


def test_many_bad_rows_list_the_first_few(countries):
    upload = read("lat,lon\n" + "x,y\n" * 7 + "42.87,74.59\n", countries)
    assert upload.problems == ("7 rows have coordinates that are not numbers: rows 2, 3, 4, 5, 6, …",)
    assert len(upload.points) == 1 and len(upload.rejects) == 7


def test_columns_named_like_the_rejects_own_keep_their_cells(countries):
    upload = read("row,reason,lat,lon,row\n1,why,91,0,2\n", countries)
    assert upload.rejects.to_dict("records") == [{"row": 2, "reason": "coordinates out of range", "row (2)": "1",
                                                  "reason (2)": "why", "lat": "91", "lon": "0", "row (3)": "2"}]


def test_a_row_that_is_not_csv_is_rejected_and_reading_goes_on(countries):
    upload = read("name,lat,lon\nBishkek,42.87,74.59\nbad\rrow,1,2\nAlmaty,43.24,76.89\n", countries)
    assert seen(upload) == EXPECTED
    assert upload.problems == ("1 row is not readable as CSV: row 3",)
    assert upload.rejects["reason"].iloc[0] == "not CSV: new-line character seen in unquoted field"  # no advice to programmers


def test_geojson_features_that_are_not_points_are_rejected_one_by_one(countries):
    polygon = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
               "properties": {"name": "area"}}
    nothing = {"type": "Feature", "geometry": None, "properties": {}}
    far = feature(95, 1, name="far")
    text = collection(feature(*BISHKEK, name="Bishkek"), polygon, "junk", nothing, feature(*ALMATY, name="Almaty"), far)
    upload = read(text, countries, "mixed.geojson")
    assert seen(upload) == EXPECTED and upload.points["row"].tolist() == [1, 5]
    assert upload.problems == (
        "1 feature is not a GeoJSON Feature: feature 3",
        "2 features are not Points: features 2, 4",
        "1 feature has coordinates out of range (latitude -90 to 90, longitude -180 to 180): feature 6",
    )
    reasons = ["Polygon, not a Point", "not a GeoJSON Feature", "no geometry, not a Point", "coordinates out of range"]
    assert upload.rejects["reason"].tolist() == reasons
    assert json.loads(upload.rejects["feature"].iloc[0]) == polygon  # the feature, whole, for the rejects download


def test_swapped_coordinates_are_swapped_back(countries):
    swapped = "name,lat,lon\nBishkek,74.59,42.87\nAlmaty,76.89,43.24\nUlaanbaatar,106.92,47.92\n"
    upload = read(swapped, countries)
    assert seen(upload) == EXPECTED + [("Ulaanbaatar", 47.92, 106.92, "MNG")]
    assert upload.notes == (SWAPPED,) and upload.problems == ()


@pytest.mark.parametrize(
    "rows",
    [
        ["Bishkek,42.87,74.59", "Almaty,76.89,43.24"],  # only one swapped: both kept as given
        ["Moscow,55.75,37.62", "Kazan,55.79,49.12"],  # in Russia as given: swapping would put them in Central Asia
        ["Boston,42.36,-71.06"],  # nowhere near, and swapped not a place either
    ],
)
def test_coordinates_are_not_swapped_unless_every_one_is(rows, countries):
    upload = read("name,lat,lon\n" + "\n".join(rows), countries)
    as_given = [(name, float(lat), float(lon)) for name, lat, lon in (row.split(",") for row in rows)]
    assert [(name, lat, lon) for name, lat, lon, _ in seen(upload)] == as_given
    assert SWAPPED not in upload.notes


HOSTILE = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "**bold** [link](javascript:alert(1)) $x^2$",
           "=HYPERLINK(\"http://x\")"]
BAD_URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", "/relative/path",
            "//evil.example/x", "https://x.example/\"><script>alert(1)</script>", "http:///nohost", "vbscript:msgbox(1)",
            "https://x.example/a b"]
GOOD_URLS = ["https://example.org/a?b=1&c=2#d", "HTTP://Example.org", "http://[::1]:8080/x", "https://user@host.example/p"]


def test_hostile_text_stays_text_and_only_http_links_are_kept(countries):
    rows = [{"name": HOSTILE[i % len(HOSTILE)], "lat": 42.87, "lon": 74.59, "url": url, "kind": HOSTILE[i % 2]}
            for i, url in enumerate(BAD_URLS + GOOD_URLS)]
    text = pd.DataFrame(rows).to_csv(index=False)
    geojson = collection(*[feature(r["lat"], r["lon"], title=r["name"], url=r["url"], kind=r["kind"]) for r in rows])
    for data in (text, geojson):
        upload = read(data, countries)
        assert upload.points["name"].tolist() == [r["name"] for r in rows]  # literally: escaping is the display's job
        assert upload.points["kind"].tolist() == [r["kind"] for r in rows]
        assert upload.points["url"].tolist() == [""] * len(BAD_URLS) + GOOD_URLS
        unit = "row" if data is text else "feature"
        first = ", ".join(str(r) for r in upload.points["row"][:5])
        said = f"{len(BAD_URLS)} {unit}s have a url that is not an http(s) link; it was left out: {unit}s {first}, …"
        assert upload.notes == (said,)


def test_a_source_that_is_a_link_stands_in_for_the_url(countries):
    text = "lat,lon,url,source\n1,2,,https://a.example\n1,2,https://b.example,https://a.example\n1,2,,Interfax\n"
    upload = read(text, countries)
    assert upload.points["url"].tolist() == ["https://a.example", "https://b.example", ""]
    assert upload.points["source"].tolist() == ["https://a.example", "https://a.example", "Interfax"]


def test_control_characters_are_removed_and_said(countries):
    text = "name,lat,lon,kind\nBish\x00kek\x1b,42.87 ,74.59\x00,a\tb\nAlmaty,43.24,76.89,\" two\nlines \"\n"
    upload = read(text, countries)
    assert seen(upload) == EXPECTED
    assert upload.points["kind"].tolist() == ["a b", "two lines"]  # tabs and line breaks become spaces
    assert upload.notes == ("1 row has control characters; they were removed: row 2",)


# ---- property tests: nothing a user uploads makes the parser raise, and no row goes missing ----

HEADER_NAMES = ["lat", "lon", "Latitude", " LONGITUDE ", "lng", "x", "y", "name", "title", "date", "kind", "country",
                "url", "source", "", " ", "row", "reason", "notes", "Ünïcode", "lat2", "(extra fields)"]
TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r\",;' \x00"), max_size=12)
SAMPLES = ["42.87", "74.59", "43,24", "-91", "1e3", "2013", "2013-02", "2013-02-30", "KAZ", "Kazakhstan", "https://a.b",
           "javascript:x"]
CELLS = st.one_of(TEXT, st.sampled_from(SAMPLES), st.floats(-200, 200).map(str), st.floats().map(str))
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def tables_of_rows(draw) -> tuple[list[str], list[list[str]]]:
    """A header, with coordinate columns most of the time, and rows mostly as long as it."""
    header = draw(st.lists(st.sampled_from(HEADER_NAMES), max_size=5))
    if draw(st.booleans()):
        header += [draw(st.sampled_from(["lat", "Latitude", "y"])), draw(st.sampled_from(["lon", " lng", "Longitude", "x"]))]
    header = draw(st.permutations(header)) if "".join(header).strip() else ["lat", "lon"]
    width = st.just(len(header)) | st.integers(0, len(header) + 2)
    rows = draw(st.lists(width.flatmap(lambda n: st.lists(CELLS, min_size=n, max_size=n)), max_size=15))
    return header, rows


def has_coordinates(header: list[str]) -> bool:
    names = {n.strip().casefold() for n in header}
    return bool(names & {"lat", "latitude", "y"}) and bool(names & {"lon", "lng", "long", "longitude", "x"})


@QUICK
@given(data=st.binary(max_size=2000))
def test_random_bytes_never_raise(data, countries):
    read(data, countries)


@QUICK
@given(table=tables_of_rows(), delimiter=st.sampled_from(",;\t"), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_random_csv_never_raises_and_every_row_is_kept_or_rejected(table, delimiter, encoding, countries):
    header, rows = table
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows([header, *rows])
    text = out.getvalue()
    upload = read(text.encode(encoding), countries)
    sample = text[:4096]
    if sum(1 for c in sample if ord(c) < 32 and c not in "\t\r\n" or 0x7F <= ord(c) < 0xA0) * 10 > len(sample):
        # Mostly control characters: refused as binary, naming where (never misread as another encoding).
        assert len(upload.problems) == 1 and "binary data" in upload.problems[0], upload.problems
        return
    if not has_coordinates(header):
        assert len(upload.problems) == 1 and upload.problems[0].startswith("No coordinate columns")
        assert len(upload.rejects) == 0
        return
    data_rows = [r for r in rows if "".join(r).strip()]
    if not data_rows:
        assert upload.problems == ("The file has a header but no rows.",)
        return
    numbers = upload.points["row"].tolist() + upload.rejects["row"].tolist()
    assert len(numbers) == len(set(numbers)) == len(data_rows)  # each row once: kept or rejected
    assert upload.rejects["reason"].str.len().gt(0).all()
    assert upload.points["lat"].between(-90, 90).all() and upload.points["lon"].between(-180, 180).all()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT | st.sampled_from(["type", "name"]), inner, max_size=4),
    max_leaves=12,
)
NUMBER = st.floats(-200, 200) | st.integers(-200, 200)
COORDINATES = st.lists(NUMBER, min_size=2, max_size=3) | st.lists(NUMBER | JSON, max_size=3) | JSON
POINTISH = st.just("Point") | st.sampled_from(["LineString", "point"]) | JSON
GEOMETRY = st.fixed_dictionaries({"type": POINTISH, "coordinates": COORDINATES}) | JSON
KEYS = st.sampled_from(["name", "Title", "date", "kind", "countries", "country", "url", "source", "other"]) | TEXT
PROPERTIES = st.dictionaries(KEYS, CELLS | JSON, max_size=5) | JSON
FEATURISH = st.just("Feature") | st.sampled_from(["feature", "Point"])
FEATURE = st.fixed_dictionaries({"type": FEATURISH, "geometry": GEOMETRY, "properties": PROPERTIES}) | JSON


@QUICK
@given(data=JSON)
def test_random_json_never_raises(data, countries):
    read(json.dumps(data), countries, "random.geojson")


@QUICK
@given(features=st.lists(FEATURE, min_size=1, max_size=10))
def test_random_geojson_never_raises_and_every_feature_is_kept_or_rejected(features, countries):
    upload = read(json.dumps({"type": "FeatureCollection", "features": features}), countries, "random.geojson")
    assert len(upload.points) + len(upload.rejects) == len(features)
    numbers = upload.points["row"].tolist() + upload.rejects["row"].tolist()
    assert sorted(numbers) == list(range(1, len(features) + 1))  # each feature once: kept or rejected


def walked(text: str):
    """What uploads._members makes of a text: the object (its features array as a count) and the items
    taken, each with its place; or the error it raises."""
    taken = []
    try:
        return uploads._members(text, lambda item, start, end: taken.append((item, text[start:end]))), taken
    except ValueError as error:
        return type(error), str(error)


@QUICK
@given(data=st.dictionaries(st.sampled_from(["type", "features", "crs", "x"]), JSON | st.lists(FEATURE, max_size=4), max_size=4),
       space=st.sampled_from(["", " ", "\n  ", "\t"]), cut=st.integers(0, 400))
def test_a_collection_read_feature_by_feature_is_what_json_loads_reads(data, space, cut):
    # The same objects, and the same errors at the same places, as json.loads, for whole and cut-short texts.
    text = json.dumps(data, indent=space or None)
    result, taken = walked(text)
    expected = json.loads(text)
    if isinstance(expected.get("features"), list):
        assert [json.loads(source) for _, source in taken] == [item for item, _ in taken] == expected["features"]
        expected["features"] = len(expected["features"])
    assert result == expected
    broken = text[:cut]
    try:
        json.loads(broken, strict=False)
    except ValueError as error:
        assert walked(broken) == (type(error), str(error))


def test_a_collection_with_two_feature_arrays_is_refused(countries):
    text = '{"type": "FeatureCollection", "features": [], "features": []}'
    assert read(text, countries).problems == ('The file looks like JSON but is not valid JSON: "features" given twice: line 1 column 59 (char 58).',)


def geoparquet(frame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


def test_geoparquet_points_are_read_in_any_crs_and_other_geometries_rejected_by_row(countries):
    import geopandas as gpd
    import shapely

    hostile = '<img src=x onerror="alert(1)">'
    frame = gpd.GeoDataFrame(
        {
            "Title": [hostile, "Almaty", "a road", "nowhere"],
            "date": pd.to_datetime(["2020-01-02", None, "2021-05-01", "2022-01-01"]),
            "url": ["https://example.org/a", "javascript:alert(1)", None, None],
        },
        geometry=[shapely.Point(BISHKEK[::-1]), shapely.Point(ALMATY[::-1]), shapely.LineString([(70, 40), (71, 41)]), None],
        crs="EPSG:4326",
    )
    upload = read(geoparquet(frame.to_crs("EPSG:3857")), countries, name="points.parquet")  # metres: turned back to degrees
    points = upload.points
    assert list(points["name"]) == [hostile, "Almaty"]  # text stays text
    assert [round(v, 4) for v in points["lat"]] == [BISHKEK[0], ALMATY[0]]
    assert [round(v, 4) for v in points["lon"]] == [BISHKEK[1], ALMATY[1]]
    assert list(points["country"]) == ["KGZ", "KAZ"]
    assert list(points["date"]) == ["2020-01-02", ""] and list(points["url"]) == ["https://example.org/a", ""]
    assert upload.problems == ("2 rows are not Points: rows 3, 4",)
    assert list(upload.rejects["row"]) == [3, 4]
    assert list(upload.rejects["reason"]) == ["LineString, not a Point", "no geometry, not a Point"]
    assert list(upload.rejects["Title"]) == ["a road", "nowhere"]
    assert upload.rejects["(geometry)"].iloc[0].startswith("LINESTRING")


def test_a_geoparquet_file_of_good_points_gives_every_one_and_no_rejects(countries):
    import geopandas as gpd

    frame = gpd.GeoDataFrame({"name": ["Bishkek", "Almaty"], "notes": ["a", "b"]}, crs="EPSG:4326",
                             geometry=gpd.points_from_xy([BISHKEK[1], ALMATY[1]], [BISHKEK[0], ALMATY[0]]))
    upload = read(geoparquet(frame), countries, name="points.parquet")
    assert seen(upload) == EXPECTED
    assert upload.problems == () and len(upload.rejects) == 0


def test_parquet_problems_are_one_message_each(countries):
    import geopandas as gpd
    import shapely

    plain = io.BytesIO()
    pd.DataFrame({"lat": [42.87], "lon": [74.59]}).to_parquet(plain)
    assert read(plain.getvalue(), countries).problems == (
        "This is a Parquet file with no geometry (no GeoParquet metadata): "
        "save it as GeoParquet, as CSV with lat and lon columns, or as GeoJSON.",
    )
    assert read(b"PAR1" + bytes(100), countries).problems[0].startswith("The file starts like Parquet but cannot be read: ")
    three = geoparquet(gpd.GeoDataFrame(geometry=[shapely.Point(74.59, 42.87)] * 3, crs="EPSG:4326"))
    assert read(three, countries, max_rows=2).problems == ("The file has 3 rows; the limit is 2.",)  # from the footer
    assert len(read(three, countries, max_rows=3).points) == 3


@QUICK
@given(data=st.binary(max_size=2000))
def test_random_bytes_after_the_parquet_magic_never_raise(data, countries):
    read(b"PAR1" + data, countries)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_and_said(encoding, countries):
    upload = read("name,lat,lon\nБишкек,42.87,74.59\n".encode(encoding), countries)
    assert seen(upload) == [("Бишкек", *BISHKEK, "KGZ")]
    assert upload.notes == ("The file is UTF-16 text without a byte order mark; it was read as UTF-16.",)


def test_a_quote_left_open_is_named_with_the_lines_it_swallowed(countries):
    upload = read('name,lat,lon\nBishkek,42.87,74.59\n"Osh,40.51,72.80\nAlmaty,43.24,76.89\nKant,42.85,74.85\n', countries)
    assert seen(upload) == [EXPECTED[0]]
    assert upload.problems == ("1 row has a quote that is not closed, so the lines after it were read as part of it: row 3",)
    assert upload.rejects.loc[0, "reason"] == "a quote opened on line 3 is not closed: lines 3 to 5 were read as one row"


# --- bounded by what a file holds -----------------------------------------------------------------

def test_a_cell_over_the_limit_is_a_reject_not_a_point_in_every_format(countries):
    import geopandas as gpd

    long = "x" * (uploads.MAX_CELL + 1)
    files = {
        "csv": f"name,lat,lon\nBishkek,42.87,74.59\n{long},43.24,76.89\n",
        "geojson": collection(feature(*BISHKEK, name="Bishkek"), feature(*ALMATY, name=long)),
        "geoparquet": geoparquet(gpd.GeoDataFrame({"name": ["Bishkek", long]}, crs="EPSG:4326",
                                                  geometry=gpd.points_from_xy([BISHKEK[1], ALMATY[1]], [BISHKEK[0], ALMATY[0]]))),
    }
    for kind, data in files.items():
        upload = read(data, countries, name=f"points.{kind}")
        assert seen(upload) == [EXPECTED[0]], kind
        said = {"csv": "row 3", "geojson": "feature 2", "geoparquet": "row 2"}[kind]  # a CSV's rows are its lines
        assert upload.problems == (f"1 {said.split()[0]} has a cell longer than 10,000 characters: {said}",), kind
        assert upload.rejects["reason"].tolist() == ["a cell is longer than 10,000 characters"], kind
    # At the limit: a point. The rejects show a long cell by its start and length, not whole.
    assert len(read(f"name,lat,lon\n{long[1:]},42.87,74.59\n", countries).points) == 1
    parquet = read(files["geoparquet"], countries, name="points.parquet")
    assert parquet.rejects["name"].tolist() == ["x" * 100 + "… (10,001 characters)"]


def bomb(rows: int, length: int, distinct: int = 1, compression: str = "zstd") -> bytes:
    """A small GeoParquet file whose text decodes to rows × length characters (dictionary-encoded:
    each distinct value stored once), built without ever holding the decoded text."""
    import geopandas as gpd
    import numpy as np

    values = [f"{i:06d}".ljust(length, chr(ord("A") + i % 26)) for i in range(distinct)]
    names = pd.Categorical.from_codes(np.arange(rows) % distinct, categories=values)
    frame = gpd.GeoDataFrame({"name": names}, geometry=gpd.points_from_xy([76.0] * rows, [43.0] * rows), crs="EPSG:4326")
    buffer = io.BytesIO()
    frame.to_parquet(buffer, compression=compression)
    return buffer.getvalue()


def test_the_issue_s_geoparquet_bomb_is_refused_at_once(countries):
    # 90,000 rows of a 6,000-character name: 540 MB of text in an 8 KB file. Its footer says 6,658 bytes.
    import geopandas as gpd

    buffer = io.BytesIO()
    gpd.GeoDataFrame({"name": ["A" * 6000] * 90000}, geometry=gpd.points_from_xy([76] * 90000, [43] * 90000), crs=4326).to_parquet(buffer, compression="zstd")
    data = buffer.getvalue()
    assert len(data) < 10_000
    with peak_memory() as peak:
        upload = read(data, countries, name="bomb.parquet")
    assert upload.problems == ("The file holds over 50 MiB of data once decompressed; the limit is 50 MiB.",)
    assert not upload.ok and len(upload.rejects) == 0
    assert peak() < PARQUET_PEAK


def test_a_file_whose_footer_states_too_much_data_is_refused_before_reading(countries):
    upload = read(bomb(2_000, 1_000, distinct=2_000, compression="snappy"), countries, max_data=2**20)
    assert upload.problems == ("The file holds 2 MiB of data once decompressed; the limit is 1 MiB.",)


class peak_memory:
    """The process's peak resident memory over a block, above what it held when the block began
    (Linux: /proc/self/clear_refs resets the high-water mark): Arrow's and GEOS's allocations included,
    which tracemalloc does not see."""

    @staticmethod
    def _kb(field: str) -> int:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(field))

    def __enter__(self):
        import gc

        gc.collect()
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
        self.before, self.peak = self._kb("VmRSS:") * 1024, None
        return lambda: self.peak

    def __exit__(self, *exc):
        self.peak = self._kb("VmHWM:") * 1024 - self.before


# What refusing any GeoParquet file may cost, whatever it decodes to: the text decoded before the
# count passes the limit (at most MAX_DATA) and one batch of rows more, with room for the libraries.
PARQUET_PEAK = 2 * uploads.MAX_DATA + 64 * 2**20


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    rows=st.integers(2_000, 100_000),
    over=st.floats(1.05, 40.0),
    distinct=st.integers(1, 50),
    compression=st.sampled_from(["zstd", "gzip", "snappy", "brotli"]),
)
def test_small_parquet_files_that_decode_past_the_limit_are_refused_within_a_memory_bound(rows, over, distinct, compression, countries):
    length = int(uploads.MAX_DATA * over / rows) + 1  # the text decodes to `over` times the limit
    data = bomb(rows, length, distinct, compression)
    assert len(data) < uploads.MAX_DATA / 20  # small on disk: the file's size says nothing
    with peak_memory() as peak:
        upload = read(data, countries, name="bomb.parquet")
    assert not upload.ok
    assert upload.problems[0].startswith("The file holds ") and "of data once decompressed; the limit is 50 MiB." in upload.problems[0]
    assert peak() < PARQUET_PEAK, f"{peak() / 2**20:.0f} MiB to refuse {len(data):,} bytes"


def test_utf8_with_nul_bytes_is_not_misread_as_utf16(countries):
    """A short UTF-8 file whose cells are NUL bytes has zeros at every other byte, like UTF-16
    without a byte order mark; read as UTF-16 it became CJK characters and "no coordinate
    columns". It is refused as binary, naming where; real UTF-16 without a BOM is still read."""
    upload = read(b"lat,lon\n\x00,\x00\n", countries)
    assert len(upload.problems) == 1 and "binary data" in upload.problems[0], upload.problems
    utf16 = read("lat,lon,name\n43.1,74.5,Кант\n".encode("utf-16-le"), countries)
    assert list(utf16.points["name"]) == ["Кант"] and not utf16.problems
