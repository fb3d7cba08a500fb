"""The first paint's old address: it lives in :mod:`.speed` now, with the other mechanisms that
make the map fast (what each buys, measured). Kept only while ``ui/__init__.py`` imports from
here; delete this module once it imports ``first_paint`` and ``rest_follows`` from ``.speed``.
"""

from strategic_sites.ui.speed import MAP_PAGE, first_paint, rest_follows

__all__ = ["MAP_PAGE", "first_paint", "rest_follows"]
