"""The atlas the API serves: loaded once per version of the data folder's files, as the pages
load it (``data.atlas.load_atlas``), and kept as the last good one.

The data folder is the pages' (``data.atlas.data_folder``: ``$STRATEGIC_SITES_DATA`` when set,
else the shipped ``geodata/``). A folder that stops
validating while the server runs keeps the API answering from the last atlas that loaded, and
says so in a header; with none, every data request gets a 503 naming the problems.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

from strategic_sites.data.atlas import DATA_ENV, Atlas, AtlasError, data_folder, files_stamp, load_atlas  # noqa: F401 - DATA_ENV: tests read it here
from strategic_sites.view import language
from strategic_sites.view.filters import Filters, View, apply

VIEWS_KEPT = 32  # filtered views kept, most recently asked first


@dataclass(frozen=True)
class Loaded:
    """The atlas to answer from; ``problem`` set when the folder no longer loads and this is
    the last good atlas."""

    atlas: Atlas
    problem: AtlasError | None = None


class Source:
    """The atlas of each data folder, loaded once per stamp of its files; its translations and
    filtered views, kept (every request of one view asks the same)."""

    def __init__(self, folder: Path | str | None = None):
        self._folder = Path(folder) if folder is not None else None
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[tuple, Atlas]] = {}  # folder -> (stamp, atlas): the last good
        self._failed: dict[str, tuple[tuple, AtlasError]] = {}  # folder -> (stamp, error) of the files as they are
        self._localised: dict[tuple[str, str], Atlas] = {}
        self._views: OrderedDict[tuple, View] = OrderedDict()

    @property
    def folder(self) -> Path:
        return self._folder if self._folder is not None else data_folder()

    def get(self) -> Loaded:
        """The atlas of the data folder as its files are now, or the last good one with the
        problem; raises :class:`AtlasError` when the folder has never loaded."""
        folder = self.folder
        key = str(folder)
        now = files_stamp(folder)
        with self._lock:
            kept = self._loaded.get(key)
            if kept is not None and kept[0] == now:
                return Loaded(kept[1])
            failed = self._failed.get(key)
            if failed is None or failed[0] != now:
                try:
                    atlas = load_atlas(folder)
                except AtlasError as exc:
                    failed = (now, exc)
                    self._failed[key] = failed
                else:
                    self._loaded[key] = (now, atlas)
                    self._failed.pop(key, None)
                    return Loaded(atlas)
            if kept is None:
                raise failed[1]
            return Loaded(kept[1], failed[1])

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
