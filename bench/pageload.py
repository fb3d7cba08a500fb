"""Measure a Streamlit map page in Chromium: a server per run, Playwright driving Debian's Chromium.

One run of one app on one atlas (:func:`measure_run`):

1. start ``streamlit run`` on a free port (cold: nothing cached), with ``STRATEGIC_SITES_DATA``;
2. first view: a fresh browser context (empty HTTP cache), one page, navigate to ``/``;
3. second view: once the first has settled, close it and open a new page in the same context
   (the HTTP cache is warm, the server's caches too) and navigate again;
4. filter change, on the second page: choose KGZ, wait for the map to redraw;
5. the server's peak memory: ``VmHWM`` (the RSS high-water mark) from ``/proc/<pid>/status``.

Times are read in the page, on its own clock: ``performance.now()`` is milliseconds since the
navigation started. The signals are polled on every animation frame (``wait_for_function``
with ``polling="raf"``), so they say when the element was in the DOM at a frame, not merely
inserted. A filter change is timed from the ``pointerdown`` of the click that makes it (a
capture listener on the document) to the redraw.

Bytes: WebSocket frames received (Playwright's ``framereceived``; Streamlit does not compress
them) and HTTP response bodies as transferred (Chromium's encoded body size: gzip where the
server compresses, 0 when served from the HTTP cache). The "payload" of a view is its WebSocket
bytes plus the bytes of ``/app/static/`` (the vendored scripts and any data the map fetches);
Streamlit's and the component's own front-end files are counted apart, as "frontend".

Every request off this machine fails: Chromium is started with a proxy on a closed local port
(loopback bypasses a proxy), not Playwright's request routing, because routing turns off the
HTTP cache and the second view must be able to use it.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "bench" / "apps"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Nothing listens on port 9: every request that is not to loopback fails.
    "--proxy-server=http://127.0.0.1:9",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
VIEWPORT = {"width": 1400, "height": 1000}
QUIET_S = 1.0  # a view has settled when nothing arrived for this long
SETTLE_CAP_S = 20.0

# Recorded in every page before its own scripts: the WebSocket messages received (time on the
# page's clock, size), and the time of the last pointerdown (the start of a filter change).
INIT_SCRIPT = """
(() => {
  if (window.top !== window) {
    // A component's frame (the map): when it got each message from the page (its arguments), on the page's clock.
    window.addEventListener('message', () => {
      try { window.top.__bench.frameMessages.push(performance.timeOrigin + performance.now() - window.top.performance.timeOrigin); } catch (e) {}
    }, true);
    return;
  }
  window.__bench = {ws: [], sent: [], frameMessages: [], click: null};
  const send = window.WebSocket.prototype.send;
  window.WebSocket.prototype.send = function (data) { window.__bench.sent.push(performance.now()); return send.call(this, data); };
  const Native = window.WebSocket;
  window.WebSocket = new Proxy(Native, {
    construct(target, args) {
      const socket = new target(...args);
      socket.addEventListener('message', (event) => {
        const d = event.data;
        window.__bench.ws.push([performance.now(), d.byteLength ?? d.size ?? d.length ?? 0]);
      });
      return socket;
    }
  });
  document.addEventListener('pointerdown', () => { window.__bench.click = performance.now(); }, true);
})();
"""

# One predicate for every signal. It returns false (keep waiting), {t: performance.now()} when
# the signal holds, or {error: text} when the page shows an exception instead of the map.
PREDICATE = """
({frameSelector, signal, dashboard, hasEvents, expected}) => {
  const exception = document.querySelector('[data-testid="stException"], [data-testid="stAlertContentError"]');
  if (exception) return {error: exception.innerText.slice(0, 300)};
  const frame = document.querySelector(frameSelector);
  const doc = frame && frame.contentDocument;
  if (!doc || !doc.body) return false;
  const drawnEl = doc.querySelector('[data-ssa-events-drawn]');
  const attr = drawnEl ? [drawnEl.getAttribute('data-ssa-events-drawn'), drawnEl.getAttribute('data-ssa-events-view')] : null;
  const attrDone = () => attr && attr[0] !== null && attr[0] !== '' && attr[1] !== null && attr[1] !== '' && Number(attr[0]) === Number(attr[1]);
  let ok = false;
  if (signal === 'first') {
    ok = !!doc.querySelector(dashboard ? '.ssa-site' : 'path.leaflet-interactive, .leaflet-marker-icon, .marker-cluster');
  } else if (signal === 'events') {
    // The dashboard's own signal when it has one (events drawn == events in the view), else
    // its cluster icons; the bench apps' marker clusters.
    ok = dashboard ? (drawnEl ? attrDone() : !!doc.querySelector('.ssa-cluster')) : !!doc.querySelector('.marker-cluster');
  } else if (signal === 'filter') {
    const sites = doc.querySelectorAll(dashboard ? '.ssa-site' : 'path.leaflet-interactive').length;
    ok = sites === expected;
    if (ok && dashboard && drawnEl) ok = attrDone();
    if (ok && !dashboard && hasEvents) ok = !!doc.querySelector('.marker-cluster, .leaflet-marker-icon');
  }
  return ok ? {t: performance.now(), attr: attr} : false;
}
"""


class BrowserProfile:
    """Chromium's own account of a phase: main-thread metrics and a sampled JS CPU profile
    (DevTools protocol, the page and its same-origin map iframe), for "what bounds it"."""

    def __init__(self, context, page):
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Performance.enable")
        self.cdp.send("Profiler.enable")

    def _metrics(self) -> dict:
        return {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}

    def start(self) -> None:
        self.before = self._metrics()
        self.cdp.send("Profiler.start")

    def stop(self, top: int = 8) -> dict:
        after = self._metrics()
        profile = self.cdp.send("Profiler.stop")["profile"]
        nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
        by_function: dict[str, float] = {}
        by_script: dict[str, float] = {}
        for node_id, delta in zip(profile.get("samples", []), profile.get("timeDeltas", [])):
            frame = nodes[node_id]
            script = frame["url"].split("?")[0].rsplit("/", 1)[-1] or "(no script: native, idle, GC)"
            name = frame["functionName"] or "(anonymous)"
            key = f"{name} ({script}:{frame['lineNumber'] + 1})" if frame["url"] else name
            by_function[key] = by_function.get(key, 0.0) + delta / 1e6
            if frame["url"]:
                by_script[script] = by_script.get(script, 0.0) + delta / 1e6
        delta = {name: after.get(name, 0.0) - self.before.get(name, 0.0) for name in ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")}
        busy = {k: v for k, v in by_function.items() if k != "(idle)"}
        return {
            "metrics": delta,
            "idle_s": by_function.get("(idle)", 0.0),
            "functions": sorted(busy.items(), key=lambda kv: -kv[1])[:top],
            "scripts": sorted(by_script.items(), key=lambda kv: -kv[1])[:top],
        }


class Failed(Exception):
    """A measurement that could not complete; the message is short, for a table cell."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class App:
    """How to run one of the compared apps."""

    name: str  # floor, naive, fast, dashboard
    script: Path
    cwd: Path
    src: Path  # put first on PYTHONPATH: the strategic_sites under test
    generated: Path | None = None  # what the app writes for browsers, cleared before each cold server

    @property
    def dashboard(self) -> bool:
        return self.name == "dashboard"

    @property
    def has_events(self) -> bool:
        return self.name != "floor"


