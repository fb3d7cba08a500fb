"""`make bench`: the dashboard's map against the naive baseline, FastMarkerCluster and the floor app.

For each atlas size (the shipped data, then the shipped data plus synthetic events from
bench/synthetic.py with a fixed seed: 1k, 10k, 100k events), in one run, side by side:

- floor: the smallest Streamlit page showing an st_folium map of the 25 sites as CircleMarkers;
- naive: the sites plus one Marker with a Popup per event in a MarkerCluster (up to 10k);
- fast: the sites plus folium's FastMarkerCluster of the events;
- dashboard: the real app as deployed (``streamlit run serve.py``), its map through its own composer.

Measured for each (bench/pageload.py and bench/serverbuild.py say exactly how): the server build time
and bytes, in-process; in Chromium, payload bytes, time to the first marker and to the events
layer drawn, on the first view (cold server, empty browser cache) and on the second; bytes and
time of a filter change (to KGZ); the server's peak memory. Times are medians of ``--runs``
cold servers; bytes are exact. The dashboard is held to the issue's targets, with ratios to the
floor app measured in the same run; for each target missed, "What bounds it" gives the evidence
(where the time or the bytes go, and a cProfile of the server build). The in-process table of
the earlier benchmark (shipped data) follows. Everything is written to bench/results.md.

    .venv/bin/python bench/run.py            # the full bench (make bench)
    .venv/bin/python bench/run.py --quick    # shipped + 1k, one run each, to bench/artifacts/
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402
import pageload as bb  # noqa: E402
from synthetic import generate  # noqa: E402

GEODATA = ROOT / "geodata"
ARTIFACTS = ROOT / "bench" / "artifacts"  # server logs, quick results (ignored by git)
SEED = 1
SIZES = {"shipped": None, "1k": 1_000, "10k": 10_000, "100k": 100_000}
APPS = ("floor", "naive", "fast", "dashboard")
MAX_EVENTS = {"naive": 10_000}  # the naive baseline is not run above this
BUILD_TIMEOUT_S = 900
SLOW_RUN_S = 60  # a cell whose run takes longer is run once
PROFILE_TIMEOUT_S = 240

KB, MB, GB = 1e3, 1e6, 1e9


# --- targets ------------------------------------------------------------------------------------
# (size, label, metric, limit, kind, what to profile when missed)
# metric: a path into a cell's medians; kind: "s", "bytes" or "ratio" (to the floor app).
TARGETS = [
    ("shipped", "second visit to /: first marker ÷ floor app", "second.first_marker_s", 1.3, "ratio", "warm"),
    ("shipped", "second visit to /: first marker", "second.first_marker_s", 2.0, "s", "warm"),
    ("shipped", "cold first visit: first marker", "first.first_marker_s", 3.5, "s", "cold"),
    ("shipped", "filter change: bytes over the WebSocket", "filter.filter_ws_bytes", 100 * KB, "bytes", "kgz"),
    ("shipped", "filter change: redraw", "filter.filter_s", 0.5, "s", "kgz"),
    ("10k", "first view: payload", "first.payload_bytes", 1.5 * MB, "bytes", "warm"),
    ("10k", "first view: first marker", "first.first_marker_s", 3.0, "s", "cold"),
    ("10k", "filter change: redraw", "filter.filter_s", 1.0, "s", "kgz"),
    ("10k", "peak server memory", "peak_memory", 500 * MB, "bytes", "memory"),
    ("100k", "first view: payload", "first.payload_bytes", 6 * MB, "bytes", "warm"),
    ("100k", "first view: events layer drawn", "first.events_drawn_s", 6.0, "s", "cold"),
    ("100k", "filter change: redraw", "filter.filter_s", 2.0, "s", "kgz"),
    ("100k", "peak server memory", "peak_memory", 1.5 * GB, "bytes", "memory"),
]

# The server's time for a rerun with unchanged inputs: measured in-process (bench/inprocess.py).
RERUN_TARGET = "warm rerun with unchanged inputs: the server's time for the run"
RERUN_LIMIT_S = 0.05


# --- formatting ---------------------------------------------------------------------------------


def fmt_bytes(value) -> str:
    if value is None:
        return "–"
    if value >= GB:
        return f"{value / GB:.2f} GB"
    if value >= MB:
        return f"{value / MB:.2f} MB"
    if value >= KB:
        return f"{value / KB:.1f} KB"
    return f"{value:.0f} B"


def fmt_s(value) -> str:
    return "–" if value is None else f"{value:.2f} s"


def fmt(value, kind: str) -> str:
    if kind == "bytes":
        return fmt_bytes(value)
    if kind == "ratio":
        return "–" if value is None else f"{value:.2f}×"
    return fmt_s(value)


def snapshot(source: Path, target: Path) -> None:
    """Copy a checkout's tracked and untracked files (not the ignored ones), symlinks as links."""
    names = subprocess.run(["git", "-C", str(source), "ls-files", "-z", "-co", "--exclude-standard"], capture_output=True, check=True).stdout
    for name in filter(None, names.decode().split("\0")):
        origin, copy = source / name, target / name
        if not origin.exists() and not origin.is_symlink():
            continue  # deleted in the working tree
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, copy, follow_symlinks=False)


def kind_is_time(row: dict) -> bool:
    return row["kind"] in ("s", "ratio")


def dig(data: dict, path: str):
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


