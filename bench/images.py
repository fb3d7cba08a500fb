"""Static images of a view (the "Download image" button): how long each takes to draw, for the
shipped data and for 10,000 events, against a floor measured in the same run.

The floor is the least a static map of the view can cost with the same tools: the same figure
size and format, the Natural Earth land plotted by geopandas and the sites as plain dots, with
no glyphs, labels, legend, scale bar or events. Each figure is the median of ``--runs`` runs,
in this process, after one warm-up run (fonts and the outlines' simplification are cached).

    python bench/images.py [--runs 5] [--quick] [--no-write] [--results PATH]

Writes its section to bench/results.md (bench/run.py keeps it); ``--quick`` (one run, the shipped
data only) to bench/artifacts/results-quick.md. The scaffolding is bench/common.py's.
"""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path

import common  # bench/common.py: puts src/ on the path too
from matplotlib.figure import Figure

from strategic_sites import load_atlas
from strategic_sites.outputs import image
from strategic_sites.view.filters import Filters, apply

ROOT = common.ROOT
SECTION = "## Static images (bench/images.py)"
TARGETS = {"shipped": 3.0, "10,000 events": 10.0}  # seconds, issue 14
PACKAGES = ("matplotlib", "adjustText", "geopandas", "shapely", "numpy")


def floor(atlas, view, fmt: str) -> bytes:
    """The least static map of the view: land and plain dots, same size and format."""
    figure = Figure(figsize=image.SIZE, dpi=image.DPI)
    ax = figure.add_axes(image.MAP_BOX)
    west, east, south, north = image.frame_of(view, 1.35)
    atlas.countries.cx[west:east, south:north].plot(ax=ax, color=image.LAND, edgecolor=image.BORDER, linewidth=0.6)
    ax.scatter(view.sites.geometry.x, view.sites.geometry.y, s=60)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=image.DPI * image.PNG_SCALE if fmt == "png" else image.DPI)
    return buffer.getvalue()


def measure(runs: int, quick: bool = False) -> list[dict]:
    from synthetic import generate

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folders = {"shipped": ROOT / "geodata"}
        if not quick:
            folders["10,000 events"] = generate(Path(tmp) / "geodata", 10_000, seed=1)
        for name, folder in folders.items():
            atlas = load_atlas(folder)
            view = apply(atlas, Filters(asof=date(2024, 1, 1)))
            for fmt in image.FORMATS:
                took, drawn = common.timed(lambda: image.render(atlas, view, fmt, "https://atlas.example/?asof=2024-01-01"), runs)
                base, _ = common.timed(lambda: floor(atlas, view, fmt), runs)
                size = len(drawn)
                rows.append({"data": name, "events": len(view.events), "format": fmt, "seconds": took, "floor": base, "bytes": size})
                print(f"{name:>14} {fmt}: {took:.2f} s (floor {base:.2f} s), {size:,} bytes", flush=True)
    return rows


def section(rows: list[dict], runs: int, run: common.Run) -> str:
    lines = [
        SECTION,
        "",
        f"The whole view (25 sites, every layer) drawn as the \"Download image\" button draws it; median of {runs} run{'s' * (runs != 1)} "
        "after a warm-up, in one process. Floor: the same figure with the land and plain dots only "
        "(no glyphs, labels, legend, scale bar or events). Targets (issue 14): 3 s for the shipped data, 10 s with 10,000 events.",
        "",
        run.said(PACKAGES),
        "",
        "| data | events in view | format | time | floor | ratio to floor | file size | target met |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        target = TARGETS[row["data"]]
        lines.append(
            f"| {row['data']} | {row['events']:,} | {row['format'].upper()} | {row['seconds']:.2f} s | {row['floor']:.2f} s | "
            f"{row['seconds'] / row['floor']:.1f}× | {row['bytes'] / 1e6:.2f} MB | {'yes' if row['seconds'] <= target else 'no'} (≤ {target:.0f} s) |"
        )
    lines += ["", "Where the time goes: placing the labels apart (adjustText, capped at 1 s) and drawing the PNG at 2× resolution; "
              "events are dots (rasterised past 2,000 in SVG and PDF), so 10,000 events add little.", ""]
    return "\n".join(lines)


def main() -> None:
    args = common.parse(common.arguments(__doc__, runs=5))
    run = common.Run("bench/images.py", args)
    rows = measure(args.runs, args.quick)
    common.finish(section(rows, args.runs, run), SECTION, args)


if __name__ == "__main__":
    main()
