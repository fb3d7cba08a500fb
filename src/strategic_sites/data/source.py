"""The atlas of the served data folder, loaded once per version of its files for the whole
process: the pages (``ui.loading``) and the data APIs (``api``) read the same :data:`SHARED`
atlas, so it is in memory once and loaded once.

The data folder is ``data.atlas.data_folder`` (``$STRATEGIC_SITES_DATA`` when set, else the
shipped ``geodata/``). A folder that stops validating while the server runs keeps the last atlas
that loaded, with the problem beside it (:class:`Loaded`); with none, :class:`AtlasError` is
raised, for the caller to show.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from strategic_sites.data import atlas as atlas_module
from strategic_sites.data.atlas import Atlas, AtlasError, data_folder, files_stamp

FOLDERS_KEPT = 4  # data folders whose last good atlas is kept (the tests use many; a server one)


@dataclass(frozen=True)
class Loaded:
    """The atlas to answer from; ``problem`` set when the folder no longer loads and this is
    the last good atlas."""

    atlas: Atlas
    problem: AtlasError | None = None


class Source:
    """The atlas of each data folder, loaded once per stamp of its files, the last good one
    kept (for the :data:`FOLDERS_KEPT` folders asked for last: the served app has one)."""

    def __init__(self, folder: Path | str | None = None):
        self._folder = Path(folder) if folder is not None else None
        self._lock = threading.Lock()
        self._loaded: OrderedDict[str, tuple[tuple, Atlas]] = OrderedDict()  # folder -> (stamp, atlas): the last good
        self._failed: OrderedDict[str, tuple[tuple, AtlasError]] = OrderedDict()  # folder -> (stamp, error) of the files as they are

    @property
    def folder(self) -> Path:
        return self._folder if self._folder is not None else data_folder()

    def ready(self) -> bool:
        """Whether the folder's files as they are now are loaded already (a get() waits for nothing)."""
        kept = self._loaded.get(str(self.folder))
        return kept is not None and kept[0] == files_stamp(self.folder)

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
                    atlas = atlas_module.load_atlas(folder)
                except AtlasError as exc:
                    failed = (now, exc)
                    _keep(self._failed, key, failed)
                else:
                    _keep(self._loaded, key, (now, atlas))
                    self._failed.pop(key, None)
                    return Loaded(atlas)
            if kept is None:
                raise failed[1]
            return Loaded(kept[1], failed[1])


def _keep(kept: OrderedDict, key: str, value) -> None:
    kept[key] = value
    kept.move_to_end(key)
    while len(kept) > FOLDERS_KEPT:
        kept.popitem(last=False)


SHARED = Source()  # the served data folder's atlas, for the pages and the APIs alike
