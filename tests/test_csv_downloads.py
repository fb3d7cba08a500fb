"""CSV downloads cannot attack a spreadsheet: formula-like text is neutralised (OWASP), numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest

from datafiles import edit_row, first_row
from strategic_sites import load_atlas
from strategic_sites.outputs import tables
from strategic_sites.view.filters import Filters, apply

PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1"]


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_like_text_is_written_as_text(payload):
    table = pd.DataFrame({"title": [payload, "Baikonur"], "rent_usd": [-5.0, 115_000_000.0]})
    written = rows(tables.to_csv(table))
    assert written[0]["title"] == "'" + payload  # a spreadsheet shows it, never runs it
    assert written[1]["title"] == "Baikonur"  # ordinary text untouched
    assert [r["rent_usd"] for r in written] == ["-5.0", "115000000.0"]  # a negative number stays a number


def test_every_table_of_a_hostile_atlas_downloads_inert(shipped_copy):
    """Formula payloads in every text field of the data reach no CSV download unneutralised."""
    folder = shipped_copy
    edit_row(folder, "events.csv", first_row(folder, "events.csv", id="2013-07-02-proton-m-crash"), title=PAYLOADS[0], summary=PAYLOADS[2])
    edit_row(folder, "leases.csv", first_row(folder, "leases.csv", site_id="kant"), note=PAYLOADS[3])
    edit_row(folder, "sources.csv", 1, title=PAYLOADS[1], publisher=PAYLOADS[3])
    atlas = load_atlas(folder)
    view = apply(atlas, Filters(asof=date(2014, 1, 1)))
    downloads = {
        "sites": tables.sites_table(atlas, view).drop(columns=["id"]),
        "events": tables.events_table(atlas, view.events),
        "leases": tables.leases_table(atlas, view.leases).drop(columns=["site_id"]),
        "sources": tables.bibliography(atlas),
    }
    seen = set()
    for name, table in downloads.items():
        for row in rows(tables.to_csv(table)):
            for column, cell in row.items():
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):  # only a number may start so
                    assert pd.api.types.is_numeric_dtype(table[column]), f"{name}.{column}: {cell!r} would run as a formula"
                if cell.startswith("'") and cell[1:] in PAYLOADS:
                    seen.add(cell[1:])
    assert seen >= {PAYLOADS[0], PAYLOADS[1], PAYLOADS[3]}  # the payloads were there, and written inert


def header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text, newline="")))


def test_formula_like_column_names_are_written_as_text():
    """A table's column names reach the CSV's header row, where a spreadsheet would run them too."""
    table = pd.DataFrame([["a", "b", "c", "d", "e", "f", 1]], columns=[*PAYLOADS, "rent_usd"])
    assert header(tables.to_csv(table)) == ["'" + payload for payload in PAYLOADS] + ["rent_usd"]
    assert rows(tables.to_csv(table))[0]["'" + PAYLOADS[0]] == "a"  # the cells stay under their column


def test_the_rejected_rows_of_an_upload_with_a_hostile_header_download_inert(atlas):
    """The rejected rows keep the upload's own header: each of its names is written inert."""
    from strategic_sites.uploads import upload as uploads

    uploaded = b'lat,lon,=HYPERLINK("http://evil","hdr"),+hdr,@hdr\nabc,1,a,b,c\n'
    upload = uploads.read_points("x.csv", uploaded, atlas.countries)
    assert len(upload.rejects) == 1
    written = tables.to_csv(upload.rejects)
    names = header(written)
    assert all(name[:1] not in ("=", "+", "-", "@", "\t", "\r") for name in names), names
    assert {"'+hdr", "'@hdr"} <= set(names)
    assert any(name.startswith("'=HYPERLINK(") for name in names)  # the CSV split it at its comma; inert all the same
    assert list(csv.reader(io.StringIO(written, newline="")))[1][2:5] == ["abc", "1", "a"]  # the row as uploaded