def apps(app_root: Path, fresh_deploy: bool = False) -> dict[str, App]:
    """The four apps. ``fresh_deploy``: the dashboard's ``static/generated/`` (the data files it
    publishes for browsers, which a restarted server would reuse) is removed before each cold
    server, so that every first view is a first visit after a deploy."""
    src = app_root / "src"
    bench = {name: App(name, APPS / f"{name}.py", ROOT, src) for name in ("floor", "naive", "fast")}
    generated = app_root / "static" / "generated" if fresh_deploy else None
    # As deployed: serve.py (the app, warmed up before the server answers); app.py in checkouts older than it.
    script = app_root / "serve.py" if (app_root / "serve.py").exists() else app_root / "app.py"
    return {**bench, "dashboard": App("dashboard", script, app_root, src, generated)}


class Server:
    """``streamlit run`` of one app on one atlas folder, on a free port, logging to a file."""

    def __init__(self, app: App, data: Path, log_dir: Path, extra_args: tuple[str, ...] = ()):
        self.app = app
        if app.generated is not None:
            shutil.rmtree(app.generated, ignore_errors=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "STRATEGIC_SITES_DATA": str(data), "PYTHONPATH": os.pathsep.join([str(app.src), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{app.name}-{data.name}-{self.port}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115
        args = [
            sys.executable, "-m", "streamlit", "run", str(app.script),
            "--server.port", str(self.port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--server.enableStaticServing", "true",
            "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false", *extra_args,
        ]  # fmt: skip
        self.process = subprocess.Popen(args, cwd=app.cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failed(f"server exited ({self.process.returncode})")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise Failed(f"server not up in {timeout:.0f} s")

    def peak_memory(self) -> int | None:
        """VmHWM of the server process, in bytes."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None

    def log_reason(self) -> str:
        """A short reason from the server log, when it names one."""
        self.log.flush()
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        for needle in ("MessageSizeError", "MemoryError", "Killed"):
            if needle in text:
                for line in text.splitlines():
                    if needle in line:
                        return line.strip()[:160]
        lines = [line for line in text.splitlines() if "Error" in line or "Exception" in line]
        return lines[-1].strip()[:160] if lines else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOCAL_HOSTS


class Recorder:
    """What a page received: WebSocket frames and finished HTTP requests, with Python clock times."""

    def __init__(self, page):
        self.frames: list[tuple[float, int]] = []
        self.requests: list = []
        self.off_machine: list[str] = []
        self.errors: list[str] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._failed)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)[:200]))

    def _frame(self, payload) -> None:
        self.frames.append((time.monotonic(), len(payload)))

    def _finished(self, request) -> None:
        self.requests.append((time.monotonic(), request))

    def _failed(self, request) -> None:
        if not _local(request.url):
            self.off_machine.append(request.url)

    def last_activity(self) -> float:
        times = [t for t, _ in self.frames[-1:]] + [t for t, _ in self.requests[-1:]]
        return max(times) if times else 0.0

    def ws_bytes(self, since: int = 0) -> int:
        return sum(size for _, size in self.frames[since:])

    def http_bytes(self, since: int = 0) -> tuple[int, int]:
        """(bytes of /app/static/, bytes of everything else local), as transferred."""
        static = other = 0
        for _, request in self.requests[since:]:
            if not _local(request.url):
                continue
            try:
                size = max(0, request.sizes()["responseBodySize"])
            except Exception:  # noqa: BLE001 - a request the page dropped
                size = 0
            if "/app/static/" in request.url:
                static += size
            else:
                other += size
        return static, other


def _settle(page, recorder: Recorder) -> None:
    """Wait until nothing has arrived for QUIET_S (the app's reruns and fetches are done)."""
    deadline = time.monotonic() + SETTLE_CAP_S
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        if time.monotonic() - recorder.last_activity() >= QUIET_S:
            return


def _wait(page, app: App, signal: str, cap_s: float, expected: int = 0) -> dict:
    try:
        arg = {"frameSelector": MAP_FRAME, "signal": signal, "dashboard": app.dashboard, "hasEvents": app.has_events, "expected": expected}
        handle = page.wait_for_function(PREDICATE, arg=arg, polling="raf", timeout=cap_s * 1000)
    except Exception as exc:  # noqa: BLE001 - Playwright's TimeoutError and friends
        if "Timeout" in type(exc).__name__ or "Timeout" in str(exc)[:80]:
            raise Failed(f"{signal} not seen in {cap_s:.0f} s") from None
        raise Failed(f"{signal}: {str(exc).splitlines()[0][:120]}") from None
    result = handle.json_value()
    if "error" in result:
        raise Failed("app error: " + " ".join(result["error"].split())[:120])
    return result


def _page_ws(page) -> list[tuple[float, int]]:
    try:
        return [tuple(item) for item in page.evaluate("window.__bench ? window.__bench.ws : []")]
    except Exception:  # noqa: BLE001
        return []


def _view(context, server: Server, app: App, cap_s: float, profile: bool = False) -> tuple[dict, object, Recorder]:
    """Open a page at the app and measure one view; return the figures and the open page."""
    page = context.new_page()
    recorder = Recorder(page)
    profiler = BrowserProfile(context, page) if profile else None
    if profiler:
        profiler.start()
    page.goto(server.url + "/", wait_until="commit", timeout=cap_s * 1000)
    first = _wait(page, app, "first", cap_s)
    events = _wait(page, app, "events", cap_s) if app.has_events else None
    browser_profile = profiler.stop() if profiler else None
    _settle(page, recorder)
    static, other = recorder.http_bytes()
    ws = recorder.ws_bytes()
    # The last WebSocket message before the first marker: what the server took (start-up,
    # loading, building) and the transfer; the rest of the time to the marker is the browser's.
    before = [t for t, _ in _page_ws(page) if t <= first["t"]]
    figures = {
        "first_marker_s": first["t"] / 1000,
        "events_drawn_s": events["t"] / 1000 if events else None,
        "events_attr": (events or {}).get("attr"),
        "ws_bytes": ws,
        "static_bytes": static,
        "payload_bytes": ws + static,
        "frontend_bytes": other,
        "last_ws_before_marker_s": max(before) / 1000 if before else None,
        "off_machine_requests": len(recorder.off_machine),
        "page_errors": recorder.errors[:3],
    }
    if browser_profile:
        figures["browser_profile"] = browser_profile
    return figures, page, recorder


def _filter_timeline(page, clicked: float | None, done: float) -> dict:
    """Where a filter change's time goes, in seconds from the click: the browser sends the
    change (``sent``), the server's first message arrives (``first_message``), the largest
    message, the map's (``map_message``), and the map's frame gets its new arguments
    (``frame_message``); the map has redrawn at ``filter_s``."""
    if clicked is None:
        return {}
    bench = page.evaluate("({ws: window.__bench.ws, sent: window.__bench.sent, frames: window.__bench.frameMessages})")
    received = [(t, n) for t, n in bench["ws"] if clicked < t <= done]
    sent = [t for t in bench["sent"] if t > clicked]
    out = {}
    if sent:
        out["filter_sent_s"] = (sent[0] - clicked) / 1000
    if received:
        out["filter_first_message_s"] = (received[0][0] - clicked) / 1000
        largest = max(received, key=lambda item: item[1])
        out["filter_map_message_s"] = (largest[0] - clicked) / 1000
        frames = [t for t in bench["frames"] if largest[0] <= t <= done]
        if frames:
            out["filter_frame_message_s"] = (frames[0] - clicked) / 1000
    return out


def _filter_change(page, recorder: Recorder, app: App, cap_s: float, kgz_sites: int, profiler: BrowserProfile | None = None) -> dict:
    """Choose KGZ; wait until the map shows the ``kgz_sites`` sites (and its events)."""
    frames_before, requests_before = len(recorder.frames), len(recorder.requests)
    if profiler:
        profiler.start()
    if app.dashboard:
        pills = page.locator('[data-testid="stButtonGroup"]').filter(has_text="Host country")
        if pills.count():  # one click on the country's pill
            pills.get_by_role("button", name="Kyrgyzstan (KGZ)").click(timeout=cap_s * 1000)
        else:  # a dropdown (before the pills): open it, then the option
            page.get_by_role("combobox", name="Host country").click(timeout=cap_s * 1000)
            frames_before, requests_before = len(recorder.frames), len(recorder.requests)
            page.get_by_role("option", name="Kyrgyzstan (KGZ)").click(timeout=cap_s * 1000)
    else:
        page.locator('[data-testid="stRadio"]').get_by_text("KGZ", exact=True).click(timeout=cap_s * 1000)
    done = _wait(page, app, "filter", cap_s, expected=kgz_sites)
    browser_profile = profiler.stop() if profiler else None
    clicked = page.evaluate("window.__bench.click")
    timeline = _filter_timeline(page, clicked, done["t"])
    _settle(page, recorder)
    static, other = recorder.http_bytes(requests_before)
    figures = {
        **timeline,
        "filter_s": (done["t"] - clicked) / 1000 if clicked is not None else None,
        "filter_ws_bytes": recorder.ws_bytes(frames_before),
        "filter_http_bytes": static + other,
        "filter_attr": done.get("attr"),
    }
    if browser_profile:
        figures["browser_profile"] = browser_profile
    return figures


def measure_run(browser, app: App, data: Path, log_dir: Path, cap_s: float, kgz_sites: int, profile: bool = False) -> dict:
    """One cold server: first view, second view, filter change, peak memory. Raises Failed.
    ``profile``: also record Chromium's profile of each phase (the times are then not comparable)."""
    started = time.monotonic()
    server = Server(app, data, log_dir)
    context = None
    try:
        server.wait()
        ready_s = time.monotonic() - started  # process start to the first answer (the dashboard warms up first)
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(INIT_SCRIPT)
        try:
            first, page, _ = _view(context, server, app, cap_s, profile)
            page.close()
            second, page, recorder = _view(context, server, app, cap_s, profile)
            change = _filter_change(page, recorder, app, cap_s, kgz_sites, BrowserProfile(context, page) if profile else None)
        except Failed as exc:
            reason = server.log_reason()
            raise Failed(f"{exc}" + (f" ({reason})" if reason else "")) from None
        return {"ready_s": ready_s, "first": first, "second": second, "filter": change, "peak_memory": server.peak_memory()}
    finally:
        if context is not None:
            try:
                context.close()
            except Exception:  # noqa: BLE001
                pass
        server.stop()


def launch(playwright):
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: `make bench` installs Debian's chromium package")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


@dataclass
class Cell:
    """The runs of one app on one atlas, and what failed."""

    runs: list[dict] = field(default_factory=list)
    failure: str = ""
    skipped: str = ""
