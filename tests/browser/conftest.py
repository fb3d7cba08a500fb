"""Real-browser tests: Streamlit serving the app, Playwright driving Debian's Chromium.

Every request that does not go to this machine is aborted, so the tests prove the
dashboard works offline, whatever network the machine has.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
ARTIFACTS.mkdir(parents=True, exist_ok=True)  # screenshots and server logs, for people to look at
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A page the tests serve by a route (an article holding the embed snippet) has no network
    # address, so Chromium counts it as public and would block its frame of the app on this
    # machine; deployed, both are public. This lets the embed test stand for that.
    "--disable-features=LocalNetworkAccessChecks",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser/ is marked ``browser`` (`make test-fast` runs ``-m "not browser"``),
    so a new file here needs no marker of its own."""
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``streamlit run serve.py``, as deployed (the app warmed up first); ``script="app.py"`` runs the app alone."""

    def __init__(self, env: dict[str, str] | None = None, args: tuple[str, ...] = (), script: str = "serve.py", port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {**os.environ, **(env or {})}
        self.log = open(ARTIFACTS / f"streamlit-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(self.port), "--server.address", "127.0.0.1", *args],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, path: str = "/_stcore/health", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"streamlit did not answer on {self.url}{path} within {timeout}s")

    def log_text(self) -> str:
        """What the server has logged so far."""
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def start_server():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    servers: list[Server] = []

    def start(env: dict[str, str] | None = None, args: tuple[str, ...] = (), base_path: str = "", script: str = "serve.py", port: int | None = None) -> Server:
        server = Server(env, args, script, port)
        servers.append(server)
        server.wait(f"/{base_path}/_stcore/health" if base_path else "/_stcore/health")
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def server(start_server) -> Server:
    return start_server()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page whose non-local requests are aborted and whose failures are recorded."""

    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.blocked: list[str] = []
        self.requested: list[str] = []  # every local URL the page asked for
        self.failed_local: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        context.route("**/*", self._route)
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("console", self._console)
        self.page.on("dialog", self._dialog)

    @staticmethod
    def _local(url: str) -> bool:
        parsed = urlparse(url)
        return parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOCAL_HOSTS

    def _route(self, route):
        if self._local(route.request.url):
            self.requested.append(route.request.url)
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _failed(self, request):
        # ERR_ABORTED: the page itself dropped the request (a frame replaced while loading);
        # a missing file shows as a response of 400 or more, recorded below.
        if self._local(request.url) and "ERR_ABORTED" not in (request.failure or ""):
            self.failed_local.append(f"{request.url} ({request.failure})")

    def _response(self, response):
        if self._local(response.url) and response.status >= 400:
            self.failed_local.append(f"{response.url} ({response.status})")

    def _console(self, message):
        if message.type == "error" and "net::ERR_FAILED" not in message.text and "Failed to load resource" not in message.text:
            self.errors.append(f"console: {message.text}")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_(url: str, viewport=(1400, 1000)) -> Watched:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        watched = Watched(context)
        watched.page.goto(url, wait_until="domcontentloaded")
        return watched

    yield open_
    for context in contexts:
        context.close()


MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def map_frame(page):
    return page.frame_locator(MAP_FRAME)


def map_window(page):
    """The map iframe's frame, for evaluating script in it (``window.map``, ``SSA``)."""
    return page.locator(MAP_FRAME).element_handle().content_frame()


def wait_for_layer_drawn(page, noun: str, count: int, timeout: float = 60_000) -> None:
    """Until a clustered layer (``noun``: "events" or "points") reports ``count`` of its
    items in the view, all of them drawn (the map container's ``data-ssa-<noun>-*``)."""
    page.wait_for_function(
        """([selector, noun, count]) => {
            const frame = document.querySelector(selector);
            const box = frame && frame.contentDocument && frame.contentDocument.querySelector('#map_div');
            return box && box.getAttribute('data-ssa-' + noun + '-view') === String(count)
                && box.getAttribute('data-ssa-' + noun + '-drawn') === String(count);
        }""",
        arg=[MAP_FRAME, noun, count],
        timeout=timeout,
    )


def wait_for_markers(page, count: int, timeout: float = 60_000):
    frame = map_frame(page)
    markers = frame.locator(".ssa-site")
    page.wait_for_function(
        """([selector, count]) => {
            const frame = document.querySelector(selector);
            const doc = frame && frame.contentDocument;
            return doc && doc.querySelectorAll('.ssa-site').length === count;
        }""",
        arg=[MAP_FRAME, count],
        timeout=timeout,
    )
    return markers


