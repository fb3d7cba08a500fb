"""In-process benchmarks: what loading, filtering and drawing the shipped atlas cost in Python,
as ratios to a baseline. Run by bench/run.py in a subprocess (the code under test first on
PYTHONPATH); prints the rows as JSON. A case that fails (an API that changed) is reported as
failed, never stops the others.

The baseline, measured in the same run, is the least any loader must do: read the data
files and parse them (csv + json), with no validation and no typing. Each figure is the
median of several runs; memory is the peak traced by tracemalloc.
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

import folium

from strategic_sites.map import assets, layers
from strategic_sites.outputs import charts, tables
from strategic_sites.view import language, urlstate
from strategic_sites import load_atlas
from strategic_sites.view.filters import Filters, apply

ROOT = Path(__file__).resolve().parents[1]
GEODATA = ROOT / "geodata"
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 7


def baseline() -> None:
    for name in ("sources.csv", "control.csv", "leases.csv", "events.csv"):
        with (GEODATA / name).open(encoding="utf-8", newline="") as fh:
            list(csv.reader(fh))
    for name in ("sites.geojson", "areas.geojson", "countries.geojson"):
        json.loads((GEODATA / name).read_text(encoding="utf-8"))


ATLAS = load_atlas(GEODATA)
DAY = date(2014, 1, 1)


def load() -> None:
    load_atlas(GEODATA)


def filter_view() -> None:
    apply(ATLAS, Filters(asof=DAY, year_from=1991, year_to=2026))


# The map's code changed shape with the map rewrite (one composer, data as compact columns):
# each case uses the functions the code under test has.
NEW_MAP = hasattr(layers, "compose")


def build_layers() -> list:
    view = apply(ATLAS, Filters(asof=DAY))
    if NEW_MAP:
        from strategic_sites.map import mapdata

        return layers.view_layers(mapdata.view_data(ATLAS, view))
    return [
        layers.status_layer(view.sites, ATLAS.control, view.leases, ATLAS.events, ATLAS.sources, DAY),
        layers.lease_layer(view.areas, view.leases, view.sites, DAY),
        layers.events_layer(view.events, view.sites, ATLAS.sources),
        layers.countries_layer(ATLAS.countries),
    ]


def render_map() -> None:
    if NEW_MAP:  # the whole map of a view, its data inline (as the standalone export has it)
        layers.compose(ATLAS, apply(ATLAS, Filters(asof=DAY))).html()
        return
    fmap = layers.base_map(ATLAS.countries, layers.bounds_of(ATLAS.sites))
    for group in build_layers():
        group.add_to(fmap)
    folium.LayerControl().add_to(fmap)
    assets.localize(fmap)
    fmap.get_root().render()


KNOWN = urlstate.Known.of(ATLAS)
LINK = {"country": ["KAZ,KGZ"], "kind": ["cosmodrome"], "asof": ["2013-06-01"], "from": ["2010"], "to": ["2015"], "q": ["Baikonur"], "site": ["baikonur"], "layers": ["status,events"], "lang": ["ru"]}


def url_round_trip() -> None:
    filters, _ = urlstate.parse(LINK, KNOWN)
    urlstate.query_string(urlstate.serialise(filters, KNOWN))


def localise_russian() -> None:
    language.localise(ATLAS, "ru")


def timeline_chart() -> None:
    view = apply(ATLAS, Filters(asof=DAY))
    ids = list(view.sites["id"])
    bars = charts.periods_frame(ATLAS, view, date.today())
    points = charts.event_points(ATLAS, view)
    order = charts.site_order(bars, ids, dict(zip(ATLAS.sites["id"], ATLAS.sites["name"])))
    charts.timeline_chart(bars, points, order, DAY).to_dict()


def bibliography() -> None:
    tables.bibliography(ATLAS)


def warm_rerun() -> dict:
    """The server's time for a rerun of the map page that changes nothing (the app's whole
    script, as ``streamlit run`` runs it: AppTest, timed inside the script's run), after a
    visitor's first two runs: the median over RUNS reruns."""
    import strategic_sites
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.testing.v1 import AppTest

    app_py = Path(strategic_sites.__file__).resolve().parents[2] / "app.py"
    durations: list[float] = []
    run_script = script_runner.ScriptRunner._run_script

    def timed_run(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return run_script(self, *args, **kwargs)
        finally:
            durations.append(time.perf_counter() - start)

    script_runner.ScriptRunner._run_script = timed_run
    try:
        app = AppTest.from_file(str(app_py), default_timeout=120)
        for _ in range(3):  # the first paint, the rest, and one warm rerun
            app.run()
        del durations[:]
        for _ in range(RUNS):
            app.run()
        if app.exception:
            raise RuntimeError(app.exception[0].message)
    finally:
        script_runner.ScriptRunner._run_script = run_script
    return {"ms": statistics.median(durations) * 1000, "runs": len(durations)}


def timed(func) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def peak_memory(func) -> int:
    tracemalloc.start()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    cases = [
        ("read and parse the files (baseline)", baseline),
        ("load_atlas: read, validate, type", load),
        ("filters.apply: one view", filter_view),
        ("build the four data layers" + (" (view_data + view_layers)" if NEW_MAP else ""), build_layers),
        ("render the whole map to HTML" + (" (compose, data inline)" if NEW_MAP else ""), render_map),
        ("parse a full link and write it back", url_round_trip),
        ("site names in Russian (language.localise)", localise_russian),
        ("timeline chart of every site (frames + Vega-Lite spec)", timeline_chart),
        ("bibliography with citing sites and events", bibliography),
    ]
    base_time = timed(baseline)
    base_memory = peak_memory(baseline)
    rows = []
    for label, func in cases:
        try:
            seconds = base_time if func is baseline else timed(func)
            memory = base_memory if func is baseline else peak_memory(func)
            rows.append({"case": label, "time_ratio": seconds / base_time, "memory_ratio": memory / base_memory, "ms": seconds * 1000, "mib": memory / 2**20})
        except Exception as exc:  # noqa: BLE001 - e.g. a function the map rewrite removed
            rows.append({"case": label, "failed": f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"})
    try:
        rerun = warm_rerun()
    except Exception as exc:  # noqa: BLE001
        rerun = {"failed": f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"}
    print(json.dumps({"runs": RUNS, "counts": ATLAS.counts, "rows": rows, "rerun": rerun}))


if __name__ == "__main__":
    main()