# --- one bench run ------------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.started = time.monotonic()
        self.tmp = Path(tempfile.mkdtemp(prefix="ssa-bench-"))
        self.commit = ""
        self.describe = ""
        self.owned = True  # the code under test is the bench's own copy: it may clear what the app generates
        if args.commit:
            # A clean copy of one commit (git archive): the bench of exactly that code and data.
            self.commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", args.commit], capture_output=True, text=True, check=True).stdout.strip()
            self.app_root = self.tmp / "code"
            self.app_root.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", self.commit], capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(self.app_root)], input=archive, check=True)
        elif Path(args.app_root).resolve() == ROOT:
            # A copy of the working tree (tracked and untracked files, not the ignored ones):
            # the bench never writes into the checkout, and runs can start from a fresh deploy.
            self.app_root = self.tmp / "code"
            snapshot(ROOT, self.app_root)
            self.describe = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--abbrev=10"], capture_output=True, text=True).stdout.strip()
        else:
            self.app_root = Path(args.app_root).resolve()
            self.owned = False
        self.geodata = self.app_root / "geodata" if (self.app_root / "geodata" / "sites.geojson").exists() else GEODATA
        self.apps = bb.apps(self.app_root, fresh_deploy=self.owned)
        self.logs = ARTIFACTS / "logs"
        self.folders: dict[str, Path] = {}
        self.builds: dict[str, dict] = {}  # size -> serverbuild.py output (or {"failed": ...})
        self.cells: dict[tuple[str, str], bb.Cell] = {}
        self.broken: dict[str, str] = {}  # app -> the size it failed at
        self.profiles: dict[tuple[str, str], dict] = {}
        self.browser_profiles: dict[str, dict] = {}  # size -> a profiled run of the dashboard
        self.inprocess: dict = {}
        self.chromium = ""
        self.loads: list[float] = []  # the 1-minute load average at the start of each run
        self.kgz: dict[str, int] = {}
        self.argv = ["bench/run.py", *sys.argv[1:]]
        self.finished_utc: str = ""
        self.minutes: float | None = None  # frozen when the runs end
        self.machine_lines: list[str] = []

    def elapsed_min(self) -> float:
        return (time.monotonic() - self.started) / 60

    def env(self) -> dict:
        pythonpath = os.pathsep.join(p for p in [str(self.app_root / "src"), os.environ.get("PYTHONPATH", "")] if p)
        return {**os.environ, "PYTHONPATH": pythonpath}

    def folder(self, size: str) -> Path:
        if size not in self.folders:
            events = SIZES[size]
            self.folders[size] = self.geodata if events is None else generate(self.tmp / f"atlas-{size}", events, SEED, source=self.geodata)
        return self.folders[size]

    def kgz_sites(self, size: str) -> int:
        """How many sites the KGZ filter keeps (the generator adds events, never sites)."""
        if size not in self.kgz:
            features = json.loads((self.folder(size) / "sites.geojson").read_text(encoding="utf-8"))["features"]
            self.kgz[size] = sum(1 for feature in features if feature["properties"].get("country") == "KGZ")
        return self.kgz[size]

    def subprocess_json(self, args: list[str], timeout: float) -> dict:
        try:
            done = subprocess.run(
                [sys.executable, *args], cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return {"failed": f"timed out after {timeout:.0f} s"}
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return {"failed": f"exit {done.returncode}: {tail[:160]}"}
        return json.loads(lines[-1])

    def applies(self, app: str, size: str) -> bool:
        events = SIZES[size] or 0
        return app in self.args.apps and events <= MAX_EVENTS.get(app, events)

    def run(self) -> None:
        from playwright.sync_api import sync_playwright

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        print(f"code under test: {self.app_root}; logs in {self.logs}", flush=True)
        if not self.args.skip_inprocess:
            print("in-process cases (shipped data)…", flush=True)
            self.inprocess = self.subprocess_json([str(ROOT / "bench" / "inprocess.py"), str(self.args.inprocess_runs)], BUILD_TIMEOUT_S)
        with sync_playwright() as playwright:
            browser = bb.launch(playwright)
            self.chromium = browser.version
            try:
                self.warm_up(browser)
                for size in self.args.sizes:
                    self.run_size(browser, size)
                if not self.args.no_profiles:
                    self.run_browser_profiles(browser)
            finally:
                browser.close()
        if not self.args.no_profiles:
            self.run_profiles()

    def freeze(self) -> None:
        """The run is over: fix its duration, date and machine for the report."""
        if self.minutes is None:
            self.minutes = self.elapsed_min()
            self.finished_utc = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M}"
            self.machine_lines = self.machine()

    STATE = ("argv", "finished_utc", "minutes", "machine_lines", "loads", "kgz", "builds", "inprocess", "chromium", "commit", "owned")

    def save(self, path: Path) -> None:
        """Everything measured, as JSON: `--report-from` writes results.md again from it."""
        state = {name: getattr(self, name) for name in self.STATE}
        state["args"] = {k: v for k, v in vars(self.args).items() if isinstance(v, (int, float, str, list, bool, type(None)))}
        state["cells"] = [{"size": size, "app": app, **asdict(cell)} for (size, app), cell in self.cells.items()]
        state["profiles"] = [{"size": size, "mode": mode, "result": result} for (size, mode), result in self.profiles.items()]
        state["browser_profiles"] = self.browser_profiles
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(state, default=str), encoding="utf-8")

    def load(self, path: Path) -> None:
        state = json.loads(path.read_text(encoding="utf-8"))
        for name in self.STATE:
            setattr(self, name, state[name])
        for key, value in state["args"].items():
            if key not in ("out", "report_from"):
                setattr(self.args, key, value)
        self.cells = {(c["size"], c["app"]): bb.Cell(c["runs"], c["failure"], c["skipped"]) for c in state["cells"]}
        self.profiles = {(p["size"], p["mode"]): p["result"] for p in state["profiles"]}
        self.browser_profiles = state["browser_profiles"]

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def warm_up(self, browser) -> None:
        """One discarded run (floor, shipped data): the browser's and the disk's first-time costs."""
        print("warm-up run (discarded)…", flush=True)
        try:
            bb.measure_run(browser, self.apps["floor"], self.folder("shipped"), self.logs, self.args.cap, self.kgz_sites("shipped"))
        except bb.Failed as exc:
            print(f"  warm-up failed: {exc}", flush=True)

    def run_size(self, browser, size: str) -> None:
        folder = self.folder(size)
        apps = [a for a in APPS if self.applies(a, size)]
        print(f"[{self.elapsed_min():5.1f} min] {size}: server build ({', '.join(apps)})…", flush=True)
        self.builds[size] = self.subprocess_json(
            [str(ROOT / "bench" / "serverbuild.py"), str(folder), "--apps", ",".join(apps), "--runs", str(self.args.runs)], BUILD_TIMEOUT_S
        )
        for app in apps:
            cell = self.cells.setdefault((size, app), bb.Cell())
            if app in self.broken:
                cell.skipped = f"skipped: failed at {self.broken[app]}"
        for number in range(1, self.args.runs + 1):
            for app in apps:
                cell = self.cells[(size, app)]
                if cell.skipped or cell.failure:
                    continue
                if self.elapsed_min() > self.args.budget:
                    if not cell.runs:
                        cell.skipped = f"skipped: over the {self.args.budget:.0f}-minute budget"
                    continue
                self.loads.append(os.getloadavg()[0])
                print(f"[{self.elapsed_min():5.1f} min] {size} {app} run {number} (load {self.loads[-1]:.1f})…", end=" ", flush=True)
                run_started = time.monotonic()
                try:
                    result = bb.measure_run(browser, self.apps[app], folder, self.logs, self.args.cap, self.kgz_sites(size))
                except bb.Failed as exc:
                    print(f"failed: {exc}", flush=True)
                    if cell.runs:
                        cell.failure = f"run {number} failed: {exc}"  # keep the runs that completed
                    else:
                        cell.failure = f"failed: {exc}"
                        self.broken[app] = size
                    continue
                result["wall_s"] = time.monotonic() - run_started
                cell.runs.append(result)
                if result["wall_s"] > SLOW_RUN_S:
                    cell.skipped = f"one run: it took {result['wall_s']:.0f} s"  # slow enough to be stable; keeps the bench short
                print(
                    f"first marker {fmt_s(result['first']['first_marker_s'])}, payload {fmt_bytes(result['first']['payload_bytes'])}, "
                    f"second {fmt_s(result['second']['first_marker_s'])}, filter {fmt_s(result['filter']['filter_s'])}, "
                    f"memory {fmt_bytes(result['peak_memory'])}",
                    flush=True,
                )

    # --- medians and targets ----------------------------------------------------------------------

    def medians(self, size: str, app: str) -> dict | None:
        cell = self.cells.get((size, app))
        if not cell or not cell.runs:
            return None
        out: dict = {}
        for part in ("first", "second", "filter"):
            keys = [k for k, v in cell.runs[0][part].items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
            out[part] = {k: bb.median([run[part].get(k) for run in cell.runs]) for k in keys}
        memories = [run["peak_memory"] for run in cell.runs if run["peak_memory"]]
        out["peak_memory"] = max(memories) if memories else None
        out["ready_s"] = bb.median([run.get("ready_s") for run in cell.runs])
        return out

    def target_rows(self) -> list[dict]:
        rows = []
        for size, label, metric, limit, kind, mode in TARGETS:
            if size not in self.args.sizes:
                continue
            dash, floor = self.medians(size, "dashboard"), self.medians(size, "floor")
            cell = self.cells.get((size, "dashboard"), bb.Cell())
            value = dig(dash, metric) if dash else None
            floor_value = dig(floor, metric) if floor else None
            if kind == "ratio":
                measured = value / floor_value if value is not None and floor_value else None
            else:
                measured = value
            ratio = value / floor_value if kind != "ratio" and value is not None and floor_value else None
            met = None if measured is None else measured <= limit
            note = cell.failure or cell.skipped if measured is None else ""
            rows.append({"size": size, "label": label, "metric": metric, "limit": limit, "kind": kind, "mode": mode,
                         "measured": measured, "value": value, "floor": floor_value, "ratio": ratio, "met": met, "note": note})  # fmt: skip
        rerun = (self.inprocess or {}).get("rerun")
        if rerun is not None and "shipped" in self.args.sizes:  # measured in-process (bench/inprocess.py)
            value = rerun["ms"] / 1000 if "ms" in rerun else None
            rows.append({"size": "shipped", "label": RERUN_TARGET, "metric": "rerun", "limit": RERUN_LIMIT_S, "kind": "s", "mode": "warm",
                         "measured": value, "value": value, "floor": None, "ratio": None, "met": None if value is None else value <= RERUN_LIMIT_S,
                         "note": rerun.get("failed", "")})  # fmt: skip
        return rows

    def run_browser_profiles(self, browser) -> None:
        """One more run of the dashboard, under Chromium's profiler, at each size where it
        misses a time target: where the browser's time goes (not counted in the medians)."""
        sizes = []
        for row in self.target_rows():
            if not row["met"] and row["metric"] != "peak_memory" and (row["kind"] != "bytes") and row["value"] is not None:
                if row["size"] not in sizes:
                    sizes.append(row["size"])
        for size in sizes:
            print(f"[{self.elapsed_min():5.1f} min] {size} dashboard: a run under Chromium's profiler…", flush=True)
            try:
                self.browser_profiles[size] = bb.measure_run(browser, self.apps["dashboard"], self.folder(size), self.logs, self.args.cap, self.kgz_sites(size), profile=True)
            except bb.Failed as exc:
                self.browser_profiles[size] = {"failed": str(exc)}

    def run_profiles(self) -> None:
        """A cProfile of the server build behind each missed target (one per size and mode)."""
        wanted: dict[str, list[str]] = {}
        for row in self.target_rows():
            if not row["met"]:
                mode = row["mode"] if row["mode"] in ("cold", "warm", "kgz") else "cold"
                if mode not in wanted.setdefault(row["size"], []):
                    wanted[row["size"]].append(mode)
        for size, modes in wanted.items():
            print(f"[{self.elapsed_min():5.1f} min] profiles of the dashboard's server build at {size}: {', '.join(modes)}…", flush=True)
            specs = [arg for mode in modes for arg in ("--profile", f"dashboard:{mode}")] + (["--fresh-deploy"] if self.owned else [])
            result = self.subprocess_json([str(ROOT / "bench" / "serverbuild.py"), str(self.folder(size)), "--no-build", *specs], PROFILE_TIMEOUT_S * len(modes))
            for mode in modes:
                self.profiles[(size, mode)] = result.get("profiles", {}).get(f"dashboard:{mode}", result)

    # --- the report -------------------------------------------------------------------------------

    def machine(self) -> list[str]:
        cpu = ""
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
        memory = ""
        try:
            kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
            memory = f", {kib / 2**20:.0f} GiB RAM"
        except (OSError, IndexError, ValueError):
            pass
        versions = []
        for name in ("streamlit", "folium", "streamlit-folium", "playwright"):
            try:
                versions.append(f"{name} {importlib.metadata.version(name)}")
            except importlib.metadata.PackageNotFoundError:
                pass
        if self.commit:
            where = f"a clean copy (`git archive`) of commit {self.commit[:10]}"
        elif self.owned:
            where = f"a copy of this checkout's working tree, at {self.describe or 'an unknown commit'}"
        else:
            where = f"`{self.app_root}`, used in place"
        load = ""
        if self.loads:
            load = (f"- Load average (1 min) at the start of the runs: median {statistics.median(self.loads):.1f}, "
                    f"max {max(self.loads):.1f}, on {os.cpu_count()} CPUs")  # fmt: skip
            if max(self.loads) > (os.cpu_count() or 1):
                load += ": **the machine was busy with other work; the times are inflated**"
        return [
            f"- Machine: {platform.platform()}, {os.cpu_count()} CPUs ({cpu or platform.machine()}){memory}",
            f"- Python {sys.version.split()[0]}; Chromium {self.chromium} (headless, Debian's); {', '.join(versions)}",
            f"- Code under test: {where}",
            *([load] if load else []),
        ]

    def report(self) -> str:
        args = self.args
        self.freeze()
        lines = [
            "# Benchmarks",
            "",
            f"Run {self.finished_utc} UTC with `{' '.join(self.argv)}` in {self.minutes:.1f} minutes; "
            f"median of {args.runs} cold server{'s' if args.runs != 1 else ''} per cell (one where a run takes over {SLOW_RUN_S} s); bytes are exact. "
            "Written by bench/run.py: do not edit by hand.",
            "",
            *self.machine_lines,
            "",
            "## How it is measured",
            "",
            "- **Atlases**: the shipped `geodata/` (25 sites, 215 events), and the shipped data plus synthetic events "
            f"(bench/synthetic.py, seed {SEED}) to 1,000, 10,000 and 100,000 events in all.",
            "- **Apps**: *floor*, the smallest Streamlit page with an `st_folium` map of the 25 sites as CircleMarkers and "
            "the same vendored assets; *naive*, the sites plus one `Marker` with a `Popup` per event in a `MarkerCluster` "
            "(up to 10k); *fast*, the sites plus `FastMarkerCluster` of the events; *dashboard*, `streamlit run serve.py`, as deployed. "
            "The bench apps are bench/apps/*.py with one filter, a radio “Country: All / KGZ” (KGZ: the sites whose host country "
            "is KGZ, and the events at those sites or whose `countries` list KGZ); the dashboard's filter is a click on the "
            "sidebar's “Host country” pill Kyrgyzstan (KGZ) (a dropdown's option, in commits before the pills). The bench apps show every event of the atlas; the dashboard its default "
            "view (events from 1991 to this year: all but the 6 shipped events before 1991).",
            "- **Server build**: in-process, median of the runs (one run when a build takes over 5 s): for the bench apps the folium map and "
            "`fmap.get_root().render()` (bytes: the HTML); for the dashboard `layers.map_payload(atlas, view)` for the "
            "default view (bytes: the sum of its values, UTF-8); its first call, which may publish data files, is listed "
            "apart. Atlas loading is not in it (see *load_atlas* below).",
            "- **First view**: a new server (nothing cached), a fresh browser context (empty HTTP cache), `/`"
            + ("; the dashboard's `static/generated/` (the data files it publishes, which a restarted server would reuse) "
               "is removed first, so each first view is the first visit after a deploy. " if self.owned else
               "; the dashboard's `static/generated/` is kept between runs (the code is used in place). ")
            + "**Second view**: a new page in the same context once the first had settled. **Filter change**: on the second "
            "page. One discarded warm-up run first.",
            "- **The dashboard is warmed up before it answers**: `serve.py` loads and validates the data, writes the map's "
            "data files and works out the default map before the server answers its first request (`ui/warmup.py`), as every "
            "deploy recipe runs it; the bench apps do their work in their first run. The time that takes is in *server start to ready* "
            "(process start to the first answer of `/_stcore/health`), listed apart: a first view starts once the server is ready.",
            "- **The dashboard draws the map first**: a session's first run of the map page sends the title, the counts "
            "and the map alone; the filters, tables and the rest come in the run the drawn map asks for (`ui/speed.py`). "
            "A view's bytes count both runs; its times stop at the signal, whichever run it came in.",
            "- **Times** are read in the page: `performance.now()` (ms since the navigation started) when the signal first "
            "holds, polled on every animation frame. *First marker*: the first `.ssa-site` in the map's iframe (dashboard), "
            "the first `path.leaflet-interactive`, `.leaflet-marker-icon` or `.marker-cluster` (bench apps). *Events drawn*: "
            "`data-ssa-events-drawn` = `data-ssa-events-view` on the map (dashboard; before the map rewrite, the first "
            "`.ssa-cluster`), the first `.marker-cluster` (bench apps). *Filter change*: from the click's `pointerdown` "
            f"until the map shows the {self.kgz.get('shipped', 'KGZ')} KGZ sites (and, where the dashboard has it, events drawn = events in view; for "
            "naive and fast, event markers present).",
            "- **Bytes**: *payload* = WebSocket frames received (uncompressed: Streamlit does not compress them) + "
            "the bodies of `/app/static/` responses as transferred (vendored scripts, and any data the map fetches; "
            "gzip where served so, 0 from the HTTP cache), until nothing arrived for 1 s. Streamlit's and the component's "
            "own front-end files are listed apart (*frontend*). Filter change: WebSocket frames from the click until quiet.",
            "- **Peak server memory**: `VmHWM` (RSS high-water mark) of the `streamlit` process after the run; the "
            "largest over the runs. KB, MB, GB are 10³, 10⁶, 10⁹ bytes.",
            "- **Profiles**, for each target missed: one more run of the dashboard under Chromium's profiler (DevTools "
            "protocol: main-thread task, script, style and layout time, and a sampled JS profile of the page and its map "
            "iframe), and a cProfile of the server build; neither is in the medians.",
            f"- Every request off this machine fails (a dead proxy), so tiles never load. Each wait is capped at "
            f"{args.cap:.0f} s; a cell that could not complete says why. Servers run with `--server.fileWatcherType none`.",
            "",
            "## The map in the browser",
            "",
            "| atlas | app | server build | build bytes | 1st view payload | 1st view: first marker | 1st view: events drawn "
            "| 2nd view payload | 2nd view: first marker | 2nd view: events drawn | filter change: WS bytes | filter change: redraw "
            "| peak server memory |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for size in args.sizes:
            build = self.builds.get(size, {})
            for app in APPS:
                if (size, app) not in self.cells:
                    continue
                lines.append(self.main_row(size, app, build))
        lines += ["", "Details: what the times and bytes above are made of.", ""]
        lines += [
            "| atlas | load_atlas | app | runs | server start to ready | server build, first call | 1st view: last WS message before first marker | 1st view: WS bytes "
            "| 1st view: /app/static/ bytes | 1st view: frontend bytes | 2nd view: /app/static/ bytes | 2nd view: frontend bytes "
            "| KGZ build | KGZ build bytes |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for size in args.sizes:
            build = self.builds.get(size, {})
            for app in APPS:
                cell = self.cells.get((size, app))
                if cell is None:
                    continue
                med = self.medians(size, app) or {}
                b = build.get("apps", {}).get(app, {})
                lines.append(
                    f"| {size} | {fmt_s(build.get('load_s'))} | {app} | {len(cell.runs)}/{args.runs} | {fmt_s(med.get('ready_s'))} | {fmt_s(b.get('first_build_s'))} "
                    f"| {fmt_s(dig(med, 'first.last_ws_before_marker_s'))} | {fmt_bytes(dig(med, 'first.ws_bytes'))} "
                    f"| {fmt_bytes(dig(med, 'first.static_bytes'))} | {fmt_bytes(dig(med, 'first.frontend_bytes'))} "
                    f"| {fmt_bytes(dig(med, 'second.static_bytes'))} | {fmt_bytes(dig(med, 'second.frontend_bytes'))} "
                    f"| {fmt_s(b.get('kgz_build_s'))} | {fmt_bytes(b.get('kgz_bytes'))} |"
                )
        notes = self.notes()
        if notes:
            lines += ["", *notes]
        lines += self.targets_section()
        lines += self.bounds_section()
        lines += self.inprocess_section()
        return "\n".join(lines) + "\n"

    def main_row(self, size: str, app: str, build: dict) -> str:
        cell = self.cells[(size, app)]
        b = build.get("apps", {}).get(app, {})
        if "build_s" in b:
            build_s, build_bytes = fmt_s(b["build_s"]), fmt_bytes(b["build_bytes"])
        else:
            reason = b.get("na") or b.get("failed") or build.get("failed") or "–"
            build_s = f"n/a ({reason})" if "na" in b else (f"failed: {reason}" if reason != "–" else "–")
            build_bytes = "n/a" if "na" in b else "–"
        name = app if len(cell.runs) in (0, self.args.runs) else f"{app} ({len(cell.runs)} run{'s' if len(cell.runs) != 1 else ''})"
        med = self.medians(size, app)
        if med is None:
            why = cell.failure or cell.skipped or "no run"
            return f"| {size} | {name} | {build_s} | {build_bytes} | {why} |  |  |  |  |  |  |  | |"
        events = app != "floor"
        cells = [
            fmt_bytes(dig(med, "first.payload_bytes")),
            fmt_s(dig(med, "first.first_marker_s")),
            fmt_s(dig(med, "first.events_drawn_s")) if events else "–",
            fmt_bytes(dig(med, "second.payload_bytes")),
            fmt_s(dig(med, "second.first_marker_s")),
            fmt_s(dig(med, "second.events_drawn_s")) if events else "–",
            fmt_bytes(dig(med, "filter.filter_ws_bytes")),
            fmt_s(dig(med, "filter.filter_s")),
            fmt_bytes(med.get("peak_memory")),
        ]
        if cell.failure:
            cells[-1] += f" ({cell.failure})"
        return f"| {size} | {name} | {build_s} | {build_bytes} | " + " | ".join(cells) + " |"

    @staticmethod
    def filter_timeline(med: dict) -> str:
        steps = [
            ("filter.filter_sent_s", "the browser sends the change"),
            ("filter.filter_first_message_s", "the server's first message of the rerun arrives"),
            ("filter.filter_map_message_s", "the map's message (the rerun's largest)"),
            ("filter.filter_frame_message_s", "the map's frame gets its new arguments"),
            ("filter.filter_s", "the map shows the KGZ sites"),
        ]
        return "; ".join(f"{label} at {fmt_s(dig(med, key))}" for key, label in steps if dig(med, key) is not None) + "."

    def notes(self) -> list[str]:
        notes = []
        for (size, app), cell in self.cells.items():
            errors = sorted({e for run in cell.runs for part in ("first", "second") for e in run[part].get("page_errors", [])})
            if errors:
                notes.append(f"- {size} {app}: page errors: " + "; ".join(f"`{e[:100]}`" for e in errors[:2]))
            attrs = [run["first"].get("events_attr") for run in cell.runs if run["first"].get("events_attr")]
            if app == "dashboard" and attrs:
                notes.append(f"- {size} dashboard: `data-ssa-events-drawn`/`-view` at events drawn (first view): {attrs[0][0]}/{attrs[0][1]}")
        again = [size for (size, app), cell in self.cells.items() if app == "dashboard" and (dig(self.medians(size, app) or {}, "second.static_bytes") or 0) > 0]
        if again:
            notes.append(
                f"- The dashboard's second view fetched `/app/static/` files again ({', '.join(again)}): Streamlit serves them with no "
                "`Cache-Control` and answers a conditional request (`If-None-Match`, `If-Modified-Since`) with the whole file, so "
                "the browser keeps a file only for its heuristic freshness, a fraction of the file's age; files published moments "
                "before (a fresh deploy) are downloaded again."
            )
        if any(app == "dashboard" and cell.runs and not any(r["first"].get("events_attr") for r in cell.runs) for (_, app), cell in self.cells.items()):
            notes.append("- The dashboard has no `data-ssa-events-drawn` yet: its *events drawn* is the first `.ssa-cluster` icon.")
        return notes

    def targets_section(self) -> list[str]:
        lines = [
            "",
            "## Targets (the dashboard)",
            "",
            "Ratios are to the floor app, the same figure in the same run. ✓ met, ✗ missed (or could not be measured).",
            "",
            "| atlas | target | limit | dashboard | floor app | ÷ floor | met |",
            "|---|---|---:|---:|---:|---:|:---:|",
        ]
        for row in self.target_rows():
            kind = row["kind"]
            limit = f"≤ {row['limit']:.1f}×" if kind == "ratio" else f"≤ {fmt(row['limit'], kind)}"
            base_kind = "s" if kind == "ratio" else kind
            dashboard = fmt(row["value"], base_kind) if row["value"] is not None else (row["note"] or "–")
            ratio = fmt(row["measured"], "ratio") if kind == "ratio" else fmt(row["ratio"], "ratio")
            met = "✓" if row["met"] else "✗"
            lines.append(f"| {row['size']} | {row['label']} | {limit} | {dashboard} | {fmt(row['floor'], base_kind)} | {ratio} | {met} |")
        return lines

    def bounds_section(self) -> list[str]:
        missed = [row for row in self.target_rows() if not row["met"]]
        lines = ["", "## What bounds it", ""]
        if not missed:
            return lines + ["Every target is met."]
        lines.append("For each target missed: the evidence measured in this run, then a cProfile of the server build it depends on "
                     "(`cold`: load_atlas + the view + the build, as a first visit; `warm`: the view + the build; `kgz`: the KGZ "
                     "view + its build; each after one unprofiled call, so imports are not in it): the top functions by cumulative "
                     "time, then by own time.")  # fmt: skip
        shown: dict[tuple[str, str], str] = {}
        for row in missed:
            size, kind = row["size"], row["kind"]
            shown_value = fmt(row["measured"], kind) if row["measured"] is not None else (row["note"] or "not measured")
            title = f"{size}: {row['label']}: {shown_value} (limit {fmt(row['limit'], kind)})"
            lines += ["", f"### {title}", ""]
            lines += self.evidence(row)
            mode = row["mode"] if row["mode"] in ("cold", "warm", "kgz") else "cold"
            if (size, mode) in shown:
                lines.append(f"- Server build profile: `{mode}` at {size}, as under “{shown[(size, mode)]}” above.")
            else:
                shown[(size, mode)] = title
                lines += self.profile_lines(size, mode)
        return lines

    def evidence(self, row: dict) -> list[str]:
        size = row["size"]
        med = self.medians(size, "dashboard") or {}
        build = self.builds.get(size, {})
        b = build.get("apps", {}).get("dashboard", {})
        out = []
        if size in self.builds and build.get("load_s") is not None:
            out.append(f"- load_atlas on this atlas: {fmt_s(build.get('load_s'))} ({build.get('events')} events), in every cold first view.")
        if "build_s" in b:
            parts = sorted(b.get("parts", {}).items(), key=lambda kv: -kv[1])
            out.append(f"- Server build (map_payload, default view): {fmt_s(b['build_s'])}, {fmt_bytes(b['build_bytes'])}: "
                       + ", ".join(f"`{k}` {fmt_bytes(v)}" for k, v in parts[:6]))  # fmt: skip
            out.append(f"- KGZ view build: {fmt_s(b.get('kgz_build_s'))}, {fmt_bytes(b.get('kgz_bytes'))}.")
        elif b:
            out.append(f"- Server build: n/a ({b.get('na') or b.get('failed')}).")
        metric = row["metric"]
        if metric.startswith(("first.", "second.")) and med:
            part = metric.split(".")[0]
            last = dig(med, f"{part}.last_ws_before_marker_s")
            marker = dig(med, f"{part}.first_marker_s")
            drawn = dig(med, f"{part}.events_drawn_s")
            out.append(
                f"- {part.capitalize()} view: WebSocket {fmt_bytes(dig(med, part + '.ws_bytes'))}, /app/static/ "
                f"{fmt_bytes(dig(med, part + '.static_bytes'))}, frontend {fmt_bytes(dig(med, part + '.frontend_bytes'))}; "
                f"the last WebSocket message before the first marker came at {fmt_s(last)}, the marker at {fmt_s(marker)}"
                + (f" (the browser's share after the data: {fmt_s(marker - last)})" if last is not None and marker is not None else "")
                + f", the events layer drawn at {fmt_s(drawn)}."
            )
            floor = self.medians(size, "floor")
            if floor:
                f_last, f_marker = dig(floor, f"{part}.last_ws_before_marker_s"), dig(floor, f"{part}.first_marker_s")
                out.append(f"- The floor app, same view: last WebSocket message before its first marker at {fmt_s(f_last)}, "
                           f"the marker at {fmt_s(f_marker)}: what any Streamlit map page costs here.")  # fmt: skip
        if metric.startswith("filter.") and med:
            out.append(f"- Filter change: {fmt_bytes(dig(med, 'filter.filter_ws_bytes'))} over the WebSocket, "
                       f"{fmt_bytes(dig(med, 'filter.filter_http_bytes'))} over HTTP, redrawn in {fmt_s(dig(med, 'filter.filter_s'))}.")  # fmt: skip
            out += [f"- Where its time goes, from the click (medians): {self.filter_timeline(med)}"]
            floor = self.medians(size, "floor")
            if floor and dig(floor, "filter.filter_s") is not None:
                out += [f"- The floor app's filter (a radio), the same way: {self.filter_timeline(floor)}"]
        if kind_is_time(row) and size in self.browser_profiles:
            out += self.browser_profile_lines(size, metric.split(".")[0])
        if metric == "peak_memory":
            out.append(f"- Server VmHWM {fmt_bytes(med.get('peak_memory'))}; in the build process alone, RSS peak after load_atlas "
                       f"{fmt_bytes(build.get('rss_after_load'))}, after the builds {fmt_bytes(b.get('rss_after_build'))}.")  # fmt: skip
        cell = self.cells.get((size, "dashboard"))
        if cell and (cell.failure or cell.skipped):
            out.append(f"- {cell.failure or cell.skipped}")
        return out

    def browser_profile_lines(self, size: str, phase: str) -> list[str]:
        run = self.browser_profiles.get(size, {})
        if "failed" in run:
            return [f"- The profiled run failed: {run['failed']}"]
        profile = (run.get(phase) or {}).get("browser_profile")
        if not profile:
            return []
        what = {"first": "first view, to the events layer drawn", "second": "second view, to the events layer drawn", "filter": "filter change, click to redraw"}[phase]
        m = profile["metrics"]
        lines = [
            f"- Chromium's main thread in a profiled run ({what}): tasks {m['TaskDuration']:.2f} s, of which script "
            f"{m['ScriptDuration']:.2f} s, style {m['RecalcStyleDuration']:.2f} s, layout {m['LayoutDuration']:.2f} s. "
            "JS self time by script: " + ", ".join(f"`{name}` {sec:.2f} s" for name, sec in profile["scripts"][:6]) + ".",
            "  Top functions by self time: " + ", ".join(f"`{name}` {sec:.2f} s" for name, sec in profile["functions"][:8]) + ".",
        ]
        return lines

    def profile_lines(self, size: str, mode: str) -> list[str]:
        result = self.profiles.get((size, mode))
        if result is None:
            return ["", f"No `{mode}` profile at {size} (not run)."]
        if "top" not in result:
            return ["", f"`{mode}` profile at {size}: {result.get('failed') or result.get('na') or 'no result'}"]
        b = self.builds.get(size, {}).get("apps", {}).get("dashboard", {})
        what = " (code without `map_payload`: the folium map as `ui.atlas_map` built it, rendered)" if "na" in b else ""
        lines = ["", f"`{mode}` profile at {size}{what}: {result['seconds']:.1f} s under cProfile.", "",
                 "| cumulative | own | calls | function (top by cumulative time) |", "|---:|---:|---:|---|"]  # fmt: skip
        for cum, own, calls, name in result["top"]:
            lines.append(f"| {cum:.2f} s | {own:.2f} s | {calls} | `{name}` |")
        if result.get("top_own"):
            lines += ["", "| own | cumulative | calls | function (top by own time) |", "|---:|---:|---:|---|"]
            for cum, own, calls, name in result["top_own"]:
                lines.append(f"| {own:.2f} s | {cum:.2f} s | {calls} | `{name}` |")
        return lines

    def inprocess_section(self) -> list[str]:
        data = self.inprocess
        lines = ["", "## In-process (shipped data)", ""]
        if not data or "rows" not in data:
            return lines + [f"Not run{': ' + data['failed'] if data.get('failed') else ''}."]
        counts = data.get("counts", {})
        lines += [
            f"Median of {data['runs']} runs; memory is the tracemalloc peak. Data: {counts.get('sites')} sites, "
            f"{counts.get('control')} control periods, {counts.get('events')} events, {counts.get('sources')} sources. "
            "Ratios are to the baseline measured in the same run (reading and parsing the files, nothing else).",
            "",
            "| case | time ÷ baseline | peak memory ÷ baseline | time (ms) | peak memory (MiB) |",
            "|---|---:|---:|---:|---:|",
        ]
        for row in data["rows"]:
            if "failed" in row:
                lines.append(f"| {row['case']} | failed: {row['failed']} | | | |")
            else:
                lines.append(f"| {row['case']} | {row['time_ratio']:.1f}× | {row['memory_ratio']:.1f}× | {row['ms']:.1f} | {row['mib']:.1f} |")
        rerun = data.get("rerun") or {}
        if "ms" in rerun:
            lines += ["", f"A rerun of the map page that changes nothing (the app's whole script, run by AppTest after a visitor's "
                          f"first runs; the time inside the script's run, median of {rerun['runs']}): {rerun['ms']:.1f} ms."]  # fmt: skip
        elif rerun:
            lines += ["", f"A rerun of the map page that changes nothing: failed ({rerun['failed']})."]
        return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shipped + 1k, one run each; results to bench/artifacts/")
    parser.add_argument("--runs", type=int, help="cold servers per cell (default 3; 1 with --quick)")
    parser.add_argument("--sizes", help="comma-separated, of " + ",".join(SIZES))
    parser.add_argument("--apps", default=",".join(APPS), help="comma-separated, of " + ",".join(APPS))
    parser.add_argument("--app-root", default=str(ROOT), help="the checkout whose app.py, src/ and geodata/ are benchmarked (default: this one)")
    parser.add_argument("--commit", help="benchmark a clean copy of this commit (git archive) instead of the working tree")
    parser.add_argument("--cap", type=float, default=120, help="seconds any one wait may take (default 120)")
    parser.add_argument("--budget", type=float, default=40, help="minutes after which no new run starts (default 40)")
    parser.add_argument("--inprocess-runs", type=int, help="runs of each in-process case (default 7; 3 with --quick)")
    parser.add_argument("--skip-inprocess", action="store_true")
    parser.add_argument("--no-profiles", action="store_true", help="no profiles of the targets missed (browser and server)")
    parser.add_argument("--out", type=Path, help="default bench/results.md (bench/artifacts/results-quick.md with --quick)")
    parser.add_argument("--report-from", type=Path, help="write the report again from a run's raw figures (bench/artifacts/results.json)")
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.inprocess_runs = args.inprocess_runs or (3 if args.quick else 7)
    args.sizes = [s for s in (args.sizes or ("shipped,1k" if args.quick else ",".join(SIZES))).split(",") if s]
    args.apps = [a for a in args.apps.split(",") if a]
    unknown = [s for s in args.sizes if s not in SIZES] + [a for a in args.apps if a not in APPS]
    if unknown:
        parser.error(f"unknown: {', '.join(unknown)}")
    out = args.out or (ARTIFACTS / "results-quick.md" if args.quick else ROOT / "bench" / "results.md")

    # A terminated bench still stops its servers (the finally blocks run) and writes its report.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(args)
    raw = out.with_suffix(".json") if args.quick or args.out else ARTIFACTS / "results.json"
    try:
        if args.report_from:
            bench.load(args.report_from)
        else:
            bench.run()
    finally:
        try:
            if not args.report_from:
                bench.freeze()
                bench.save(raw)  # first: a report that fails can be written again from it
            text = bench.report()
            if out.exists():  # the sections of `make load`, bench/images.py, uploads.py and api.py stay until they are written again
                import api
                import common
                import images
                import uploads

                old = out.read_text(encoding="utf-8")
                sections = (load.SECTION, images.SECTION, uploads.SECTION, api.SECTION)
                kept = "\n".join(part.rstrip("\n") + "\n" for part in (common.split_section(old, title)[1] for title in sections) if part)
                text = text.rstrip("\n") + ("\n\n" + kept if kept else "\n")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            print(f"\n{text}\nwritten to {out} (raw figures: {raw}); the runs took {bench.minutes:.1f} minutes", flush=True)
        finally:
            bench.cleanup()


if __name__ == "__main__":
    main()
