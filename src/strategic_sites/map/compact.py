"""Compact forms of the map's data that the browser decodes: coordinates as integers, and which
rows of a bundle a view shows as a bitmap. Shared by the atlas's events
(:mod:`strategic_sites.map.mapdata`, the events layer) and a user's own points
(:mod:`strategic_sites.map.overlay`)."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

COORD_SCALE = 10_000  # coordinates to 1/10,000 of a degree (about 11 m): finer than a marker


def bitmap(every: pd.Index, shown: pd.Index) -> str:
    """Which rows of ``every`` are ``shown``: a little-endian bitmap, base64 (what the browser
    reads to pick a view's events or points out of its bundle)."""
    mask = np.zeros(len(every), dtype=bool)
    mask[every.get_indexer(shown)] = True
    return base64.b64encode(np.packbits(mask, bitorder="little").tobytes()).decode("ascii")
