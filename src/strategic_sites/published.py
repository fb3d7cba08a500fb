"""The map's heavy data as files the browser fetches once and keeps.

:func:`map_sources` writes the outlines, the sites' popups and areas, the event bundle and its text chunks
(:mod:`strategic_sites.mapdata`) as JSON files named by a hash of their content under
``static/generated/``, which the app serves at ``app/static/generated/``. A file is written
once and never changes, so a browser may keep it; a new data version gets new names. A view
then refers to these files by URL and sends only what it shows.

Where the folder cannot be written (a read-only deployment), the data goes inline in the
map instead: slower, but the map still works, and the caller is told why.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from strategic_sites import assets, mapdata
from strategic_sites.data import Atlas

FOLDER = assets.STATIC_DIR / "generated"
KEEP = 40  # files kept in the folder: older versions' files beyond this are removed


class NotPublished(OSError):
    """The generated folder cannot be written."""


def _write(folder: Path, stem: str, payload: bytes) -> str:
    name = f"{stem}-{hashlib.sha256(payload).hexdigest()[:16]}.json"
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)  # readers never see half a file
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return name


def _prune(folder: Path, keep: set[str]) -> None:
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in files[KEEP:]:
        if path.name not in keep:
            path.unlink(missing_ok=True)


def map_sources(atlas: Atlas, folder: Path = FOLDER, prefix: str = assets.STREAMLIT_PREFIX) -> dict:
    """Write the atlas's map data as content-named files; return the URLs the map fetches
    them from (``outlines``, ``sites``, ``events``). Raises :class:`NotPublished` when it cannot write."""
    url = prefix + "generated/"
    try:
        outlines = _write(folder, "outlines", mapdata.to_json(mapdata.outlines(atlas)))
        sites = _write(folder, "sites", mapdata.to_json(mapdata.site_bundle(atlas)))
        chunks = [_write(folder, "event-text", mapdata.to_json(chunk)) for chunk in mapdata.event_texts(atlas)]
        bundle = _write(folder, "events", mapdata.to_json(mapdata.bundle(atlas, [url + name for name in chunks])))
        _prune(folder, {outlines, sites, bundle, *chunks})
    except OSError as exc:
        raise NotPublished(f"cannot write the map's data to {folder.name}/ ({exc.strerror or exc})") from exc
    return {"outlines": url + outlines, "sites": url + sites, "events": url + bundle}
