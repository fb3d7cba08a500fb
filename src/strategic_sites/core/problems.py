"""What is wrong with a data folder: :class:`Problem` (one fault, named by file, row and column)
and :class:`AtlasError` (all of them, raised at once by :func:`strategic_sites.data.atlas.load_atlas`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from strategic_sites.core.text import plural

MAX_PROBLEMS_PER_FILE = 25


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the data: which file, which row, which column, and what."""

    file: str
    row: str = ""  # "line 7" in a CSV, "feature 3 (id 'kant')" in GeoJSON, "" for the whole file
    column: str = ""
    message: str = ""

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.row, f"column '{self.column}'" if self.column else "") if p)
        return f"{self.file}{' ' + where if where else ''}: {self.message}"


class AtlasError(Exception):
    """The data folder cannot be loaded; ``problems`` says every reason found."""

    def __init__(self, folder: Path | str, problems: list[Problem]):
        self.folder = Path(folder)
        self.problems = list(problems)
        super().__init__(self.report())

    def headline(self) -> str:
        """The report's first line: which folder, and how many problems."""
        count = len(self.problems)
        return f"The atlas data in '{self.folder.name or self.folder}' has {count} problem{'s' if count != 1 else ''}:"

    def items(self, limit: int = MAX_PROBLEMS_PER_FILE) -> list[str]:
        """The report's list, one plain-text line per problem (at most ``limit`` of a file, then
        how many more). The lines quote the data's cells: a page shows them as text, never as markup."""
        lines: list[str] = []
        shown: dict[str, int] = {}
        for problem in self.problems:
            shown[problem.file] = shown.get(problem.file, 0) + 1
            if shown[problem.file] <= limit:
                lines.append(str(problem))
        for name, total in shown.items():
            if total > limit:
                lines.append(f"{name}: … and {plural(total - limit, 'more problem')}")
        return lines

    def report(self, limit: int = MAX_PROBLEMS_PER_FILE) -> str:
        """The whole report as plain text (the command line's): the headline, then a ``- `` line per item."""
        return "\n".join([self.headline(), *(f"- {item}" for item in self.items(limit))])


def where(frame: pd.DataFrame, index) -> str:
    """The row ``index`` of a file as read (see :mod:`strategic_sites.data.reading`), as a contributor finds it:
    "line 7" in a CSV (indexed by line), "feature 3 ('kant')" in GeoJSON (by feature number)."""
    if index is None or (isinstance(index, float) and pd.isna(index)):
        return ""
    if frame.index.name == "line":
        return f"line {index}"
    label = f"feature {index}"
    for key in ("id", "site_id"):
        if key in frame.columns and index in frame.index:
            return f"{label} ({frame.at[index, key]!r})"
    return label
