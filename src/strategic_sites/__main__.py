"""Command line: ``python -m strategic_sites validate [FOLDER]`` and ``version [FOLDER]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from strategic_sites.data.changelog import CHANGELOG
from strategic_sites.data.atlas import AtlasError, load_atlas

DEFAULT_FOLDER = Path("geodata")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m strategic_sites", description="Strategic Sites Atlas tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check a data folder and report every problem found")
    check.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER, help="data folder (default: geodata)")
    show = commands.add_parser("version", help="print the data folder's version, for its CHANGELOG-data.md line")
    show.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER, help="data folder (default: geodata)")
    args = parser.parse_args(argv)

    try:
        atlas = load_atlas(args.folder)
    except AtlasError as exc:
        print(exc.report(limit=10_000), file=sys.stderr)
        return 1
    if args.command == "version":
        version = atlas.data_version
        print(version.code)
        if not version.recorded:
            print(f"{CHANGELOG} has no line for this version yet: add one (date, {version.code}, what changed, why).", file=sys.stderr)
        return 0
    counts = ", ".join(f"{n} {what}" for what, n in atlas.counts.items())
    print(f"{args.folder}: valid ({counts}); data version {atlas.data_version.label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
