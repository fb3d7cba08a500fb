"""A broken copy of each data file is refused with one message naming file, row, column and fault."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from datafiles import edit_feature, edit_row, feature_index, first_row, read_features, read_rows, write_rows
from strategic_sites import AtlasError, load_atlas
from strategic_sites.data.atlas import file_specs


def problems_of(folder) -> list[str]:
    with pytest.raises(AtlasError) as info:
        load_atlas(folder)
    return [str(p) for p in info.value.problems]


def assert_reported(folder, *fragments):
    problems = problems_of(folder)
    assert any(all(f in p for f in fragments) for p in problems), f"no problem says {fragments}; got {problems}"
    return problems


def test_the_shipped_data_loads(atlas):
    assert atlas.counts["sites"] == len(atlas.sites) > 0


# --- CSV files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, column, value, expected",
    [
        ("sources.csv", "url", "ftp://example.org/x", "must be blank or an http(s) URL"),
        ("sources.csv", "published", "15 Feb 2014", "must be an ISO date"),
        ("sources.csv", "title", "", "must not be blank"),
        ("control.csv", "status", "leased", "must be one of: soviet, russian_lease"),
        ("control.csv", "start", "1994-13-01", "must be an ISO date"),
        ("control.csv", "source_id", "", "must list one or more source ids"),
        ("leases.csv", "annual_rent_usd", "115m", "must be blank or a number of US dollars"),
        ("leases.csv", "lessor", "Kazakhstan", "ISO 3166-1 alpha-3"),
        ("leases.csv", "area_km2", "-5", "positive number"),
        ("events.csv", "kind", "war", "must be one of: agreement"),
        ("events.csv", "countries", "KAZ,RUS", "ISO 3166-1 alpha-3 country codes separated by ';'"),
        ("events.csv", "date", "2013-02-30", "must be an ISO date"),
    ],
)
def test_a_bad_cell_is_named_by_file_line_and_column(shipped_copy, name, column, value, expected):
    line = edit_row(shipped_copy, name, 0, **{column: value})
    assert_reported(shipped_copy, f"{name} line {line}", f"column '{column}'", repr(value) if value else "blank", expected)


def test_duplicate_ids_are_refused(shipped_copy):
    rows = read_rows(shipped_copy / "sources.csv")
    rows[1]["id"] = rows[0]["id"]
    write_rows(shipped_copy / "sources.csv", rows)
    assert_reported(shipped_copy, "sources.csv line 3", "column 'id'", "used more than once")


def test_a_missing_column_is_named(shipped_copy):
    rows = read_rows(shipped_copy / "control.csv")
    write_rows(shipped_copy / "control.csv", [{k: v for k, v in r.items() if k != "status"} for r in rows])
    assert_reported(shipped_copy, "control.csv", "column 'status'", "required column is missing")


def test_a_missing_column_checked_across_the_row_is_named_once(shipped_copy):
    """events.csv's date is also checked against date_precision: without it, only the missing column is said."""
    rows = read_rows(shipped_copy / "events.csv")
    write_rows(shipped_copy / "events.csv", [{k: v for k, v in r.items() if k != "date"} for r in rows])
    assert problems_of(shipped_copy) == ["events.csv column 'date': required column is missing"]


def test_a_row_with_too_many_fields_is_named(shipped_copy):
    path = shipped_copy / "leases.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",surplus"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_reported(shipped_copy, "leases.csv line 3", "fields but the header has")


def test_a_file_that_is_not_text_is_named(shipped_copy):
    (shipped_copy / "events.csv").write_bytes(b"id,date\n\xff\xfe\x00garbage")
    assert_reported(shipped_copy, "events.csv", "is not UTF-8")


def test_a_latin1_character_is_named_by_its_line_and_character(shipped_copy):
    path = shipped_copy / "events.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    data = "\n".join(lines[:40]).encode("utf-8") + b"\n\xc9" + "\n".join(lines[40:]).encode("utf-8")  # É in Latin-1 opens line 41
    path.write_bytes(data)
    assert problems_of(shipped_copy) == [
        "events.csv line 41: is not UTF-8 text at character 1 (byte 0xC9); the file may be Latin-1 or "
        "Windows-1252: save it as UTF-8"
    ]


def test_a_utf16_file_is_named_as_utf16(shipped_copy):
    path = shipped_copy / "leases.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    assert problems_of(shipped_copy) == ["leases.csv: is UTF-16 text; the atlas reads UTF-8: save it as UTF-8"]


