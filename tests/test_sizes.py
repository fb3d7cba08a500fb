"""One wording of a byte count (core/text.size), for the data folder's limits and the uploads'."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategic_sites.core.text import size


@pytest.mark.parametrize(
    ("count", "decimal", "binary"),
    [
        (0, "0 bytes", "0 bytes"),
        (1, "1 byte", "1 byte"),
        (999, "999 bytes", "999 bytes"),
        (1_000, "1 kB", "1 KiB"),  # 0.98 KiB, rounded up
        (1_286_098, "1.3 MB", "1.3 MiB"),  # countries.geojson
        (40_000_000, "40 MB", "38.2 MiB"),
        (40_000_001, "40.1 MB", "38.2 MiB"),  # one byte over a limit never reads as the limit
        (52_428_800, "52.5 MB", "50 MiB"),  # the upload limit, Streamlit's 50 "MB"
        (52_428_801, "52.5 MB", "50.1 MiB"),
        (65_116_569, "65.2 MB", "62.1 MiB"),
        (999_950, "1 MB", "976.6 KiB"),  # not "1,000 kB"
        (1_024_000, "1.1 MB", "1 MiB"),  # not "1,000 KiB"
        (2**30, "1.1 GB", "1 GiB"),
    ],
)
def test_sizes_read_as_people_say_them(count, decimal, binary):
    assert (size(count), size(count, binary=True)) == (decimal, binary)


@given(st.integers(0, 10**13), st.booleans())
def test_a_size_is_never_said_smaller_than_it_is_nor_a_tenth_larger(count, binary):
    number, unit = size(count, binary).split(" ")
    scale = {"byte": 1, "bytes": 1, "kB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
             "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit]
    said = float(number.replace(",", "")) * scale
    assert count <= said + 1e-6 * scale
    assert said - count < 0.1 * scale + 1e-6 * scale
    assert float(number.replace(",", "")) < 1000 or unit in ("TB", "TiB")  # never "1,000 kB": "1 MB"
