"""The fast column helpers mean, cell for cell, what their one-cell Python counterparts mean."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from strategic_sites.data.columns import Distinct, as_number, failing, numbers, split_list

# Cells as the data holds them, with the near misses: several ids, spaces, numbers in odd forms.
CELLS = st.lists(
    st.sampled_from(["", "a", "b;c", " b ; c ", ";", "1", "1.5", "-2", "1_000", "٤٥", "1e3", "nan", "inf", " 7 ", "0x10", "x"]),
    max_size=30,
)


@given(CELLS)
def test_numbers_reads_every_cell_as_float_does(cells):
    got = numbers(pd.Series(cells, dtype=object))
    for cell, value in zip(cells, got):
        expected = math.nan if cell == "" else as_number(cell)
        assert value == expected or (math.isnan(value) and math.isnan(expected)), cell


@given(CELLS)
def test_a_distinct_column_maps_as_the_column_does(cells):
    series = pd.Series(cells, dtype=object, index=pd.RangeIndex(10, 10 + len(cells)))
    mapped = Distinct(series).map(split_list)
    assert list(mapped.index) == list(series.index)
    assert list(mapped) == [split_list(cell) for cell in cells]
    order = np.arange(len(cells))[::-1]
    taken = Distinct(series).take(order)
    assert list(taken.map(str)) == [cells[i] for i in order]
    categorical = Distinct(series).categorical()
    assert list(categorical) == cells and list(categorical.categories) == sorted(set(cells))


@given(CELLS)
def test_failing_runs_the_test_on_every_cell(cells):
    def test(cell):
        return ";" not in cell

    assert failing(np.array(cells, dtype=object), test).tolist() == [not test(cell) for cell in cells]