def share_link(page, has_text: str | None = None, timeout: float = 30_000) -> str:
    """The sidebar's share link, as a user reads it: open "Share this view", read the code box
    (waiting for one holding ``has_text``), close the popover (and wait until it is gone). Once the
    page has drawn its last run: a popover opened while a run redraws it shows the run before's link."""
    wait_for_page_at_rest(page, timeout=max(timeout, 60_000))
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Share this view").click()
    box = page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"]')
    if has_text:
        box = box.filter(has_text=has_text)
    box.first.wait_for(timeout=timeout)
    text = box.first.inner_text().strip()
    page.keyboard.press("Escape")
    page.locator('[data-testid="stPopoverBody"]').wait_for(state="hidden", timeout=timeout)
    return text


# --- waiting until what a user sees is drawn -------------------------------------------------------
#
# In place of fixed sleeps: each condition below is something a user would see (or a move a user
# would see happen), read from the page. They are checked on every animation frame, and must hold
# on several frames in a row with nothing changing, so that work a page has queued for its next
# frame (Leaflet starts an animated zoom, such as the map's first fitBounds, in a frame callback)
# is seen before the page counts as still.

# A Leaflet map of the atlas in ``win`` (a page's window or a map iframe's): drawn and at rest.
MAP_AT_REST = """(win) => {
    const doc = win && win.document, L = win && win.L, SSA = win && win.SSA;
    if (!doc || !L || !SSA || doc.readyState !== 'complete') return null;
    let map = win.map;  // streamlit-folium's name for it; a downloaded map has only folium's map_<id>
    if (!(map instanceof L.Map)) map = Object.keys(win).filter(k => k.startsWith('map_')).map(k => win[k]).find(v => v instanceof L.Map);
    if (!map || !map._loaded) return null;
    // No move under way: a zoom or pan animation, or one the minimap is about to hand back to the
    // map (it follows each move of the map, and moves the map when it moves by itself).
    const moving = m => m._animatingZoom || (m._panAnim && m._panAnim._inProgress) || m._flyToFrame;
    if (moving(map)) return null;
    const mini = ((map._events && map._events.moveend) || []).map(h => h.ctx).find(c => c && c._miniMap);
    if (mini && (moving(mini._miniMap) || mini._mainMapMoving || mini._miniMapMoving)) return null;
    // Natural Earth land under the map and in the minimap (beside its two view rectangles).
    if (!doc.querySelector('.leaflet-ssa-land-pane canvas')) return null;
    if (mini && mini._container.querySelectorAll('path').length <= 2) return null;
    // Every site with its glyph; an open site popup with its text (both come with the sites' file).
    const sites = [...doc.querySelectorAll('.ssa-site')];
    if (sites.some(e => !e.querySelector('svg'))) return null;
    if ([...doc.querySelectorAll('.ssa-popup-holder')].some(e => e.textContent === '\u2026')) return null;
    // The clustered layers (the events, a user's points), when shown, drawn for this view.
    const clustered = [['_events', 'events'], ['_points', 'points']].filter(([slot]) => SSA[slot]);
    if (clustered.some(([slot, noun]) => !(SSA[slot].index && map.getContainer().hasAttribute('data-ssa-' + noun + '-drawn')))) return null;
    // Every tile asked for has its answer (offline: refused), and no canvas waits for a redraw.
    if ([...doc.querySelectorAll('img.leaflet-tile')].some(img => !img.complete)) return null;
    const canvases = Object.values(map._paneRenderers || {}).concat(map._renderer || [], clustered.map(([slot]) => SSA[slot].renderer));
    if (canvases.some(r => r._redrawRequest)) return null;
    if (doc.fonts.status !== 'loaded') return null;
    const c = map.getCenter();
    return [map.getZoom(), c.lat, c.lng, sites.length, doc.querySelectorAll('.leaflet-popup').length,
            ...clustered.map(([slot, noun]) => map.getContainer().getAttribute('data-ssa-' + noun + '-drawn'))].join();
}"""