def test_a_missing_file_is_named(shipped_copy):
    (shipped_copy / "leases.csv").unlink()
    assert_reported(shipped_copy, "leases.csv", "file is missing")


def test_unknown_site_and_source_ids_are_named(shipped_copy):
    line = edit_row(shipped_copy, "control.csv", 0, site_id="atlantis", source_id="no-such-source")
    problems = assert_reported(shipped_copy, f"control.csv line {line}", "column 'site_id'", "'atlantis' is not a known site id")
    assert any("'no-such-source' is not a known source id" in p for p in problems)


def test_an_event_concerning_an_unknown_site_is_refused(shipped_copy):
    line = edit_row(shipped_copy, "events.csv", 0, concerns="kant;atlantis")
    assert_reported(shipped_copy, f"events.csv line {line}", "column 'concerns'", "'atlantis' is not a known site id")


def test_an_end_before_its_start_is_refused(shipped_copy):
    line = edit_row(shipped_copy, "leases.csv", 0, start="2000-01-01", end="1999-01-01")
    assert_reported(shipped_copy, f"leases.csv line {line}", "column 'end'", "is not after start")


def test_overlapping_control_periods_of_one_site_are_refused(shipped_copy):
    rows = read_rows(shipped_copy / "control.csv")
    ongoing = next(r for r in rows if r["end"] == "")
    rows.append(dict(ongoing, start=str(int(ongoing["start"][:4]) + 1)))
    write_rows(shipped_copy / "control.csv", rows)
    assert_reported(shipped_copy, "control.csv", f"line {len(rows) + 1}", f"period of {ongoing['site_id']!r}", "overlaps")


def test_a_soviet_period_after_1991_is_refused(shipped_copy):
    index = first_row(shipped_copy, "control.csv", status="soviet")
    line = edit_row(shipped_copy, "control.csv", index, end="1995")
    assert_reported(shipped_copy, f"control.csv line {line}", "must end by 1992")


def test_an_event_away_from_any_site_needs_coordinates(shipped_copy):
    line = edit_row(shipped_copy, "events.csv", 0, site_id="", lat="", lon="")
    assert_reported(shipped_copy, f"events.csv line {line}", "needs lat and lon")


def test_date_precision_must_match_the_date(shipped_copy):
    index = first_row(shipped_copy, "events.csv", date_precision="day")
    line = edit_row(shipped_copy, "events.csv", index, date_precision="year")
    assert_reported(shipped_copy, f"events.csv line {line}", "date_precision does not match")


def test_a_date_that_does_not_match_its_precision_is_one_problem_of_its_row(shipped_copy):
    index = first_row(shipped_copy, "events.csv", date_precision="day")
    line = edit_row(shipped_copy, "events.csv", index, date_precision="year")
    assert problems_of(shipped_copy) == [f"events.csv line {line}: date_precision does not match the form of date"]


@pytest.mark.parametrize(
    "name, column, match, value",
    [
        ("events.csv", "date", {"date_precision": "year"}, "٢٠١٣"),  # Arabic-Indic digits: int() reads 2013
        ("events.csv", "date", {"date_precision": "day"}, "2013-٠٢-08"),
        ("control.csv", "start", {}, "１９９４"),  # fullwidth
        ("sources.csv", "published", {}, "२०१४"),  # Devanagari
    ],
)
def test_a_date_in_digits_of_another_script_is_refused(shipped_copy, name, column, match, value):
    line = edit_row(shipped_copy, name, first_row(shipped_copy, name, **match), **{column: value})
    assert problems_of(shipped_copy) == [f"{name} line {line}, column '{column}': {value!r} must be an ISO date: YYYY, YYYY-MM or YYYY-MM-DD"]


# --- GeoJSON files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column, value, expected",
    [
        ("kind", "spaceport", "must be one of: cosmodrome"),
        ("country", "KZ", "ISO 3166-1 alpha-3"),
        ("location_precision", "roughly", "must be one of: exact, approximate"),
        ("id", "Baikonur Cosmodrome", "lowercase slug"),
        ("sources", "", "must list one or more source ids"),
    ],
)
def test_a_bad_site_property_is_named_by_feature_and_column(shipped_copy, column, value, expected):
    number = edit_feature(shipped_copy, "sites.geojson", 0, **{column: value})
    assert_reported(shipped_copy, f"sites.geojson feature {number}", f"column '{column}'", expected)


