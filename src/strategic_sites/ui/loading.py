"""Loading the atlas once per data version, and the one filtered view of each run.

A data folder broken while the app runs shows one clear error and keeps the last atlas that
loaded (:func:`atlas`). The atlas is localised once per language (:func:`prepare`), and
every page of the run reads the same atlas and view (:func:`current`). The caches' levels, and
what each buys, are in :mod:`.speed`.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from strategic_sites.view import language
from strategic_sites.data.atlas import DATA_ENV, Atlas, AtlasError, data_folder  # noqa: F401 - DATA_ENV, data_folder: ui's exports
from strategic_sites.data.source import SHARED, Loaded
from strategic_sites.view.filters import Filters, View, apply
from strategic_sites.ui import speed, state
from strategic_sites.ui.widgets import md



def load() -> Atlas:
    """The validated atlas of the data folder, loaded once per version of its files for the
    whole process (``data.source.SHARED``, which the data APIs read too), and kept as the last
    good one; raises :class:`AtlasError` when the folder does not validate."""
    return _loaded().atlas


def _loaded() -> Loaded:
    if not SHARED.ready():
        with st.spinner("Loading the atlas…"):
            return SHARED.get()
    return SHARED.get()


def _report(exc: AtlasError) -> str:
    """The data's problems as the error box lists them: each line escaped, since it quotes the
    data's cells (a cell ``[click](https://…)`` is shown as written, never as a link)."""
    return md(exc.headline()) + "\n\n" + "\n".join(f"- {md(item)}" for item in exc.items())


def atlas() -> Atlas:
    """The validated atlas; on a data error, one clear message and the last good atlas if any."""
    try:
        loaded = _loaded()
    except AtlasError as exc:  # never loaded
        st.error(_report(exc), icon=":material/error:")
        st.stop()
    if loaded.problem is not None:
        st.error(_report(loaded.problem), icon=":material/error:")
        st.warning("Showing the last version of the data that loaded without problems.")
    return loaded.atlas


@speed.LANGUAGE
def _localised(data: Atlas, lang: str) -> Atlas:
    return language.localise(data, lang)


@speed.VIEW
def _view(data: Atlas, filters: Filters) -> View:
    """The filtered view; cached on the atlas and the filters (a frozen dataclass)."""
    return apply(data, filters)


def prepare(data: Atlas, filters: Filters) -> tuple[Atlas, View]:
    """The atlas in the chosen language and the one filtered view of it, for every page of
    this run (app.py calls this once, after the sidebar)."""
    shown, view = view_of(data, filters)
    st.session_state[state.CURRENT] = (shown, view)
    return shown, view


def view_of(data: Atlas, filters: Filters) -> tuple[Atlas, View]:
    """The atlas in the filters' language and the filtered view of it, from the caches every
    session shares."""
    shown = data if filters.lang == data.lang else _localised(data, filters.lang)
    # Where the map is changes nothing the view holds: one view serves every frame of it.
    view = _view(shown, replace(filters, at=None))
    return shown, view if filters.at is None else replace(view, filters=filters)


def current() -> tuple[Atlas, View]:
    """The atlas (in the chosen language) and the filtered view of this run."""
    return st.session_state[state.CURRENT]
