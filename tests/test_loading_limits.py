"""Large event files: refused at once when over the limits, loaded with the same values when not."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import tracemalloc
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from datafiles import edit_row, read_rows, write_rows
from strategic_sites import AtlasError, load_atlas
from strategic_sites.data import csvrecords
from strategic_sites.data import atlas as data
from strategic_sites.core import text
from strategic_sites.core.vocab import EVENT_KINDS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from synthetic import generate  # noqa: E402


def problems_of(folder) -> list[str]:
    with pytest.raises(AtlasError) as info:
        load_atlas(folder)
    return [str(p) for p in info.value.problems]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """The shipped data grown to 1,000 events (bench/synthetic.py, seed 1)."""
    return generate(tmp_path_factory.mktemp("synthetic") / "atlas", 1000)


@pytest.fixture(scope="module")
def synthetic_atlas(synthetic):
    return load_atlas(synthetic)


# --- the limits -------------------------------------------------------------------------------------


def test_the_limits_let_100000_events_in_and_keep_a_50_mb_file_out():
    # 100,000 events of ~300 bytes (bench/synthetic.py writes 30.6 MB) must load; 50 MB must not.
    assert 100_000 * 310 < data.MAX_EVENTS_BYTES < 50_000_000
    assert 100_000 < data.MAX_EVENTS_ROWS < 175_000


def test_a_50_mb_events_file_is_refused_before_it_is_read(tmp_path):
    """Refused from its size alone: loading takes no more memory than a small fraction of the file."""
    shipped = (ROOT / "geodata" / "events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "events.csv"  # alone in its folder, so that only its own reading is measured
    with path.open("w", encoding="utf-8") as fh:
        fh.write(shipped[0])
        while fh.tell() < 50_000_000:
            fh.write("".join(shipped[1:]))
    size = path.stat().st_size

    tracemalloc.start()
    try:
        problems = problems_of(tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (
        f"events.csv: is {-(-size // 100_000) / 10:g} MB ({size:,} bytes); the atlas reads at most 40 MB "
        "(MAX_EVENTS_BYTES = 40,000,000 in strategic_sites/data/atlas.py), so it was not read. Split the data or raise the limit."
    ) in problems
    assert sum(p.startswith("events.csv") for p in problems) == 1  # the other problems: the folder holds no other file
    assert peak < 2_000_000, f"refusing a {size:,}-byte file took {peak:,} bytes of memory"


def test_a_file_one_byte_over_the_limit_is_refused_by_the_validate_command(shipped_copy):
    """A sparse file: its size is over the limit, though nothing was written to it."""
    with (shipped_copy / "events.csv").open("wb") as fh:
        fh.truncate(data.MAX_EVENTS_BYTES + 1)
    result = subprocess.run(
        [sys.executable, "-m", "strategic_sites", "validate", str(shipped_copy)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    # Sizes are rounded up: one byte over the limit never reads as the limit itself.
    assert "events.csv: is 40.1 MB (40,000,001 bytes); the atlas reads at most 40 MB (MAX_EVENTS_BYTES = 40,000,000" in result.stderr
    assert "has 1 problem:" in result.stderr and "Traceback" not in result.stderr


def test_the_byte_limit_is_inclusive(shipped_copy, monkeypatch):
    size = (shipped_copy / "events.csv").stat().st_size
    monkeypatch.setattr(data, "MAX_EVENTS_BYTES", size)
    assert len(load_atlas(shipped_copy).events) == len(read_rows(shipped_copy / "events.csv"))
    monkeypatch.setattr(data, "MAX_EVENTS_BYTES", size - 1)
    assert problems_of(shipped_copy) == [
        f"events.csv: is {text.size(size)} ({size:,} bytes); the atlas reads at most {text.size(size - 1)} "
        f"(MAX_EVENTS_BYTES = {size - 1:,} in strategic_sites/data/atlas.py), so it was not read. Split the data or raise the limit."
    ]


def test_every_other_file_has_a_byte_limit_too(shipped_copy, monkeypatch):
    monkeypatch.setattr(data, "MAX_FILE_BYTES", 1_000_000)  # countries.geojson is 1.3 MB; the others are smaller
    problems = problems_of(shipped_copy)
    assert len(problems) == 1
    assert problems[0].startswith("countries.geojson: is 1.3 MB (")
    assert "the atlas reads at most 1 MB (MAX_FILE_BYTES = 1,000,000 in strategic_sites/data/atlas.py)" in problems[0]


def test_events_at_the_row_limit_load_and_one_more_is_refused(synthetic, monkeypatch):
    monkeypatch.setattr(data, "MAX_EVENTS_ROWS", 1000)
    assert len(load_atlas(synthetic).events) == 1000

    monkeypatch.setattr(data, "MAX_EVENTS_ROWS", 999)
    assert problems_of(synthetic) == [
        "events.csv: has more than 999 rows (reading stopped at line 1,001); the atlas reads at most 999 rows "
        "(MAX_EVENTS_ROWS in strategic_sites/data/atlas.py). Split the data or raise the limit."
    ]


def test_blank_rows_do_not_count_towards_the_row_limit(shipped_copy, monkeypatch):
    path = shipped_copy / "events.csv"
    count = len(read_rows(path))
    path.write_text(path.read_text(encoding="utf-8").replace("\n", "\n\n , ,\n"), encoding="utf-8")
    monkeypatch.setattr(data, "MAX_EVENTS_ROWS", count)
    assert len(load_atlas(shipped_copy).events) == count


def test_the_row_limit_stops_reading_early(shipped_copy, monkeypatch):
    """Rows past the limit are never looked at: a broken row after it is not reported."""
    rows = read_rows(shipped_copy / "events.csv")
    rows[-1]["kind"] = "war"
    write_rows(shipped_copy / "events.csv", rows)
    monkeypatch.setattr(data, "MAX_EVENTS_ROWS", 10)
    problems = problems_of(shipped_copy)
    assert problems == [
        "events.csv: has more than 10 rows (reading stopped at line 12); the atlas reads at most 10 rows "
        "(MAX_EVENTS_ROWS in strategic_sites/data/atlas.py). Split the data or raise the limit."
    ]


# --- what a large folder loads as -------------------------------------------------------------------


def raw_events(folder) -> dict[str, dict]:
    with (folder / "events.csv").open(encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def test_a_synthetic_folder_loads_every_event(synthetic, synthetic_atlas):
    events = synthetic_atlas.events
    assert synthetic_atlas.counts["events"] == len(events) == 1000
    assert set(events["id"]) == set(raw_events(synthetic))
    assert list(events["date_first"]) == sorted(events["date_first"])  # ordered by date, then id
    same_day = events[events["date_first"] == events["date_first"].iloc[0]]
    assert list(same_day["id"]) == sorted(same_day["id"])


@pytest.mark.parametrize(
    "precision, first, last",
    [
        ("day", lambda y, m, d: date(y, m, d), lambda y, m, d: date(y, m, d)),
        ("month", lambda y, m, d: date(y, m, 1), lambda y, m, d: (pd.Timestamp(y, m, 1) + pd.offsets.MonthEnd(0)).date()),
        ("year", lambda y, m, d: date(y, 1, 1), lambda y, m, d: date(y, 12, 31)),
    ],
)
def test_synthetic_event_dates_cover_their_precision(synthetic_atlas, precision, first, last):
    events = synthetic_atlas.events[synthetic_atlas.events["date_precision"] == precision]
    assert len(events) > 0
    for event in events.head(20).itertuples():
        parts = [int(p) for p in event.date.split("-")] + [1, 1]
        y, m, d = parts[:3]
        assert event.date_first.date() == first(y, m, d), event.id
        assert event.date_last.date() == last(y, m, d), event.id
    assert str(events["date_first"].dtype) == "datetime64[s]"


def test_an_event_at_a_site_sits_at_the_site_and_one_away_at_its_own_point(synthetic, synthetic_atlas):
    events, raw = synthetic_atlas.events, raw_events(synthetic)
    at_site = events[events["site_id"] != ""].iloc[:50]
    for event in at_site.itertuples():
        site = synthetic_atlas.site(event.site_id)
        assert (event.lat, event.lon) == (site["lat"], site["lon"]) == (site.geometry.y, site.geometry.x)
        assert event.geometry.equals(site.geometry)
    away = events[events["site_id"] == ""].iloc[:50]
    assert len(away) == 50
    for event in away.itertuples():
        assert (event.lat, event.lon) == (float(raw[event.id]["lat"]), float(raw[event.id]["lon"]))
        assert (event.geometry.x, event.geometry.y) == (event.lon, event.lat)


def test_synthetic_list_cells_are_lists_of_ids(synthetic, synthetic_atlas):
    raw = raw_events(synthetic)
    generated = synthetic_atlas.events[synthetic_atlas.events["id"].str.startswith("synthetic-")]
    for event in generated.iloc[::37].itertuples():
        assert event.source_ids == raw[event.id]["source_id"].split(";")
        assert event.country_list == raw[event.id]["countries"].split(";")
        assert event.concern_ids == []
        assert isinstance(event.source_ids, list)
    cited = {s for ids in synthetic_atlas.events["source_ids"] for s in ids}
    assert cited <= set(synthetic_atlas.sources["id"])


def test_event_columns_compare_as_text(synthetic_atlas):
    """Compact columns (categorical kind and precision) still compare, filter and iterate as plain strings."""
    events = synthetic_atlas.events
    launches = events[events["kind"] == "launch"]
    assert len(launches) > 0 and set(launches["kind"]) == {"launch"}
    assert events["kind"].isin(["launch", "meeting"]).sum() == len(launches) + (events["kind"] == "meeting").sum()
    assert set(events["date_precision"]) == {"day", "month", "year"}
    assert events["site_id"].isin(["baikonur"]).any() and (events["site_id"] == "").any()
    assert all(isinstance(k, str) for k in events["kind"].head())


# --- unchanged behaviour with the faster reader ----------------------------------------------------


def test_line_numbers_count_the_lines_of_multi_line_records(shipped_copy):
    rows = read_rows(shipped_copy / "events.csv")
    rows[0]["summary"] = "first line\nsecond line\r\nthird line"
    rows[3]["kind"] = "war"
    write_rows(shipped_copy / "events.csv", rows)
    # line 1 header; row 0 on lines 2-4; rows 1, 2, 3 on lines 5, 6, 7
    assert "events.csv line 7, column 'kind': 'war' must be one of: agreement" in " | ".join(problems_of(shipped_copy))


@pytest.mark.parametrize("chunk", [1, 2, 3, 20_000])
@pytest.mark.parametrize("summary, lines_of_row_1", [("one\ntwo\nthree", 3), ("one\r\ntwo\r\nthree", 3), ("one\u2028two", 2)])
def test_line_numbers_hold_however_the_file_is_read(shipped_copy, monkeypatch, chunk, summary, lines_of_row_1):
    """Rows are parsed many at a time; a record spanning lines, a blank line, or an unusual line break
    inside quotes (which str.splitlines() honours) never shifts the line a problem names."""
    monkeypatch.setattr(csvrecords, "_CHUNK", chunk)
    rows = read_rows(shipped_copy / "events.csv")[:12]
    rows[1]["summary"] = summary
    rows[8]["kind"] = "war"
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows[:5])
    text.write("\n")  # a blank line before row 5
    writer.writerows(rows[5:])
    (shipped_copy / "events.csv").write_text(text.getvalue(), encoding="utf-8", newline="")
    expected = 1 + 1 + lines_of_row_1 + 3 + 1 + 4  # header, row 0, row 1, rows 2-4, the blank line, rows 5-8
    problems = problems_of(shipped_copy)
    assert problems == [f"events.csv line {expected}, column 'kind': 'war' must be one of: {', '.join(EVENT_KINDS)}"]


def test_a_bad_row_far_down_a_large_file_is_named_by_its_line(synthetic, tmp_path):
    folder = tmp_path / "atlas"
    shutil.copytree(synthetic, folder)
    line = edit_row(folder, "events.csv", 990, date_precision="hourly", lat="95")
    problems = problems_of(folder)
    assert f"events.csv line {line}, column 'date_precision': 'hourly' must be one of: day, month, year" in problems
    assert f"events.csv line {line}, column 'lat': '95' latitude must be blank or a number in [-90, 90]" in problems


def test_a_number_python_reads_is_a_number_when_typed_too(shipped_copy):
    """Validation reads numbers as Python's float() does (1_000, digits of other scripts); so does typing."""
    line = edit_row(shipped_copy, "leases.csv", 0, annual_rent_usd="1_000", area_km2="٤٥")
    leases = load_atlas(shipped_copy).leases
    assert line == 2
    first = read_rows(shipped_copy / "leases.csv")[0]
    row = leases[(leases["site_id"] == first["site_id"]) & (leases["start"] == first["start"])].iloc[0]
    assert (row["annual_rent_usd"], row["area_km2"]) == (1000.0, 45.0)


