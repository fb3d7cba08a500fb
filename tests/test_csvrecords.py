"""The fast CSV reader (many records at a time) reads what the record-by-record reader reads."""

from __future__ import annotations

import csv
import io
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategic_sites.data import csvrecords

# Cells that make CSV hard: separators, quotes, every kind of line break, blanks and spaces.
CELL = st.lists(st.sampled_from(["a", "b", " ", ",", '"', "\n", "\r", "\r\n", "\u2028", "\x0c", "é"]), max_size=6).map("".join)


@st.composite
def csv_texts(draw) -> str:
    width = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=12))
    for position in draw(st.lists(st.integers(0, max(0, len(rows) - 1)), max_size=2)):
        if rows:
            rows[position] = rows[position][:-1] or ["x", "y"]  # a record of the wrong width
    buffer = io.StringIO()
    ending, quoting = draw(st.sampled_from(["\n", "\r\n"])), draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    writer = csv.writer(buffer, lineterminator=ending, quoting=quoting)
    writer.writerow([f"c{i}" for i in range(width)])
    for row in rows:
        writer.writerow(row)
        if draw(st.booleans()):
            buffer.write(draw(st.sampled_from(["\n", " , \n", ",,\n"])))  # blank rows
    return buffer.getvalue()


def read(content: str, max_rows: int | None, fast: bool | None):
    """What a reader finds: (columns, lines, cells), None, or where it stopped; and the problems.
    ``fast`` None is :func:`csvrecords.parse`, which falls back to record by record."""
    problems = []
    try:
        if fast is None:
            frame = csvrecords.parse("t.csv", content, problems, max_rows)
        else:
            frame = csvrecords._parse("t.csv", content, problems, max_rows, fast=fast)
    except csvrecords.TooManyRecords as exc:
        return ("too many", exc.line), problems
    return (None if frame is None else (list(frame.columns), list(frame.index), frame.to_numpy().tolist())), problems


@settings(max_examples=300, deadline=None)
@given(csv_texts(), st.sampled_from([1, 2, 5, 20_000]), st.none() | st.integers(0, 8))
def test_reading_in_chunks_finds_what_reading_record_by_record_finds(content, chunk, max_rows):
    reference = read(content, max_rows, fast=False)
    with mock.patch.object(csvrecords, "_CHUNK", chunk):
        assert read(content, max_rows, fast=None) == reference
        try:
            assert read(content, max_rows, fast=True) == reference
        except csvrecords._NotSimple:
            pass  # text the fast reader cannot be sure of: parse() read it record by record above


@pytest.mark.parametrize("content", ['a,b\n1,"2\n3"\n4,5\n', 'a,b\r\n1,"2\u20283"\r\n\r\n4,5\r\n'])
def test_a_record_is_indexed_by_the_line_it_starts_at(content):
    frame = csvrecords.parse("t.csv", content, [])
    assert list(frame.index) == [2, 4 if "\u2028" not in content else 5]
    assert frame.index.name == "line"


@settings(max_examples=300, deadline=None)
@given(csv_texts(), st.sampled_from([",", ";"]), st.booleans(), st.booleans(), st.sampled_from(["", "\r", '"', 'x"y\n']))
def test_records_cover_the_text_in_order_and_each_reads_alone_as_it_read_in_place(content, delimiter, strict, editor, tail):
    # What the uploads' rejects show (a row's original cells, cut from the text by its place) is
    # what the row was read as; every line is in one record; the line numbers are the text's own.
    content = content.replace(",", delimiter) + tail
    found = list(csvrecords.records(content, delimiter, strict=strict, editor=editor))
    lines = content.splitlines(keepends=True) if editor else content.split("\n")
    assert [(r.start, r.line) for r in found[:1]] in ([], [(0, 1)])
    for before, after in zip(found, found[1:]):
        assert (after.start, after.line) == (before.end, before.last + 1)
    if found:
        assert found[-1].end == len(content) and found[-1].last == len(lines) - (not editor and content.endswith("\n"))
    assert list(csvrecords.records(content, delimiter, strict=strict, editor=editor, blanks=False)) == [r for r in found if not r.blank]
    for record in found:
        assert (record.cells is None) == (record.error is not None)
        if record.cells is not None:
            alone = next(csvrecords.records(content[record.start : record.end], delimiter, strict=strict, editor=editor))
            assert alone.cells == record.cells
