"""The map's heavy data as files the browser fetches once and keeps.

:func:`map_sources` writes the outlines, the sites' popups and areas, the event bundle and
its text chunks (:mod:`strategic_sites.map.mapdata`) as JSON files under ``static/generated/``,
which the app serves at ``app/static/generated/``. A file's name carries the atlas's
fingerprint (its data files' bytes and its language) and a hash of the code that writes it,
so a name always means the same content: a browser may keep the file, a file already
written is never written again (a restarted server reuses them), and new data or new code
gets new names.

The files are written in the background, the map's three first and then the event texts
(which popups fetch only when opened), so the first map after a deploy does not wait for
them; the browser retries a file that is not there yet.

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

from strategic_sites.map import assets, mapdata
from strategic_sites.data.atlas import Atlas

FOLDER = assets.STATIC_DIR / "generated"
LAST_MODIFIED = 946_684_800  # 2000-01-01 00:00 UTC: the date every generated file carries
STALE_DAYS = 7  # files of other data or code versions older than this are removed
_CODE = Path(__file__).resolve().parents[1]  # the package
# The modules whose code decides what the files hold: a change to any of them renames the files
# (the layers' modules too: a layer may add its part to the sites' file).
WRITERS = ("map/mapdata.py", "map/compact.py", "map/layer_kinds/*.py", "core/layerset.py", "map/popups.py", "map/style.py", "core/vocab.py", "map/published.py")


class NotPublished(OSError):
    """The generated folder cannot be written."""


def code_stamp() -> str:
    digest = hashlib.sha256()
    for name in WRITERS:
        for path in sorted(_CODE.glob(name)):
            digest.update(path.read_bytes())
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


def _write_all(atlas: Atlas, folder: Path, names: dict[str, str], chunks: list[Path], url: str, code: str) -> None:
    """Write whichever of the atlas's files are missing: the map's three first, then the
    event texts, then prune stale versions."""
    builds = {
        "outlines": lambda: mapdata.outlines(atlas),
        "sites": lambda: mapdata.site_bundle(atlas),
        "events": lambda: mapdata.bundle(atlas, [url + path.name for path in chunks]),
    }
    for name, file in names.items():
        _ensure(folder / file, builds[name])
    missing = [path for path in chunks if not path.exists()]
    for path, chunk in zip(chunks, mapdata.event_texts(atlas) if missing else []):
        if not path.exists():
            _write(path, mapdata.to_json(chunk))
    _prune(folder, atlas.version, code)


def _in_background(*args) -> None:
    try:
        _write_all(*args)
    except OSError as exc:  # in the background: say so in the server's log
        logging.getLogger(__name__).error("the map's data files could not be written: %s", exc)


def _probe(folder: Path) -> None:
    """Raise OSError unless a file can be written in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".probe-")
    os.close(fd)
    os.unlink(temporary)


_writing: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def map_sources(atlas: Atlas, folder: Path = FOLDER, prefix: str = assets.STREAMLIT_PREFIX, wait: bool = False) -> dict:
    """The URLs the map fetches the atlas's data from (``outlines``, ``sites``, ``events``),
    with the files written if they are not yet: in the background unless ``wait``, so that
    the first map after a deploy does not wait for them (the browser retries a file that is
    not there yet). Raises :class:`NotPublished` when the folder cannot be written."""
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
        if wait:
            _write_all(atlas, folder, names, chunks, url, code)
        elif all(path.exists() for path in [folder / file for file in names.values()] + chunks):
            _prune(folder, atlas.version, code)
        else:
            _probe(folder)
            job = f"{folder}:{stamp}"
            with _lock:
                if job not in _writing or not _writing[job].is_alive():
                    _writing[job] = threading.Thread(
                        target=_in_background, args=(atlas, folder, names, chunks, url, code), name=f"map-data-{stamp}", daemon=True
                    )
                    _writing[job].start()
    except OSError as exc:
        raise NotPublished(f"cannot write the map's data to {folder.name}/ ({exc.strerror or exc})") from exc
    return {name: url + file for name, file in names.items()}


def missing(sources: dict, folder: Path = FOLDER) -> bool:
    """Whether a file of the map's three (``outlines``, ``sites``, ``events`` of
    :func:`map_sources`) is gone from ``folder``: deleted while serving (a wiped static/ folder, a
    cleaned disk). Three stats, cheap enough for every run; the caller then asks
    :func:`map_sources` again, which writes whatever is missing (the event texts too)."""
    return any(
        not (folder / url.rsplit("/", 1)[1]).exists()
        for name, url in sources.items()
        if name in ("outlines", "sites", "events") and isinstance(url, str) and "generated/" in url
    )


def wait_until_written(atlas: Atlas, folder: Path = FOLDER, timeout: float = 60) -> None:
    """Wait until the background writing of the atlas's files has finished."""
    thread = _writing.get(f"{folder}:{atlas.key}-{code_stamp()}")
    if thread is not None:
        thread.join(timeout)
