"""The atlas the API serves: the pages' own (``data.source.SHARED``: loaded once per version of
the data folder's files, the last good one kept), with the API's translations and views.

A folder that stops validating while the server runs keeps the API answering from the last
atlas that loaded, and says so in a header; with none, every data request gets a 503 naming
the problems.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

from strategic_sites.data.atlas import DATA_ENV, Atlas, AtlasError  # noqa: F401 - DATA_ENV, AtlasError: tests read them here
from strategic_sites.data.source import SHARED, Loaded  # noqa: F401 - Loaded: the service reads it here
from strategic_sites.data.source import Source as AtlasSource
from strategic_sites.view import language
from strategic_sites.view.filters import Filters, View, apply

VIEWS_KEPT = 32  # filtered views kept, most recently asked first


class Source:
    """The atlas the API answers from (``data.source``: for the served folder, the one the pages
    read too), with its translations and filtered views kept (every request of one view asks
    the same). ``folder`` names another data folder (the tests' own)."""

    def __init__(self, folder: Path | str | None = None):
        self._atlas = SHARED if folder is None else AtlasSource(folder)
        self._lock = threading.Lock()
        self._localised: dict[tuple[str, str], Atlas] = {}
        self._views: OrderedDict[tuple, View] = OrderedDict()

    @property
    def folder(self) -> Path:
        return self._atlas.folder

    def get(self) -> Loaded:
        """The atlas of the data folder as its files are now, or the last good one with the
        problem; raises :class:`AtlasError` when the folder has never loaded."""
        return self._atlas.get()

    def localised(self, atlas: Atlas, lang: str) -> Atlas:
        """The atlas with its names in ``lang`` (``view.language.localise``), made once."""
        if lang == atlas.lang:
            return atlas
        key = (atlas.version, lang)
        with self._lock:
            shown = self._localised.get(key)
        if shown is None or (shown.original or shown) is not atlas:
            shown = language.localise(atlas, lang)
            with self._lock:
                self._localised[key] = shown
        return shown

    def view(self, atlas: Atlas, filters: Filters) -> tuple[Atlas, View]:
        """The atlas in the filters' language and the filtered view of it: what the pages'
        tables are built from (``ui.loading.view_of``)."""
        shown = self.localised(atlas, filters.lang)
        filters = replace(filters, at=None)  # where the map is changes nothing the view holds
        key = (shown.key, filters)
        with self._lock:
            view = self._views.get(key)
            if view is not None:
                self._views.move_to_end(key)
                return shown, view
        view = apply(shown, filters)
        with self._lock:
            self._views[key] = view
            while len(self._views) > VIEWS_KEPT:
                self._views.popitem(last=False)
        return shown, view
