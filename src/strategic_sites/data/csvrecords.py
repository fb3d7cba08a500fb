"""The atlas's one CSV reader: text into records, each with the line it starts at; for the data
folder, into a frame of text cells indexed by that line, fast.

:func:`records` reads a text record by record, each with its first and last line and its place in
the text, a record that is not CSV included (with the csv module's complaint, reading going on at
the next line). Both readers of CSV go through it: the user's own points
(:mod:`strategic_sites.uploads.upload`, lenient, with checks and messages of their own) and, as the
reference for :func:`parse`, the data folder. :func:`delimiter` tells how a text's columns are
separated (``csv.Sniffer`` first), for a reader that knows which columns it wants.

:func:`parse` (the data folder, via :mod:`strategic_sites.data.reading`, which also checks a file's
size) parses records many at a time, at C speed, with their line numbers worked out per chunk; a
file that breaks the CSV rules (or whose quoted cells hold unusual line breaks) is read again with
:func:`records`, which reports the same.

Lines are counted as an editor counts them (``str.splitlines``: every Unicode line break), or, with
``editor=False``, at line feeds only (a lone carriage return inside an unquoted cell is then not CSV).
"""

from __future__ import annotations

import csv
import itertools
import re
import sys
from collections.abc import Callable, Iterator
from typing import NamedTuple

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


class Record(NamedTuple):
    """One record of a CSV text: the lines it spans (counted from 1), where it is in the text (its
    line break included), and its cells, or, when it is not CSV, the csv module's complaint (the
    record then ends where the csv module gave up)."""

    line: int
    last: int
    start: int
    end: int
    cells: list[str] | None
    error: str | None = None

    @property
    def blank(self) -> bool:
        """A record of no cells, or of blank ones only (a blank row): never one that is not CSV."""
        return self.cells is not None and not "".join(self.cells).strip()


class _Lines:
    """A text's lines one at a time, and where the last one read ends (for :func:`records`: a StringIO
    would hold the text once more, at up to four bytes a character). ``editor``: split as
    ``str.splitlines(keepends=True)`` splits (:func:`_lines`); else at line feeds only."""

    def __init__(self, text: str, editor: bool):
        self.text, self.editor, self.end = text, editor, 0

    def __iter__(self):
        if self.editor:
            for line in _lines(self.text):
                self.end += len(line)
                yield line
            return
        text, find, size, end = self.text, self.text.find, len(self.text), 0
        while end < size:
            start, end = end, find("\n", end) + 1 or size
            self.end = end
            yield text[start:end]


def records(text: str, delimiter: str = ",", *, strict: bool = True, editor: bool = True,
            blanks: bool = True) -> Iterator[Record]:
    """Every record of ``text`` in order, blank ones too unless not ``blanks``. A record that is not
    CSV (``strict``: by the csv module's strict rules) comes with its complaint and no cells, and
    reading goes on at the line after the one the csv module gave up on."""
    lines = _Lines(text, editor)
    reader = csv.reader(lines, delimiter=delimiter, strict=strict)
    line = start = 0  # the lines read before the next record, and where it starts
    while True:
        try:
            for cells in reader:
                if blanks or "".join(cells).strip():  # as Record.blank, without a record made for a blank row
                    yield Record(line + 1, reader.line_num, start, lines.end, cells)
                line, start = reader.line_num, lines.end
            return
        except csv.Error as error:
            # The csv module's complaint, less its advice to programmers ("do you need to open the file
            # in universal-newline mode?"): a reader of the message has no file to open.
            said = str(error).split(" - do you need", 1)[0]
            yield Record(line + 1, reader.line_num, start, lines.end, None, said)
            if lines.end == start:  # nothing more was read
                return
            line, start = reader.line_num, lines.end


def first_record(text: str, delimiter: str = ",", *, strict: bool = True, editor: bool = True) -> Record | None:
    """The first record of ``text`` that is not blank (None when there is none)."""
    return next(records(text, delimiter, strict=strict, editor=editor, blanks=False), None)


# Characters of a text's start that csv.Sniffer looks at: a few lines. Its search for quoted cells is
# quadratic in the sample (64 KB of ',"' repeated took it 20 to 45 s; 2 KB takes at most 0.2 s).
SNIFFED = 2048


def delimiter(text: str, fits: Callable[[list[str]], bool], candidates: str = ",;\t", *, editor: bool = True) -> str:
    """How ``text``'s columns are separated, of ``candidates``: the first whose header (the first
    record that is not blank) ``fits`` (has the columns the reader wants), trying first what
    ``csv.Sniffer`` makes of the text's first lines (the separator found as often on every line);
    when none fits, the Sniffer's, or else the one that splits the header the most.

    The Sniffer alone does not do the job: on a short file, or one whose rows are uneven, it cannot
    tell at all ("Could not determine delimiter": half of the uploads' random tables), it knows
    nothing of the columns wanted, and it must be given a short sample (:data:`SNIFFED`)."""
    sample = text[:SNIFFED]
    if len(text) > SNIFFED and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]  # whole lines only
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=candidates).delimiter
    except csv.Error:
        sniffed = None
    widths = {}
    for candidate in sorted(candidates, key=lambda c: c != sniffed):  # the Sniffer's first, then in order
        header = first_record(text, candidate, strict=False, editor=editor)
        cells = header.cells if header and header.cells is not None else []
        if fits(cells):
            return candidate
        widths[candidate] = len(cells)
    return sniffed or max(widths, key=widths.get)


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
    most = sys.maxsize if max_rows is None else max_rows
    if fast:
        reader = csv.reader(_lines(content), strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise _NotSimple from exc
    else:
        each = records(content)
        first = next(each, None)
        if first is not None and first.error:
            problems.append(Problem(name, f"line {first.last}", message=f"is not valid CSV ({first.error})"))
            return None
        header = None if first is None else first.cells
    if not header or not any(h.strip() for h in header):
        problems.append(Problem(name, "line 1", message="has no header row"))
        return None
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        problems.append(Problem(name, "line 1", message=f"repeats column(s) {', '.join(dupes)}"))
        return None

    def too_wide(line: int, fields: int) -> Problem:
        return Problem(name, f"line {line}", message=f"has {plural(fields, 'field')} but the header has {len(header)}")

    if fast:
        try:
            read = _records_in_chunks(reader, content, len(header), most, too_wide, problems)
        except csv.Error as exc:
            raise _NotSimple from exc
    else:
        read = _records_one_by_one(name, each, len(header), most, too_wide, problems)
    if read is None:
        return None
    rows, lines = read
    if not rows:
        problems.append(Problem(name, message="has a header row but no data rows"))
        return None
    cells = np.array(rows, dtype=object).reshape(len(rows), len(header))  # every row has len(header) cells
    return pd.DataFrame(cells, columns=header, index=pd.Index(lines, name="line"), dtype=object, copy=False)


def _records_one_by_one(name: str, each: Iterator[Record], width: int, most: int, too_wide, problems: list[Problem]):
    """The records after the header and the line each starts at, from :func:`records` (the reference
    reader). None, after adding the problems, when a record has the wrong number of fields or is not CSV."""
    rows, lines, bad, count = [], [], False, 0
    for record in each:
        if record.error:
            problems.append(Problem(name, f"line {record.last}", message=f"is not valid CSV ({record.error})"))
            return None
        if record.blank:
            continue
        count += 1
        if count > most:
            raise TooManyRecords(record.line)
        if len(record.cells) != width:
            problems.append(too_wide(record.line, len(record.cells)))
            bad = True
            continue
        rows.append(record.cells)
        lines.append(record.line)
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
