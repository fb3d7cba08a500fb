"""The map's heavy data as files the browser fetches once and keeps.

:func:`map_sources` writes the outlines, the sites' popups and areas, the event bundle and
its text chunks (:mod:`strategic_sites.mapdata`) as JSON files under ``static/generated/``,
which the app serves at ``app/static/generated/``. A file's name carries the atlas's
fingerprint (its data files' bytes and its language) and a hash of the code that writes it,
so a name always means the same content: a browser may keep the file, a file already
written is never written again (a restarted server reuses them), and new data or new code
gets new names.

The event texts, which popups fetch only when opened, are written after the rest, in the
background, so the first map does not wait for them; the browser retries a chunk that is
not there yet.

Streamlit serves ``app/static/`` with no ``Cache-Control`` and answers a conditional request
with the whole file, so a browser keeps a file only for its heuristic freshness, a tenth of
the time since its ``Last-Modified``: a file written moments ago would be downloaded again
on every visit. Since a name never changes its content, each file is dated
:data:`LAST_MODIFIED` (a fixed day long past), and a browser keeps it for years. Stale files
are found by their inode change time instead, which is the time they were written.

Where the folder cannot be written (a read-only deployment), the data goes inline in the
map instead: slower, but the map still works, and the caller is told why.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tempfile
import threading
import time
from pathlib import Path

from strategic_sites import assets, mapdata
from strategic_sites.data import Atlas

FOLDER = assets.STATIC_DIR / "generated"
LAST_MODIFIED = 946_684_800  # 2000-01-01 00:00 UTC: the date every generated file carries
STALE_DAYS = 7  # files of other data or code versions older than this are removed
_CODE = Path(__file__).resolve().parent
# The modules whose code decides what the files hold: a change to any of them renames the files.
WRITERS = ("mapdata.py", "popups.py", "style.py", "vocab.py", "published.py")


class NotPublished(OSError):
    """The generated folder cannot be written."""


def code_stamp() -> str:
    digest = hashlib.sha256()
    for name in WRITERS:
        digest.update((_CODE / name).read_bytes())
    return digest.hexdigest()[:8]


def _write(path: Path, payload: bytes) -> None:
    """Write a file whole or not at all: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(temporary, 0o644)
        os.utime(temporary, (LAST_MODIFIED, LAST_MODIFIED))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _ensure(path: Path, build) -> None:
    if not path.exists():
        _write(path, mapdata.to_json(build()))


def _prune(folder: Path, version: str, code: str) -> None:
    """Remove the files of other data or code versions written over STALE_DAYS ago; the
    files of this version, in any language, stay."""
    cutoff = time.time() - STALE_DAYS * 86_400
    for path in folder.glob("*.json"):
        if not (version in path.name and code in path.name) and path.stat().st_ctime < cutoff:
            path.unlink(missing_ok=True)


def _write_texts(atlas: Atlas, paths: list[Path]) -> None:
    try:
        for path, chunk in zip(paths, mapdata.event_texts(atlas)):
            if not path.exists():
                _write(path, mapdata.to_json(chunk))
    except OSError as exc:  # in the background: say so in the server's log
        logging.getLogger(__name__).error("the event texts for the map's popups could not be written: %s", exc)


_writing: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def map_sources(atlas: Atlas, folder: Path = FOLDER, prefix: str = assets.STREAMLIT_PREFIX, wait: bool = False) -> dict:
    """Make sure the atlas's map data is written; return the URLs the map fetches it from
    (``outlines``, ``sites``, ``events``). The event texts are written in the background
    unless ``wait``. Raises :class:`NotPublished` when the folder cannot be written."""
    url = prefix + "generated/"
    code = code_stamp()
    stamp = f"{atlas.key}-{code}"
    names = {
        "outlines": f"outlines-{atlas.version}-{code}.json",
        "sites": f"sites-{stamp}.json",
        "events": f"events-{stamp}.json",
    }
    chunks = [folder / f"event-text-{stamp}-{k}.json" for k in range(max(1, math.ceil(len(atlas.events) / mapdata.TEXT_CHUNK)))]
    try:
        _ensure(folder / names["outlines"], lambda: mapdata.outlines(atlas))
        _ensure(folder / names["sites"], lambda: mapdata.site_bundle(atlas))
        _ensure(folder / names["events"], lambda: mapdata.bundle(atlas, [url + path.name for path in chunks]))
        _prune(folder, atlas.version, code)
        missing = [path for path in chunks if not path.exists()]
        if missing:
            if wait:
                _write_texts(atlas, chunks)
            else:
                job = f"{folder}:{stamp}"
                with _lock:
                    if job not in _writing or not _writing[job].is_alive():
                        _writing[job] = threading.Thread(target=_write_texts, args=(atlas, chunks), name=f"event-texts-{stamp}", daemon=True)
                        _writing[job].start()
    except OSError as exc:
        raise NotPublished(f"cannot write the map's data to {folder.name}/ ({exc.strerror or exc})") from exc
    return {name: url + file for name, file in names.items()}


def wait_for_texts(atlas: Atlas, folder: Path = FOLDER, timeout: float = 60) -> None:
    """Wait until the background writing of the atlas's event texts has finished."""
    thread = _writing.get(f"{folder}:{atlas.key}-{code_stamp()}")
    if thread is not None:
        thread.join(timeout)