def test_an_empty_table_is_named_once(shipped_copy):
    path = shipped_copy / "leases.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert problems_of(shipped_copy) == ["leases.csv: has a header row but no data rows"]



# --- hostile files: one message naming file and place, never a traceback -----------------------------

NESTED = "[" * 10_000 + "]" * 10_000


def nest_sites(folder: Path) -> None:
    """sites.geojson as a hostile folder might hold it: a FeatureCollection whose features nest 10,000 levels deep."""
    (folder / "sites.geojson").write_text('{"type": "FeatureCollection", "features": ' + NESTED + "}", encoding="utf-8")


def test_a_deeply_nested_geojson_is_one_problem_with_its_place(shipped_copy):
    nest_sites(shipped_copy)
    assert problems_of(shipped_copy) == ["sites.geojson line 1, char 10042: nests arrays or objects 10,001 levels deep, too deep to read"]


def test_a_deeply_nested_geometry_is_one_problem_with_its_place(shipped_copy):
    areas = shipped_copy / "areas.geojson"
    text = areas.read_text(encoding="utf-8")
    areas.write_text(text.replace('"coordinates":', '"coordinates": ' + "[" * 3000 + "]" * 3000 + ', "was":', 1), encoding="utf-8")
    assert problems_of(shipped_copy) == ["areas.geojson line 2, char 3067: nests arrays or objects 3,004 levels deep, too deep to read"]


