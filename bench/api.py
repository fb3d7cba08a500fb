"""`make bench`'s data API section: what a notebook waits for from `/api/v1/` at 100,000 events,
against what the page's own download of the same view costs, in the same run.

The served app (`serve.py`, warmed up, on a synthetic atlas of the shipped data plus synthetic
events: bench/synthetic.py, seed 1) answers plain HTTP requests from this process on 127.0.0.1;
each figure is the median of ``--runs`` requests after one warm-up request (so the view is in the
API's cache, as for every later reader of a popular link), timed to the last byte. The baseline is
the page's own work for the same rows, in this process: the Sites table and its GeoJSON download,
the Events table of 1,000 events and their GeoJSON, the Events table of the whole view and its CSV
download (``outputs.tables``), which the API's answers are built from. ``--quick``: 10,000 events, one run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

import common  # bench/common.py: puts src/ on the path too

ROOT = common.ROOT
SECTION = "## Data API (bench/api.py)"
ASOF = "2024-01-01"
CASES = [  # (what, the request, the page's own work for the same view)
    ("sites.geojson", f"/api/v1/sites.geojson?asof={ASOF}", "sites"),
    ("one page of 1,000 events (events.geojson)", f"/api/v1/events.geojson?asof={ASOF}&limit=1000", "events-page"),
    ("every event, streamed (events.csv)", f"/api/v1/events.csv?asof={ASOF}", "events-csv"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(folder: Path, port: int) -> subprocess.Popen:
    """The app as deployed (serve.py: warmed up before it answers) on ``folder``'s data."""
    env = {**os.environ, "STRATEGIC_SITES_DATA": str(folder)}
    command = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port), "--server.headless", "true"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("the app did not answer within 180 s")


def fetch(url: str) -> tuple[float, int]:
    """Seconds to the last byte, and the bytes."""
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as answer:
        size = len(answer.read())
    return time.perf_counter() - start, size


def page_work(folder: Path):
    """The page's own work for each case, in this process (the baseline)."""
    from strategic_sites import load_atlas
    from strategic_sites.outputs import tables
    from strategic_sites.view.filters import Filters, apply

    atlas = load_atlas(folder)
    view = apply(atlas, Filters(asof=date.fromisoformat(ASOF)))
    return len(view.events), {
        "sites": lambda: tables.sites_geojson(view.sites, tables.sites_table(atlas, view)),
        "events-page": lambda: tables.events_geojson(view.events.iloc[:1000], tables.events_table(atlas, view.events.iloc[:1000])),
        "events-csv": lambda: tables.to_csv(tables.events_table(atlas, view.events)),
    }


def measure(runs: int, events: int) -> tuple[int, list[dict]]:
    from synthetic import generate

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "geodata", events, seed=1)
        shown, work = page_work(folder)
        port = free_port()
        server = serve(folder, port)
        try:
            for what, path, baseline in CASES:
                url = f"http://127.0.0.1:{port}{path}"
                fetch(url)  # warm-up: the view into the API's cache
                timings = [fetch(url) for _ in range(runs)]
                seconds = common.median(t for t, _ in timings)
                base, _ = common.timed(work[baseline], runs)
                rows.append({"what": what, "seconds": seconds, "bytes": timings[-1][1], "page": base})
                print(f"{what}: {seconds:.2f} s, {timings[-1][1]:,} bytes (the page's own work {base:.2f} s)", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return shown, rows


def section(shown: int, events: int, rows: list[dict], run: common.Run) -> str:
    lines = [
        SECTION,
        "",
        run.said(["streamlit", "starlette", "pandas"]),
        "",
        f"The default view on {ASOF} of an atlas of {events:,} events ({shown:,} of them in the view), from the "
        "served app over HTTP on this machine, to the last byte; against the page's own work for the same view "
        "in one process (the table and its download, which the API's answer is built from).",
        "",
        "| request | API | bytes | the page's own work | ÷ page |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        ratio = row["seconds"] / row["page"] if row["page"] else float("nan")
        lines.append(f"| {row['what']} | {row['seconds']:.3f} s | {row['bytes']:,} | {row['page']:.3f} s | {ratio:.2f}× |")
    return "\n".join(lines) + "\n"


def main() -> None:
    args = common.parse(common.arguments(__doc__, runs=5))
    run = common.Run("bench/api.py", args)
    events = 10_000 if args.quick else 100_000
    shown, rows = measure(args.runs, events)
    common.finish(section(shown, events, rows, run), SECTION, args)


if __name__ == "__main__":
    main()