# A Streamlit page: no run in progress, no stale or placeholder element, every table, chart and
# image drawn, and every map in it at rest.
PAGE_AT_REST = """() => {
    if (document.readyState !== 'complete' || document.fonts.status !== 'loaded') return null;
    const app = document.querySelector('[data-testid="stApp"]');  // Streamlit's own e2e tests wait on these
    if (!app || app.dataset.testScriptState !== 'notRunning' || app.dataset.testConnectionState !== 'CONNECTED') return null;
    if (document.querySelector('[data-testid="stStatusWidget"], [data-stale="true"]')) return null;
    if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"], [data-testid="stAppSkeleton"]')) return null;
    // Tables and charts in a tab not shown are drawn when it is opened.
    const shown = [...document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"]')].filter(e => e.checkVisibility());
    if (!shown.every(e => e.querySelector(e.dataset.testid === 'stDataFrame' ? 'canvas' : '.marks'))) return null;
    if (![...document.images].every(img => img.complete)) return null;
    const maps = [...document.querySelectorAll(%(frame)s)].map(f => (%(map)s)(f.contentWindow));
    if (maps.some(state => state === null)) return null;
    return [document.querySelectorAll('[data-testid="stElementContainer"]').length, location.href, ...maps].join('|');
}""" % {"frame": repr(MAP_FRAME), "map": MAP_AT_REST}

# ``state`` (a JS expression: a string describing what is drawn, or null while not ready) holding
# the same value on ``frames`` animation frames in a row.
_STILL = """(frames) => {
    const state = (%s)();
    const seen = window.__ssaStill || (window.__ssaStill = {state: null, count: 0});
    if (state === null || state !== seen.state) {
        seen.state = state;
        seen.count = 0;
        return false;
    }
    seen.count += 1;
    return seen.count >= frames;
}"""

STILL_FRAMES = 3


def _wait_until_still(target, state: str, timeout: float) -> None:
    target.evaluate("() => { window.__ssaStill = null; }")
    target.wait_for_function(_STILL % state, arg=STILL_FRAMES, polling="raf", timeout=timeout)


def wait_for_map_at_rest(page, frame: str | None = MAP_FRAME, timeout: float = 60_000) -> None:
    """Until the map is drawn and still: no zoom or pan under way (the map's own, or one the
    minimap is about to make), land, site glyphs, open popups, the events (and points) of the view,
    tiles answered, canvases redrawn. The map is in the iframe ``frame`` (a Streamlit page's main map),
    or with ``frame=None`` in the page itself (a downloaded map)."""
    where = "window" if frame is None else "(document.querySelector(%r) || {}).contentWindow" % frame
    _wait_until_still(page, "() => (%s)(%s)" % (MAP_AT_REST, where), timeout)


def choose_country(page, name: str) -> None:
    """Click a host country's pill among the sidebar's filters, as a user does (a second click
    on it leaves it out again)."""
    page.locator(".st-key-f_country").get_by_role("button", name=name).click(timeout=30_000)


def set_view(page, lat: float, lon: float, zoom: float, frame: str = MAP_FRAME) -> None:
    """Move the map at once, as a user's pan and zoom would, and wait until it is drawn there and
    still. The script returns nothing on purpose: ``map.setView`` returns the Leaflet map, and
    Playwright serialising that object graph back to Python took 40-60 s a call."""
    page.locator(frame).element_handle().content_frame().evaluate(
        "([lat, lon, zoom]) => { window.map.setView([lat, lon], zoom, {animate: false}); }", [lat, lon, zoom]
    )
    wait_for_map_at_rest(page, frame)


def wait_for_page_at_rest(page, timeout: float = 60_000) -> None:
    """Until the Streamlit page is drawn and still: the run finished, nothing stale or loading,
    tables, charts, images and maps drawn (see :func:`wait_for_map_at_rest`). For screenshots,
    and before a step that must not race the page's last rerun."""
    _wait_until_still(page, PAGE_AT_REST, timeout)


def layer_input(page, name: str, frame: str = MAP_FRAME):
    """The layer control's checkbox for the overlay ``name``, as a user reaches it: the control
    is folded to its button, and opens under the pointer (a rerun that changes the layers
    draws it anew, folded), once the page has drawn its last run (the control stands still)."""
    wait_for_page_at_rest(page)
    inside = page.frame_locator(frame)
    control = inside.locator(".leaflet-control-layers")
    if not control.evaluate("c => c.classList.contains('leaflet-control-layers-expanded')"):
        control.hover()
        inside.locator(".leaflet-control-layers-expanded").wait_for(timeout=10_000)
    return inside.locator(".leaflet-control-layers-overlays label", has_text=name).locator("input")
