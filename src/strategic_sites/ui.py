"""The only module that imports Streamlit: cached loading and shared page helpers."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from strategic_sites.data import FILES, Atlas, AtlasError, load_atlas

ROOT = Path(__file__).resolve().parents[2]
DATA_ENV = "STRATEGIC_SITES_DATA"


def data_folder() -> Path:
    """The data folder: ``$STRATEGIC_SITES_DATA`` when set, else the shipped ``geodata/``."""
    return Path(os.environ.get(DATA_ENV) or ROOT / "geodata")


def _stamp(folder: Path) -> tuple:
    """Changes whenever a data file is edited, so an edit reloads the atlas."""
    stamp = []
    for name in FILES:
        try:
            info = (folder / name).stat()
            stamp.append((name, info.st_mtime_ns, info.st_size))
        except OSError:
            stamp.append((name, None, None))
    return tuple(stamp)


@st.cache_resource(show_spinner="Loading the atlas…", max_entries=4)
def _load(folder: str, stamp: tuple) -> Atlas:
    return load_atlas(folder)


@st.cache_resource
def _last_good() -> dict:
    return {}


def atlas() -> Atlas:
    """The validated atlas; on a data error, one clear message and the last good atlas if any."""
    folder = data_folder()
    try:
        loaded = _load(str(folder), _stamp(folder))
    except AtlasError as exc:
        previous = _last_good().get(str(folder))
        st.error(exc.report(), icon=":material/error:")
        if previous is None:
            st.stop()
        st.warning("Showing the last version of the data that loaded without problems.")
        return previous
    _last_good()[str(folder)] = loaded
    return loaded
