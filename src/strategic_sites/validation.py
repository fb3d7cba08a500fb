"""Check one file's text cells against its schema (:mod:`strategic_sites.schema`), as Problems.

The schemas hold only the project's own checks, each with the message a contributor reads
(uniqueness too; no dtype is checked, as the readers make every cell text). So pandera's
report is read through its public failure-case columns alone: ``schema_context`` tells a check
of a column from a check of whole rows, ``check`` is the check's own message, ``column``,
``index`` and ``failure_case`` say where and what. A column the schema requires but the file
lacks is named here, before pandera runs.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from strategic_sites.problems import Problem, where

SHOWN = 80  # characters of a failing cell quoted in its problem


def validate_frame(frame: pd.DataFrame, file_schema: pa.DataFrameSchema, problems: list[Problem]) -> bool:
    """Check one file's frame against its schema; append a Problem per failure. True when valid."""
    name = file_schema.name
    before = len(problems)
    missing = [column for column, spec in file_schema.columns.items() if spec.required and column not in frame.columns]
    problems.extend(Problem(name, column=column, message="required column is missing") for column in missing)
    checked = file_schema.remove_columns(missing) if missing else file_schema
    try:
        checked.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems.extend(_problems(frame, name, exc.failure_cases))
    return len(problems) == before


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
