"""Edit the data files of a test's folder copy, the way a contributor's mistake would."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict], fieldnames: list[str] | None = None) -> None:
    fieldnames = fieldnames or list(rows[0].keys())
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def edit_row(folder: Path, name: str, index: int, /, **changes) -> int:
    """Change cells of data row ``index`` (0-based); return its line number in the file."""
    path = folder / name
    rows = read_rows(path)
    rows[index].update(changes)
    write_rows(path, rows)
    return index + 2


def first_row(folder: Path, name: str, **match) -> int:
    for index, row in enumerate(read_rows(folder / name)):
        if all(row[k] == v for k, v in match.items()):
            return index
    raise LookupError(f"no row of {name} matches {match}")


def read_features(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def edit_feature(folder: Path, name: str, index: int, /, geometry=None, **changes) -> int:
    """Change properties (or the geometry) of feature ``index`` (0-based); return its 1-based number."""
    path = folder / name
    doc = read_features(path)
    doc["features"][index]["properties"].update(changes)
    if geometry is not None:
        doc["features"][index]["geometry"] = geometry
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return index + 1


def feature_index(folder: Path, name: str, **match) -> int:
    for index, feature in enumerate(read_features(folder / name)["features"]):
        if all(feature["properties"].get(k) == v for k, v in match.items()):
            return index
    raise LookupError(f"no feature of {name} matches {match}")


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """A Dockerfile's (INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs
