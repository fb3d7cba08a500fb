"""What makes the map fast, in one place: each mechanism, what it buys, measured, and where it is.

Figures are from ``bench/results.md`` (run of 2026-12-07 on commit 2cc19b6d02, 2 CPUs, a busy
machine: its times are inflated), named by section: *Browser* ("The map in the browser", its
first table), *Details* (the table under it), *Targets*, *In-process* ("In-process (shipped
data)"); and from ``../shared/reference/performance-notes.md`` beside this checkout (*Notes*,
measured 2026-11-29 on the map as it was before the rewrite). "Not measured apart" means what it says: no bench run
has timed the mechanism on its own. ``make bench`` compares the dashboard with a *floor* app,
a bare Streamlit page with an ``st_folium`` map of the 25 sites.

**The warm-up** (:mod:`.warmup`, run by ``serve.py`` before the server answers). The atlas
loaded and validated, the map's data files written, the default map worked out, so the first
visitor after a deploy waits for none of it: ``load_atlas`` takes 0.20 s with the shipped data
and 1.22 s at 100,000 events, the first map build 0.03 s and 0.80 s (*Details*: load_atlas;
server build, first call). The server is ready 1.85 s after it starts (3.59 s at 100,000;
the floor app 0.40 s: *Details*, server start to ready). A module of its own: it imports the
map widget, which imports this module.

**The first paint** (:func:`first_paint`, :func:`rest_follows`; ``app.py`` and
``app_pages/map.py`` ask it). A session's first run of the map page draws the page's head and
the map alone; the filters, tables and the rest follow in the run the drawn map asks for. With
the warm-up, the cold first visit's first marker comes at 1.38 s, the floor app's at 1.85 s
(*Targets*), the last message before it at 0.76 s against the floor app's 1.55 s (*Details*).
Its gain alone is not in the current results: the commit that brought it (43e6902) measured a
second visit's first marker at 2.4 s against the floor app's 2.0 s, 3.9 s before it;
``bench/results.md`` went from 1.89× the floor app (at e2c4ea1) to 1.27× (at 3966f90) with it
and the data files written in the background together. What it costs: every first visit runs
the app twice, and the page changes under a user (or a browser test) until the second run has
drawn. Browser tests wait until the page is at rest (``tests/browser/conftest.py``:
``wait_for_page_at_rest``) before they touch what a later run redraws: commit 2efcad6 added it
for the layer control (redrawn by the follow-up run), 0fb4943 for the share link (drawn last in
every run, see *the order of the page*).

**The head start** (:func:`head_start`, :data:`HEAD_START_S`; called by the map widget). A
rerun that changes the map's overlays (a filter change) waits 0.2 s after sending the map, so
the browser starts redrawing the map's frame before the rest of the page arrives: the browser
draws every element a rerun sends on one thread, and a table that arrives with the map is drawn
first. The filter change redraws in 0.13 s (the floor app's radio: 0.16 s) and 0.27 s at 100,000
events (floor: 0.23 s) (*Browser*, filter change: redraw). Not measured apart: it came in with
the pills and the filters drawn after the page (commit e3c746a). A rerun that leaves the map as
it was waits for nothing; nor does the first paint's follow-up run (the same map).

**The order of the page** (``app.py``; not here: it is the page's layout). The filters' widgets
are drawn after the page, so the browser gets a changed map before the unchanged widgets; the
share link's code box waits in a popover (its highlighter is 1.5 MB of the browser's first
download, by ``ui/sidebar.py``'s note), and under the map only the open tab's table is built and
sent (``ui/tables.py``). Not measured apart.

**The caches**, one level for each kind of work, each shared by every session (Streamlit's
``st.cache_resource``: the object itself, never a copy; *Notes*: ``st.cache_data`` unpickled
172 MiB in 11 s per hit at 100,000 events). Each is declared below, with its size; the cached
functions stay beside their work. Every one hashes the atlas by its key (:data:`BY_KEY`: its
data's fingerprint and language), never by its contents.

- The atlas itself is no Streamlit cache: ``data/source.SHARED`` loads it once per version of
  the data folder's files for the whole process, for the pages (``ui/loading.load``) and the
  data APIs alike, and keeps the last good one: ``load_atlas`` is 125 ms with the shipped data
  (*In-process*) and 1.22 s at 100,000 events (*Details*).
- :data:`LANGUAGE` (``ui/loading._localised``): the atlas in Russian, 0.9 ms (*In-process*).
- :data:`VIEW` (``ui/loading._view``), per atlas and filters (a frozen ``Filters``, where the
  map is left out): ``filters.apply``, 5.3 ms (*In-process*).
- :data:`MAP_FILES` (``ui/map_widget._map_sources``), per atlas: the map's heavy data (outlines,
  sites' popups, every event) written once to ``static/generated/`` under names made of the
  data's fingerprint and the code's hash (``map/published.py``; a restarted server reuses them)
  and fetched once by each browser, which keeps them: a first view fetches 363.9 KB of
  ``/app/static/`` (977.6 KB at 100,000 events), a second view 0 B (*Details*). With them a first
  view is 1.12 MB at 100,000 events (FastMarkerCluster: 2.17 MB; *Browser*); before the rewrite
  the map's message was 212.6 MB there, over Streamlit's 200 MB limit (*Notes*).
- :data:`VIEW_LAYERS` (``ui/map_widget._view_data``), per atlas and the filters that shape the
  layers: the view's layer data, 12.9 ms (*In-process*).
- :data:`KEPT_BASE` (``ui/map_widget._base``), per atlas, first frame and height: **the kept base
  map**, composed and rendered once; a view hangs its overlays on it and takes them off again
  (``ui/folium_bridge.overlay_args``), one view at a time (its lock), so a filter change renders
  only its overlays. A view's whole map builds in 0.02 s (*Browser*: server build; *Details*: KGZ
  build); the base's part is not in ``bench/results.md``. Timed once in-process for this account
  (2026-12-07, 2 CPUs at a load average of 14, shipped data; median of 9): the base and its
  arguments 15-21 ms, a view's overlays on it 7-18 ms, the same view's whole map 22-32 ms.
- :data:`MAP_ARGS` (``ui/map_widget._map_args``), per atlas, shaping filters, layers shown, frame
  and height: the component's arguments, so a rerun that changes nothing on the map renders
  nothing and re-sends them. A rerun of the map page with nothing changed takes 11.0 ms of
  server time (*In-process*), 0.01 s against a limit of 0.05 s (*Targets*); before the rewrite
  ``st_folium`` rendered the overlays again on every rerun, 11.7 s at 10,000 events and 118 s at
  100,000 (*Notes*). With the user's own points the arguments are kept in the session instead
  (``ui/map_widget._args_with_points``, one entry): a shared cache would keep every visitor's
  uploads.
- :data:`TABLES` and :data:`BIBLIOGRAPHY` (``ui/tables._tables``, ``_bibliography``), per view:
  the tables under the map and the Sources page. Not measured apart (the bibliography: 5.4 ms,
  *In-process*).

Smaller ``functools`` caches sit on pure functions called many times a run in the layers below
(date parsing in ``core/dates``, search's folding of names in ``view/search``, country names per
language in ``view/language``, and others: ``@cache`` and ``@lru_cache``). Not measured apart.
"""

from __future__ import annotations

import streamlit as st

from strategic_sites.data.atlas import Atlas
from strategic_sites.ui import state
from strategic_sites.ui.reconnect import page_in_browser

# The cached functions take the atlas itself: Streamlit hashes it by its key (the fingerprint of
# its data files, fixed at load, and its language), never by its contents.
BY_KEY = {Atlas: lambda atlas: atlas.key}

# --- the caches (see the module's docstring for what each buys) ------------------------------------

LANGUAGE = st.cache_resource(max_entries=8, hash_funcs=BY_KEY)
VIEW = st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=BY_KEY)
MAP_FILES = st.cache_resource(show_spinner="Preparing the map…", max_entries=8, hash_funcs=BY_KEY)
VIEW_LAYERS = st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=BY_KEY)
KEPT_BASE = st.cache_resource(show_spinner=False, max_entries=8, hash_funcs=BY_KEY)
MAP_ARGS = st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=BY_KEY)
TABLES = st.cache_resource(show_spinner=False, max_entries=32, hash_funcs=BY_KEY)
BIBLIOGRAPHY = st.cache_resource(show_spinner=False, max_entries=16, hash_funcs=BY_KEY)

# --- the first paint ---------------------------------------------------------------------------------

MAP_PAGE = ""  # the map page's url_path (the default page)


def first_paint(page_path: str | None = None) -> bool:
    """Whether this run draws the map alone. app.py decides once per run, passing the page's
    url_path: yes for a session's first run when it opens on the map page, unless the browser
    shows the page already (it reconnected to this new session: :mod:`.reconnect`). A page asks
    without an argument.

    The drawn map asks for the next run: streamlit-folium reports the map's first view, which
    reruns the app, so the rest arrives once the map is there. Should the map never report (its
    scripts failed), :func:`rest_follows` puts a button in the sidebar that asks at once. (A
    timer would ask by itself, but on a machine so busy that maps take longer than its delay,
    every session would run the page once more: the rest, then the map's report.)"""
    if page_path is not None:
        st.session_state[state.FIRST_PAINT] = page_path == MAP_PAGE and state.STARTED not in st.session_state and not page_in_browser()
        st.session_state[state.STARTED] = True
    return bool(st.session_state.get(state.FIRST_PAINT))


def rest_follows() -> None:
    """Say in the sidebar that the filters are on their way, with a button that asks for them
    at once (any rerun draws them)."""
    with st.sidebar:
        st.caption("The filters appear once the map has drawn…")
        st.button("Show the filters now", key=state.SHOW_REST, type="tertiary", icon=":material/tune:")


# --- the head start ----------------------------------------------------------------------------------

HEAD_START_S = 0.2  # s: how long a map whose overlays changed leads the rest of the page


def head_start(args: dict, pause) -> None:
    """When this rerun changed the map's overlays (a filter change), ``pause(HEAD_START_S)``
    (``time.sleep``, given by the map widget, whose tests count the pauses): the map's message
    reaches the browser, and its frame starts redrawing, before the rest of the page is drawn
    and sent. ``args``: what the map was just sent. A session's first map needs none: nothing
    else is drawn in that run (:func:`first_paint`)."""
    sent = (args["key"], args["feature_group"], args["layer_control"])
    before = st.session_state.get(state.MAP_SENT)
    st.session_state[state.MAP_SENT] = sent
    if before is not None and before != sent:
        pause(HEAD_START_S)