def test_a_site_outside_its_host_country_is_refused(shipped_copy):
    index = feature_index(shipped_copy, "sites.geojson", id="kant")
    number = edit_feature(shipped_copy, "sites.geojson", index, geometry={"type": "Point", "coordinates": [76.95, 43.24]})
    assert_reported(shipped_copy, f"sites.geojson feature {number} ('kant')", "column 'country'", "'KGZ' but the point lies in KAZ")


def test_a_site_off_the_globe_is_refused(shipped_copy):
    number = edit_feature(shipped_copy, "sites.geojson", 0, geometry={"type": "Point", "coordinates": [263.3, 45.9]})
    assert_reported(shipped_copy, f"sites.geojson feature {number}", "longitude must be a number in [-180, 180]")


def test_a_site_that_is_not_a_point_is_refused(shipped_copy):
    number = edit_feature(shipped_copy, "sites.geojson", 1, geometry={"type": "LineString", "coordinates": [[63, 45], [64, 46]]})
    assert_reported(shipped_copy, f"sites.geojson feature {number}", "geometry", "is a LineString; expected Point")


@pytest.mark.parametrize("geometry", [None, {"type": "Point"}, "here"])
def test_a_site_without_a_geometry_is_one_problem_not_one_per_row_that_names_it(shipped_copy, geometry):
    path = shipped_copy / "sites.geojson"
    doc = read_features(path)
    index = feature_index(shipped_copy, "sites.geojson", id="kant")  # named by control, lease and event rows
    doc["features"][index]["geometry"] = geometry
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert problems_of(shipped_copy) == [
        f"sites.geojson feature {index + 1} ('kant'), column 'geometry': is missing or not a GeoJSON geometry"
    ]


def test_broken_json_is_named_with_its_line(shipped_copy):
    path = shipped_copy / "sites.geojson"
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    assert_reported(shipped_copy, "sites.geojson line", "is not valid JSON")


def test_a_self_intersecting_area_is_refused(shipped_copy):
    bowtie = {"type": "Polygon", "coordinates": [[[63, 45], [64, 46], [64, 45], [63, 46], [63, 45]]]}
    number = edit_feature(shipped_copy, "areas.geojson", 0, geometry=bowtie)
    assert_reported(shipped_copy, f"areas.geojson feature {number}", "is not a valid polygon", "Self-intersection")


def test_a_bad_area_kind_is_named(shipped_copy):
    number = edit_feature(shipped_copy, "areas.geojson", 0, area_kind="zone")
    assert_reported(shipped_copy, f"areas.geojson feature {number}", "column 'area_kind'", "must be one of")


def test_every_problem_is_reported_at_once(shipped_copy):
    edit_row(shipped_copy, "control.csv", 0, status="leased")
    edit_row(shipped_copy, "events.csv", 0, kind="war")
    edit_feature(shipped_copy, "sites.geojson", 0, kind="spaceport")
    problems = problems_of(shipped_copy)
    assert {p.split(" ")[0] for p in problems} >= {"control.csv", "events.csv", "sites.geojson"}


def test_the_error_report_is_one_readable_message(shipped_copy):
    edit_row(shipped_copy, "control.csv", 0, status="leased")
    with pytest.raises(AtlasError) as info:
        load_atlas(shipped_copy)
    report = str(info.value)
    assert report.startswith("The atlas data in 'geodata' has 1 problem:")
    assert "- control.csv line 2, column 'status': 'leased' must be one of" in report


def test_every_check_is_the_projects_own_with_its_message():
    """Problems are worded from each check's own message: no schema leaves a check to pandera's built-ins
    (whose internal names the report would otherwise have to know), and each names its file as read."""
    for spec in file_specs():
        assert spec.schema.name == spec.name
        for name, column in spec.schema.columns.items():
            assert column.dtype is None and not column.unique, f"{spec.name} {name}"
            assert all(isinstance(check.error, str) and check.error for check in column.checks), f"{spec.name} {name}"
        assert all(isinstance(check.error, str) and check.error for check in spec.schema.checks)


# --- the contributor's command ---------------------------------------------------------------------


def run_validate(folder):
    return subprocess.run(
        [sys.executable, "-m", "strategic_sites", "validate", str(folder)], capture_output=True, text=True, timeout=120
    )


