"""Text columns read and tested fast: list cells, distinct values, numbers, and the column tests
the schemas are written with.

The schemas (:mod:`strategic_sites.data.schema`) check columns with these helpers and the typing
(:mod:`strategic_sites.data.typed`) converts them with the same ones, so a cell is read the same way
by both. A column of 100,000 events holds a few thousand distinct values, so each helper does
its Python work once per distinct value (or in one tight pass), not once per row through pandas.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd


def split_list(value: str) -> list[str]:
    """Split a ``;``-separated cell into its trimmed, non-blank items."""
    return [item.strip() for item in str(value).split(";") if item.strip()]


class Distinct:
    """A text column as codes into its distinct values, so that each distinct value is converted once.

    ``Distinct(series).map(convert)`` equals ``series.map(convert)``; with ``dtype=object``
    equal cells share one result object (one list for every row citing the same sources).
    """

    def __init__(self, series: pd.Series):
        self.index = series.index
        self.codes, self.values = pd.factorize(series.to_numpy(dtype=object))  # cells are never null

    def map(self, convert, dtype=object) -> pd.Series:
        if dtype is object:
            results = np.empty(len(self.values), dtype=object)
            for number, value in enumerate(self.values):
                results[number] = convert(value)
        else:
            results = np.array([convert(value) for value in self.values], dtype=dtype)
        return pd.Series(results[self.codes], index=self.index, dtype=results.dtype)

    def take(self, positions: np.ndarray) -> Distinct:
        """The column's rows at ``positions`` (a new order), as codes into the same distinct values."""
        taken = object.__new__(Distinct)
        taken.index, taken.values, taken.codes = pd.RangeIndex(len(positions)), self.values, self.codes[positions]
        return taken

    def categorical(self) -> pd.Categorical:
        """The column as ``pd.Categorical`` (categories in sorted order), without looking at each row's text."""
        ranked = np.argsort(np.asarray(self.values, dtype=object), kind="stable")
        rank = np.empty(len(ranked), dtype=np.intp)
        rank[ranked] = np.arange(len(ranked))
        return pd.Categorical.from_codes(rank[self.codes], categories=[self.values[i] for i in ranked])


def failing(cells: np.ndarray, test) -> np.ndarray:
    """A boolean array: the cells for which ``test`` fails, ``test`` run once per distinct value.

    A valid column (the usual case) costs one pass to find its distinct values and no more.
    """
    failed = {value for value in set(cells) if not test(value)}
    if not failed:
        return np.zeros(len(cells), dtype=bool)
    return pd.Series(cells, dtype=object).isin(failed).to_numpy()


def as_number(value: str) -> float:
    """The number a cell holds, as Python's ``float`` reads it (NaN when it holds none)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def numbers(series: pd.Series) -> np.ndarray:
    """The numbers a text column holds, as :func:`as_number` reads each cell (NaN for blank or not a number).

    ``pd.to_numeric`` reads the usual forms at once; the few cells it cannot read but ``float``
    can (``1_000``, digits of other scripts) are read one by one.
    """
    cells = series.to_numpy(dtype=object)
    values = np.array(pd.to_numeric(series, errors="coerce"), dtype=float)  # a writable copy
    for position in np.flatnonzero(np.isnan(values) & (cells != "")):
        values[position] = as_number(cells[position])
    return values


# --- vectorised tests of a whole column (a boolean Series: which cells pass), for the schemas --------


def unique_cells(series: pd.Series) -> pd.Series:
    """No cell equals another (every copy of a repeated value fails)."""
    return ~series.duplicated(keep=False)


def each(test, blank_ok: bool):
    """A cell passes when it is blank (if ``blank_ok``) or non-blank and ``test`` holds; ``test`` runs once per distinct value."""

    def verdict(value) -> bool:
        return (blank_ok and value == "") or (value != "" and bool(test(value)))

    def check(series: pd.Series) -> pd.Series:
        return pd.Series(~failing(series.to_numpy(dtype=object), verdict), index=series.index)

    return check


def numeric(test, blank_ok: bool):
    """A cell passes when it is blank (if ``blank_ok``) or a number for which ``test`` (on an array) holds."""

    def check(series: pd.Series) -> pd.Series:
        blank = series.to_numpy(dtype=object) == ""
        return pd.Series(np.where(blank, blank_ok, test(numbers(series))), index=series.index)

    return check


def matching(pattern: re.Pattern, blank_ok: bool):
    """The cell matches ``pattern`` (or is blank, if ``blank_ok``), one tight pass: for columns of distinct values (ids)."""

    def check(series: pd.Series) -> pd.Series:
        cells = series.to_numpy(dtype=object)
        ok = np.fromiter((pattern.match(v) is not None for v in cells), dtype=bool, count=len(cells))
        if blank_ok:
            ok |= cells == ""
        return pd.Series(ok, index=series.index)

    return check


def stripped(blank_ok: bool):
    """No leading or trailing whitespace, and not blank unless ``blank_ok`` (one tight pass: most cells differ)."""

    def check(series: pd.Series) -> pd.Series:
        cells = series.to_numpy(dtype=object)
        ok = np.fromiter((v.strip() == v for v in cells), dtype=bool, count=len(cells))
        return pd.Series(ok if blank_ok else ok & (cells != ""), index=series.index)

    return check


def one_of(values, blank_ok: bool):
    """The cell is one of ``values`` (or blank, if ``blank_ok``)."""
    allowed = list(values)

    def check(series: pd.Series) -> pd.Series:
        ok = series.isin(allowed)
        return ok | (series == "") if blank_ok else ok

    return check
