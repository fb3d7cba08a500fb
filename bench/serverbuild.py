"""The server build, in-process, for each compared app on one atlas folder; prints JSON.

Run by bench/run.py in a subprocess (with the code under test first on PYTHONPATH, and a
time limit), so that a slow or huge build neither holds up nor bloats the harness:

    python bench/serverbuild.py FOLDER --apps floor,naive,fast,dashboard --runs 3 [--profile APP:MODE ...]

What is timed (median of ``--runs``, or one run when a build takes over 5 s):

- floor, naive, fast: :func:`benchapp.build` (the folium map) and ``fmap.get_root().render()``;
  the bytes are those of the rendered HTML.
- dashboard: ``strategic_sites.map.layers.map_payload(atlas, view)`` for the default view
  (``filters.apply(atlas, Filters())``); the bytes are the sum of its values, UTF-8. When the
  code has no ``map_payload`` the cell is "n/a".

Also: ``load_atlas`` (once), the same build for the KGZ view (once), and this process's peak
RSS after loading and after building. ``--profile APP:MODE`` adds a cProfile (after one
unprofiled call, so imports are not in it), top functions by cumulative and by own time: MODE ``cold`` profiles load_atlas + the view + the build (what a first visit
costs the server), ``warm`` the view + the build, ``kgz`` the KGZ view + its build.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "apps"))

TOP = 8
TOP_OWN = 5
SLOW_S = 5.0


def peak_rss() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def clear_generated() -> None:
    """Remove the files the dashboard publishes for browsers (static/generated/ of the code under test)."""
    try:
        from strategic_sites.map import published
    except ImportError:
        return
    import shutil

    shutil.rmtree(published.FOLDER, ignore_errors=True)


def payload_size(value) -> int:
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    return len(json.dumps(value, default=str).encode("utf-8"))


class Builder:
    """Build one app's map for the default and the KGZ view; return its bytes (and parts)."""

    def __init__(self, app: str, atlas):
        self.app = app
        self.atlas = atlas

    def available(self) -> bool:
        if self.app != "dashboard":
            return True
        from strategic_sites.map import layers

        return hasattr(layers, "map_payload")

    def view(self, kgz: bool = False):
        atlas = self.atlas
        if self.app == "dashboard":
            from strategic_sites.view.filters import Filters, apply

            return apply(atlas, Filters(countries=("KGZ",)) if kgz else Filters())
        import benchapp

        sites, events = benchapp.kgz(atlas) if kgz else (atlas.sites, atlas.events)
        return sites, events.iloc[:0] if self.app == "floor" else events

    def legacy(self, view) -> dict[str, int]:
        """Code without map_payload (before the map rewrite): the folium map as ui.atlas_map
        built it (base map + the four data layers), rendered. Used for profiles only."""
        import folium

        from strategic_sites.map import assets, layers

        fmap = layers.base_map(self.atlas.countries, layers.bounds_of(view.sites))
        for group in layers.data_layers(self.atlas, view):
            group.add_to(fmap)
        folium.LayerControl().add_to(fmap)
        assets.localize(fmap)
        return {"html": payload_size(fmap.get_root().render())}

    def build(self, view) -> dict[str, int]:
        if self.app == "dashboard":
            from strategic_sites.map import layers

            if not hasattr(layers, "map_payload"):
                return self.legacy(view)
            payload = layers.map_payload(self.atlas, view)
            return {str(key): payload_size(value) for key, value in payload.items()}
        import benchapp

        html = benchapp.build(self.app, self.atlas, *view).get_root().render()
        return {"html": payload_size(html)}


PLUMBING = ("<frozen importlib", "bench/serverbuild.py", "bench/run.py")


def profile(func) -> dict:
    """cProfile ``func`` after one unprofiled call (so imports and first-time caches are not
    counted); the top functions by cumulative time and by own time."""
    func()
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    func()
    profiler.disable()
    seconds = time.perf_counter() - start
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (filename, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        if any(marker in filename for marker in PLUMBING) or name.startswith("<method 'disable'") or name == "<built-in method builtins.exec>":
            continue
        rows.append([cumtime, tottime, calls, f"{name} ({short(filename)}:{line})"])
    by_cumulative = sorted(rows, key=lambda row: -row[0])[:TOP]
    by_own = sorted(rows, key=lambda row: -row[1])[:TOP_OWN]
    return {"seconds": seconds, "top": by_cumulative, "top_own": by_own}


def short(filename: str) -> str:
    for marker in ("site-packages/", "/src/", "/bench/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename.rsplit("/", 1)[-1] if "/" in filename else filename


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--apps", default="floor,naive,fast,dashboard")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="append", default=[], help="APP:MODE, MODE cold|warm|kgz")
    parser.add_argument("--no-build", action="store_true", help="only the load and the profiles")
    parser.add_argument("--fresh-deploy", action="store_true", help="cold profiles start with no static/generated/ (the bench's own copy only)")
    args = parser.parse_args()

    from strategic_sites import load_atlas

    out: dict = {"apps": {}, "profiles": {}}
    start = time.perf_counter()
    atlas = load_atlas(args.folder)
    out["load_s"] = time.perf_counter() - start
    out["events"] = len(atlas.events)
    out["rss_after_load"] = peak_rss()

    for app in [a for a in args.apps.split(",") if a] if not args.no_build else []:
        builder = Builder(app, atlas)
        if not builder.available():
            out["apps"][app] = {"na": "no layers.map_payload in this code"}
            continue
        try:
            view = builder.view()
            samples, parts = [], {}
            for _ in range(max(1, args.runs)):
                t0 = time.perf_counter()
                parts = builder.build(view)
                samples.append(time.perf_counter() - t0)
                if samples[-1] > SLOW_S:  # slow enough to be stable: one run will do
                    break
            kgz_view = builder.view(kgz=True)
            t0 = time.perf_counter()
            kgz_parts = builder.build(kgz_view)
            kgz_s = time.perf_counter() - t0
            out["apps"][app] = {
                "build_s": statistics.median(samples),
                "build_runs": len(samples),
                "first_build_s": samples[0],
                "build_bytes": sum(parts.values()),
                "parts": parts,
                "kgz_build_s": kgz_s,
                "kgz_bytes": sum(kgz_parts.values()),
                "rss_after_build": peak_rss(),
            }
        except Exception as exc:  # noqa: BLE001 - one app's failure is a table cell
            out["apps"][app] = {"failed": f"{type(exc).__name__}: {str(exc).splitlines()[0][:150] if str(exc) else ''}"}
        print(json.dumps({"progress": app}), flush=True)

    for spec in args.profile:
        app, mode = spec.split(":")
        builder = Builder(app, atlas)
        if mode == "cold":

            def run(builder=builder, calls=[]):  # noqa: B006 - counts the calls
                calls.append(1)
                if args.fresh_deploy and len(calls) > 1:
                    clear_generated()  # the profiled call publishes the data files again, as after a deploy
                cold = Builder(builder.app, load_atlas(args.folder))
                cold.build(cold.view())

        elif mode == "warm":

            def run(builder=builder):
                builder.build(builder.view())

        else:

            def run(builder=builder):
                builder.build(builder.view(kgz=True))

        out["profiles"][spec] = profile(run)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