def test_validate_command_accepts_the_shipped_data(atlas):
    result = run_validate(atlas.folder)
    assert result.returncode == 0, result.stderr
    assert "valid (" in result.stdout and f"{atlas.counts['sites']} sites" in result.stdout


def test_validate_command_fails_with_the_problem_and_no_traceback(shipped_copy):
    line = edit_row(shipped_copy, "control.csv", 0, status="leased")
    result = run_validate(shipped_copy)
    assert result.returncode == 1
    assert f"control.csv line {line}, column 'status'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_validate_command_on_a_missing_folder(tmp_path):
    result = run_validate(tmp_path / "nope")
    assert result.returncode == 1
    assert "is not a folder" in result.stderr and "Traceback" not in result.stderr


def test_hostile_text_is_kept_as_text(shipped_copy):
    """Markup in data is data: the loader keeps it verbatim (the UI escapes it where shown)."""
    hostile = '<img src=x onerror="alert(1)">'
    edit_feature(shipped_copy, "sites.geojson", 0, name=hostile)
    assert hostile in set(load_atlas(shipped_copy).sites["name"])


@pytest.mark.parametrize("delimiter, said", [(";", "semicolons"), ("\t", "tabs")])
def test_a_file_separated_by_another_character_is_named_once(shipped_copy, delimiter, said):
    path = shipped_copy / "leases.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", delimiter), encoding="utf-8")
    found = problems_of(shipped_copy)
    assert len(found) == 1 and found[0].startswith("leases.csv:") and said in found[0]  # not one per column


def test_a_control_character_in_text_is_named_with_its_line(shipped_copy):
    row = first_row(shipped_copy, "events.csv", id="2013-07-02-proton-m-crash")
    title = read_rows(shipped_copy / "events.csv")[row]["title"]
    line = edit_row(shipped_copy, "events.csv", row, title=title + "\x00")
    assert problems_of(shipped_copy) == [f"events.csv line {line}, column 'title': holds a control character (U+0000); remove it"]


# --- confidence grades --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["control.csv", "leases.csv", "events.csv"])
@pytest.mark.parametrize("value", ["certain", "", "Confirmed "])
def test_a_confidence_outside_the_vocabulary_is_named(shipped_copy, name, value):
    line = edit_row(shipped_copy, name, 0, confidence=value)
    assert_reported(shipped_copy, f"{name} line {line}", "column 'confidence'", "must be one of: confirmed, reported, disputed, unconfirmed")


def test_a_disputed_fact_must_give_the_other_value(shipped_copy):
    index = first_row(shipped_copy, "leases.csv", confidence="reported")
    line = edit_row(shipped_copy, "leases.csv", index, confidence="disputed")
    assert_reported(shipped_copy, f"leases.csv line {line}", "column 'dispute_field'", "give the other value in dispute_field, dispute_value and dispute_source_id")


def test_the_other_value_is_only_for_a_disputed_fact(shipped_copy):
    index = first_row(shipped_copy, "events.csv", confidence="reported")
    line = edit_row(shipped_copy, "events.csv", index, dispute_value="2011")
    assert_reported(shipped_copy, f"events.csv line {line}", "column 'dispute_value'", "only for a row whose confidence is 'disputed'")


def test_a_dispute_names_a_column_of_its_file_and_a_known_source(shipped_copy):
    index = first_row(shipped_copy, "control.csv", confidence="disputed")
    line = edit_row(shipped_copy, "control.csv", index, dispute_field="rent", dispute_source_id="no-such-source")
    problems = assert_reported(shipped_copy, f"control.csv line {line}", "column 'dispute_field'", "'rent' is not one of the columns a dispute can concern: start, end, status, operator")
    assert any(f"control.csv line {line}" in p and "'no-such-source' is not a known source id" in p for p in problems)


def test_a_folder_without_confidence_columns_grades_every_fact_reported(shipped_copy):
    """A contributor's older folder still loads: every fact reads as 'reported', none disputed."""
    for name in ("control.csv", "leases.csv", "events.csv"):
        rows = read_rows(shipped_copy / name)
        kept = [c for c in rows[0] if c not in ("confidence", "dispute_field", "dispute_value", "dispute_source_id")]
        write_rows(shipped_copy / name, [{c: row[c] for c in kept} for row in rows], kept)
    atlas = load_atlas(shipped_copy)
    for frame in (atlas.control, atlas.leases, atlas.events):
        assert set(frame["confidence"].astype(str)) == {"reported"}
        assert (frame["dispute_field"] == "").all()
