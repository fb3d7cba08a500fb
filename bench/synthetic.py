"""Well-formed atlases of any size: the shipped data plus synthetic events, from a seed.

The shipped ``geodata/`` is copied and ``events.csv`` is grown to ``events`` rows in all
(the shipped events first, then synthetic ones). Synthetic events look like real ones in
size and shape: most are at a site, the rest at their own point in the region; dates run
from 1992 to 2025 at day, month or year precision; each cites one or two shipped sources.
The same seed gives the same files, byte for byte. Every folder passes
``python -m strategic_sites validate``.

    python bench/synthetic.py OUT_FOLDER --events 10000 [--seed 1] [--hostile-every 0]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GEODATA = ROOT / "geodata"

KINDS = ("agreement", "launch", "accident", "meeting", "status_change", "construction", "protest", "statement", "economic")
COUNTRIES = ("KAZ", "KGZ", "TJK", "RUS", "UZB", "TKM")
PLACES = ("Baikonur", "Almaty", "Bishkek", "Dushanbe", "Astana", "Moscow", "Tashkent", "Priozersk", "Kant", "Osh")
VERBS = ("signs", "reviews", "announces", "inspects", "postpones", "completes", "disputes", "extends")
OBJECTS = ("a protocol on the lease", "the range's power supply", "a launch campaign", "new housing", "rent arrears", "a joint exercise plan", "the radar's upgrade", "customs rules")
# Text that must reach users as text, never as markup or script (see the smoke test).
HOSTILE = '<img src=x onerror="alert(1)">`${alert(2)}`</script>'


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _site_points(path: Path) -> list[tuple[str, str]]:
    import json

    doc = json.loads(path.read_text(encoding="utf-8"))
    return [(f["properties"]["id"], f["properties"]["country"]) for f in doc["features"]]


def synthetic_events(
    count: int, seed: int, sites: list[tuple[str, str]], sources: list[str], hostile_every: int = 0, origins: dict[str, str] | None = None
) -> list[dict]:
    """``count`` synthetic event rows (dicts keyed by the events.csv header). A row citing two
    sources of different ``origins`` (source id -> the publisher it counts as) is ``confirmed``."""
    origins = origins or {}
    rng = random.Random(seed)
    rows = []
    for number in range(1, count + 1):
        year = rng.randint(1992, 2025)
        precision = rng.choices(("day", "month", "year"), weights=(8, 1, 1))[0]
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        date = {"day": f"{year}-{month:02d}-{day:02d}", "month": f"{year}-{month:02d}", "year": f"{year}"}[precision]
        at_site = rng.random() < 0.6
        site_id, country = rng.choice(sites) if at_site else ("", rng.choice(COUNTRIES))
        lat = lon = ""
        if not at_site:
            lat, lon = f"{rng.uniform(36.0, 55.0):.5f}", f"{rng.uniform(46.0, 87.0):.5f}"
        place = rng.choice(PLACES)
        title = f"{place}: officials {rng.choice(VERBS)} {rng.choice(OBJECTS)} (synthetic {number})"
        summary = (
            f"Synthetic event {number} for benchmarks: in {place}, officials {rng.choice(VERBS)} "
            f"{rng.choice(OBJECTS)}; the parties {rng.choice(VERBS)} {rng.choice(OBJECTS)} later that year."
        )
        if hostile_every and number % hostile_every == 0:
            title = f"{HOSTILE} {title}"
            summary = f"{HOSTILE} {summary}"
        others = [c for c in COUNTRIES if c != country]
        countries = [country] + ([rng.choice(others)] if rng.random() < 0.5 else [])
        cited = rng.sample(sources, 2 if rng.random() < 0.3 else 1)
        rows.append(
            {
                "id": f"synthetic-{seed}-{number:06d}",
                "date": date,
                "date_precision": precision,
                "site_id": site_id,
                "lat": lat,
                "lon": lon,
                "kind": rng.choice(KINDS),
                "title": title,
                "summary": summary,
                "countries": ";".join(countries),
                "source_id": ";".join(cited),
                "concerns": "",
                # graded from the citations by the rule the shipped rows keep (data/grading.py)
                "confidence": "confirmed" if len({origins.get(c, c) for c in cited}) > 1 else "reported",
            }
        )
    return rows


def _origins(header: list[str], rows: list[list[str]]) -> dict[str, str]:
    """Each source id's independent publisher, as the validator reads it (data/grading.py)."""
    import pandas as pd

    from strategic_sites.data.grading import publishers

    return {key: cited.origin for key, cited in publishers(pd.DataFrame(rows, columns=header).fillna("")).items()}


def generate(out: Path | str, events: int, seed: int = 1, hostile_every: int = 0, source: Path = GEODATA) -> Path:
    """Write an atlas folder at ``out`` with ``events`` events in all; return its path."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out)
    header, shipped = _rows(source / "events.csv")
    source_header, source_rows = _rows(source / "sources.csv")
    sources = [row[0] for row in source_rows]
    origins = _origins(source_header, source_rows)
    extra = synthetic_events(max(0, events - len(shipped)), seed, _site_points(source / "sites.geojson"), sources, hostile_every, origins)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(shipped[:events])
    writer.writerows([row.get(column, "") for column in header] for row in extra)
    (out / "events.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hostile-every", type=int, default=0)
    args = parser.parse_args()
    folder = generate(args.out, args.events, args.seed, args.hostile_every)
    print(f"{folder}: {args.events} events")


if __name__ == "__main__":
    main()
