"""Check one file's text cells against its schema (:mod:`strategic_sites.data.schema`), as Problems.

The schemas hold only the project's own checks, each with the message a contributor reads
(uniqueness too; no dtype is checked, as the readers make every cell text). So pandera's
report is read through its public failure-case columns alone: ``schema_context`` tells a check
of a column from a check of whole rows, ``check`` is the check's own message, ``column``,
``index`` and ``failure_case`` say where and what. A column the schema requires but the file
lacks is named here, before pandera runs.
"""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

from strategic_sites.core.text import CONTROL

from strategic_sites.core.problems import Problem, where

SHOWN = 80  # characters of a failing cell quoted in its problem


def validate_frame(frame: pd.DataFrame, file_schema: pa.DataFrameSchema, problems: list[Problem]) -> bool:
    """Check one file's frame against its schema; append a Problem per failure. True when valid."""
    name = file_schema.name
    before = len(problems)
    missing = [column for column, spec in file_schema.columns.items() if spec.required and column not in frame.columns]
    delimiter = _other_delimiter(frame, missing)
    if delimiter:  # one problem, not one per column and row that follows from it
        problems.append(Problem(name, message=f"the columns are separated by {delimiter}, not commas: save the file as CSV with ',' between columns"))
        return False
    problems.extend(Problem(name, column=column, message="required column is missing") for column in missing)
    problems.extend(_control_characters(frame, name))
    checked = file_schema.remove_columns(missing) if missing else file_schema
    try:
        checked.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems.extend(_problems(frame, name, exc.failure_cases))
    return len(problems) == before


MAX_CONTROL_PROBLEMS = 5  # per column


def _control_characters(frame: pd.DataFrame, name: str) -> list[Problem]:
    """A problem for each cell (the first few per column) holding a control character."""
    found = []
    for column in frame.columns:
        cells = frame[column]
        if not (pd.api.types.is_string_dtype(cells) or cells.dtype == object):
            continue
        hits = cells[cells.astype(str).str.contains(CONTROL, regex=True, na=False)]
        for index, value in hits.head(MAX_CONTROL_PROBLEMS).items():
            code = f"U+{ord(re.search(CONTROL, str(value)).group()):04X}"
            found.append(Problem(name, where(frame, index), str(column), f"holds a control character ({code}); remove it"))
    return found


_DELIMITERS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def _other_delimiter(frame: pd.DataFrame, missing: list[str]) -> str:
    """How the header is separated when it is not by commas: the missing columns are all
    found in it once split by that character ("" when not so)."""
    if not missing:
        return ""
    header = ",".join(str(column) for column in frame.columns)
    for char, said in _DELIMITERS.items():
        if char in header and set(missing) <= {part.strip() for part in header.replace(",", char).split(char)}:
            return said
    return ""


def _problems(frame: pd.DataFrame, name: str, failure_cases: pd.DataFrame) -> list[Problem]:
    found, rows_seen = [], set()
    for case in failure_cases.to_dict("records"):
        message, index = str(case["check"]), case["index"]
        if case["schema_context"] == "DataFrameSchema":
            # A check of whole rows fails once per column of a failing row: name the row once.
            if (message, index) not in rows_seen:
                rows_seen.add((message, index))
                found.append(Problem(name, where(frame, index), "", message))
        else:
            found.append(Problem(name, where(frame, index), case["column"] or "", _cell(case["failure_case"], message)))
    return found


def _cell(value, message: str) -> str:
    """The problem with a cell: its value quoted (shortened) and what it must be."""
    shown = value if isinstance(value, str) else str(value)
    if len(shown) > SHOWN:
        shown = shown[: SHOWN - 3] + "..."
    return f"{shown!r} {message}" if shown else f"is blank: {message}"
