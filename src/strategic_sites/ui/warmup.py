"""The server's warm-up: what every first visit needs, done before the server takes visitors.

``serve.py`` runs :func:`warm_up` as the server starts (``st.App``'s lifespan): the atlas's
code imported, its data loaded and validated, the map's data files written
(:mod:`strategic_sites.map.published`), and the map of the default view (the link with no
filters) worked out, all into the caches that every session shares. The first visitor after
a deploy then waits for none of it: without the warm-up (``streamlit run app.py``) the first
visit pays for all of it, and the map's files are written while its browser waits.

A warm-up never stops the server: when the data does not validate, the first visitor is
shown why, as on any run (:func:`strategic_sites.ui.loading.atlas`). Importing this module
imports streamlit-folium outside a script run, so ``serve.py`` registers its component itself
(:func:`strategic_sites.ui.folium_bridge.register_component`). What the warm-up buys, measured,
is in :mod:`strategic_sites.ui.speed`.
"""

from __future__ import annotations

import importlib
import time

from streamlit.logger import get_logger

from strategic_sites.map import published
from strategic_sites.view import urlstate
from strategic_sites.data.atlas import AtlasError
from strategic_sites.ui import loading, map_widget
from strategic_sites.view.urlstate import Known

LOG = get_logger(__name__)
# The page imports these where it uses them (the image downloads: matplotlib, about a second),
# so that a server started without the warm-up draws its first map sooner; here they cost no
# visitor a wait, and the first visitor's filters and tables, drawn with them, follow sooner.
DRAWN_LATER = ("strategic_sites.outputs.image",)


def warm_up() -> str:
    """Load, publish and work out what a first visit needs; returns what was done, in a line
    for the server's log."""
    started = time.perf_counter()
    try:
        data = loading.load()
    except AtlasError as exc:
        first_line = exc.report().strip().splitlines()[0]
        return f"the data did not load ({first_line}); every visitor is shown why"
    loaded = time.perf_counter()
    map_widget.map_sources(data)  # written in the background (inline when the folder is read-only)...
    published.wait_until_written(data)  # ...and waited for: the first visitor fetches them at once
    written = time.perf_counter()
    filters, _ = urlstate.parse({}, Known.of(data))
    shown, view = loading.view_of(data, filters)
    map_widget.prepare_map(shown, view)
    mapped = time.perf_counter()
    for module in DRAWN_LATER:
        importlib.import_module(module)
    done = time.perf_counter()
    return (
        f"warmed up in {done - started:.1f} s: the atlas loaded ({len(data.sites)} sites, {len(data.events)} events) "
        f"in {loaded - started:.1f} s, the map's data files in {written - loaded:.1f} s, the default map in {mapped - written:.1f} s, "
        f"the image downloads' code in {done - mapped:.1f} s"
    )


def warm_up_logged() -> None:
    """:func:`warm_up`, its outcome in the server's log; never raises, so the server starts."""
    try:
        LOG.info("Strategic Sites Atlas: %s", warm_up())
    except Exception:  # noqa: BLE001 - the warm-up only saves time; the first visit does the same work
        LOG.exception("Strategic Sites Atlas: the warm-up failed; the first visit will do its work")
