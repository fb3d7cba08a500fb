"""CSV text into a frame of text cells indexed by the line each record starts at, fast.

Records are parsed by the csv module many at a time, at C speed, with their line numbers
worked out per chunk; a file that breaks the CSV rules (or whose quoted cells hold unusual
line breaks) is read again record by record, which reports the same. Bounds on the file's
size are checked by :mod:`strategic_sites.data.reading`, which calls :func:`parse`.
"""

from __future__ import annotations

import csv
import itertools
import re
import sys

import numpy as np
import pandas as pd

from strategic_sites.core.problems import Problem
from strategic_sites.core.text import plural

# Characters that str.splitlines() ends a line at, besides \r and \n. A quoted cell holding one
# of them spans two lines without holding a \r or \n, so its record's lines cannot be counted
# from its cells (see _multi_line_starts).
_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CHUNK = 20_000  # records parsed at a time by the fast reader


class TooManyRecords(Exception):
    """The text holds more records than allowed; ``line`` is where the first one too many starts."""

    def __init__(self, line: int):
        super().__init__(f"too many records (line {line})")
        self.line = line


class _NotSimple(Exception):
    """The fast reader cannot be sure of its line numbers (or met broken CSV): read record by record."""


def parse(name: str, content: str, problems: list[Problem], max_rows: int | None = None) -> pd.DataFrame | None:
    """The records of ``content`` (the file ``name``) as text cells, indexed by line ("line").

    None, after adding the problems found, when the header is missing or repeats a column, a
    record has the wrong number of fields, the text is not valid CSV or there are no records.
    Blank rows are skipped. Raises :class:`TooManyRecords` at the first record (non-blank row)
    past ``max_rows``; records past it are not looked at.
    """
    found: list[Problem] = []
    try:
        return _parse(name, content, found, max_rows, fast=True)
    except _NotSimple:
        found = []
        return _parse(name, content, found, max_rows, fast=False)
    finally:
        problems.extend(found)


def _lines(content: str, block: int = 1 << 20):
    """``content.splitlines(keepends=True)``, one line at a time (a block of text is split at once).

    The last piece of each block is carried into the next one, so a line (or a CR LF pair)
    that straddles two blocks comes out whole, exactly as ``splitlines`` would give it.
    """

    def blocks():
        carry = ""
        for start in range(0, len(content), block):
            pieces = (carry + content[start : start + block]).splitlines(keepends=True)
            carry = pieces.pop() if pieces else ""
            yield pieces
        if carry:
            yield [carry]

    return itertools.chain.from_iterable(blocks())


def _parse(name: str, content: str, problems: list[Problem], max_rows: int | None, fast: bool) -> pd.DataFrame | None:
    reader = csv.reader(_lines(content), strict=True)
    most = sys.maxsize if max_rows is None else max_rows

    def too_wide(line: int, fields: int) -> Problem:
        return Problem(name, f"line {line}", message=f"has {plural(fields, 'field')} but the header has {len(header)}")

    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            problems.append(Problem(name, "line 1", message="has no header row"))
            return None
        header = [h.strip() for h in header]
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            problems.append(Problem(name, "line 1", message=f"repeats column(s) {', '.join(dupes)}"))
            return None
        records = _records_in_chunks if fast else _records_one_by_one
        read = records(reader, content, len(header), most, too_wide, problems)
    except csv.Error as exc:
        if fast:
            raise _NotSimple from exc
        problems.append(Problem(name, f"line {reader.line_num}", message=f"is not valid CSV ({exc})"))
        return None
    if read is None:
        return None
    rows, lines = read
    if not rows:
        problems.append(Problem(name, message="has a header row but no data rows"))
        return None
    cells = np.array(rows, dtype=object).reshape(len(rows), len(header))  # every row has len(header) cells
    return pd.DataFrame(cells, columns=header, index=pd.Index(lines, name="line"), dtype=object, copy=False)


def _records_one_by_one(reader, content: str, width: int, most: int, too_wide, problems: list[Problem]):
    """The records and the line each starts at, looking at one record at a time (the reference reader).

    None, after adding the problems, when a record has the wrong number of fields.
    """
    rows, lines, bad, records = [], [], False, 0
    previous_end = reader.line_num
    for record in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if not record or all(not c.strip() for c in record):
            continue  # a blank row
        records += 1
        if records > most:
            raise TooManyRecords(line)
        if len(record) != width:
            problems.append(too_wide(line, len(record)))
            bad = True
            continue
        rows.append(record)
        lines.append(line)
    return None if bad else (rows, lines)


def _records_in_chunks(reader, content: str, width: int, most: int, too_wide, problems: list[Problem]):
    """What :func:`_records_one_by_one` returns, parsing many records at a time.

    Raises :class:`_NotSimple` when the line numbers cannot be worked out per chunk.
    """
    rows, lines, bad, records = [], [], False, 0
    simple = None  # whether the text has no line breaks but \r and \n; looked up when first needed
    while True:
        first = reader.line_num + 1
        chunk = list(itertools.islice(reader, _CHUNK))
        if not chunk:
            break
        count, last = len(chunk), reader.line_num
        if last - first + 1 == count:  # every record on one line, the usual case
            starts = np.arange(first, last + 1)
        else:
            if simple is None:
                simple = _OTHER_LINE_BREAKS.search(content) is None
            starts = _multi_line_starts(chunk, first, last) if simple else None
            if starts is None:
                raise _NotSimple
        # Blank rows: no cells, or only blank ones (looked at in full when the first cell is blank).
        keep = np.fromiter((bool(record) and bool(record[0].strip()) for record in chunk), dtype=bool, count=count)
        for position in np.flatnonzero(~keep):
            keep[position] = any(c.strip() for c in chunk[position])
        wrong = keep & (np.fromiter(map(len, chunk), dtype=np.intp, count=count) != width)
        counted = records + np.cumsum(keep)
        over = np.flatnonzero(keep & (counted > most))
        end = over[0] if len(over) else count  # records past the limit are not looked at
        for position in np.flatnonzero(wrong[:end]):
            problems.append(too_wide(int(starts[position]), len(chunk[position])))
            bad = True
        if len(over):
            raise TooManyRecords(int(starts[end]))
        records = int(counted[-1])
        if not bad:
            good = np.flatnonzero(keep & ~wrong)
            if len(good) == count:
                rows.extend(chunk)
                lines.extend(starts.tolist())
            else:
                rows.extend(chunk[position] for position in good)
                lines.extend(starts[good].tolist())
    return None if bad else (rows, lines)


def _multi_line_starts(chunk: list[list[str]], first: int, last: int) -> np.ndarray | None:
    """The line each record starts at when some span several lines (None if that cannot be told).

    Only quoted cells hold line breaks, and a record spans one line more than the breaks in its
    cells (CR LF counting as one) -- when the text breaks lines at CR and LF only.
    """
    spans = np.array([1 + sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in record) for record in chunk])
    starts = first + np.concatenate(([0], np.cumsum(spans)[:-1]))
    return starts if starts[-1] + spans[-1] - 1 == last else None