def test_validate_prints_the_problem_never_a_traceback(shipped_copy):
    nest_sites(shipped_copy)
    result = subprocess.run([sys.executable, "-m", "strategic_sites", "validate", str(shipped_copy)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "sites.geojson line 1, char 10042: nests arrays or objects 10,001 levels deep" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unforeseen_error_in_a_reader_is_one_problem_and_logged(shipped_copy, monkeypatch, caplog):
    def broken(*args):
        raise KeyError("a bug")

    monkeypatch.setattr(data, "read_csv", broken)
    problems = problems_of(shipped_copy)
    assert "sources.csv: could not be read: an error in the atlas (KeyError); please report it" in problems
    assert "reading" in caplog.text and "KeyError" in caplog.text


def test_a_nested_geojson_swapped_into_a_served_folder_keeps_the_last_good_data(shipped_copy, monkeypatch, atlas):
    from test_app import metrics, run_app, unescaped

    from strategic_sites.ui.loading import DATA_ENV

    monkeypatch.setenv(DATA_ENV, str(shipped_copy))
    app = run_app()
    assert not app.error and metrics(app)["Sites shown"] == str(atlas.counts["sites"])
    nest_sites(shipped_copy)
    app.run()
    assert not app.exception
    assert "sites.geojson line 1, char 10042: nests arrays or objects 10,001 levels deep" in unescaped(app.error[0].value)
    assert "last version of the data" in app.warning[0].value
    assert metrics(app)["Sites shown"] == str(atlas.counts["sites"])  # nothing already loaded is lost
