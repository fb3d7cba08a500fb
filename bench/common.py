"""What the scripts that write a section of bench/results.md share (bench/images.py, bench/uploads.py):
their command line, medians, a child process capped in memory, where the run was made, and writing
the section in place.

Every script's section starts with its own ``## `` title and runs to the next one; writing it
replaces that section and keeps the others (bench/run.py keeps these sections when it rewrites the
file). ``--quick`` is a short run that proves the script works: its figures go to
bench/artifacts/results-quick.md (as bench/run.py ``--quick``'s do), never to bench/results.md.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.md"
QUICK_RESULTS = ROOT / "bench" / "artifacts" / "results-quick.md"
for _path in (ROOT / "src", ROOT / "bench"):  # the atlas's code, and the bench's own modules
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# What a capped process says when the cap stopped it: Python's, pyarrow's and C++'s words.
OUT_OF_MEMORY = r"MemoryError|alloc\w* of size \d+ failed|[Oo]ut of memory|bad_alloc|Cannot allocate memory"


# ---------------------------------------------------------------- the command line

def arguments(doc: str, runs: int) -> argparse.ArgumentParser:
    """The options every such script takes: ``--runs``, ``--quick``, ``--no-write`` and ``--results``
    (the script adds its own, and reads them with :func:`parse`)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--runs", type=int, help=f"runs of each measurement, their median reported (default {runs}; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help=f"a short run that proves the script works; its section goes to {QUICK_RESULTS.relative_to(ROOT)}")
    parser.add_argument("--no-write", action="store_true", help="print the section; write no file")
    parser.add_argument("--results", type=Path, help=f"the file whose section is written (default {RESULTS.relative_to(ROOT)})")
    parser.set_defaults(default_runs=runs)
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> argparse.Namespace:
    """The options, with ``runs`` and ``results`` worked out from ``--quick``."""
    args = parser.parse_args(argv)
    args.runs = args.runs or (1 if args.quick else args.default_runs)
    args.results = args.results or (QUICK_RESULTS if args.quick else RESULTS)
    return args


# ---------------------------------------------------------------- the section

def split_section(text: str, title: str) -> tuple[str, str]:
    """(``text`` without the section ``title``, the section): the section runs from its title to the
    next ``## `` title or the end."""
    if title not in text:
        return text, ""
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    rest = text[:start].rstrip("\n") + ("\n\n" + text[end + 1 :] if end != -1 else "\n")
    return rest, text[start : end + 1 if end != -1 else len(text)]


def write_section(text: str, title: str, path: Path = RESULTS) -> None:
    """Put the section at the end of ``path``, replacing an earlier one of the same title."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    rest, _ = split_section(old, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rest.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def finish(text: str, title: str, args: argparse.Namespace) -> None:
    """Print the section and, unless ``--no-write``, write it (to ``--results``)."""
    print(text)
    if not args.no_write:
        write_section(text, title, args.results)
        print(f"written to {args.results}", flush=True)


# ---------------------------------------------------------------- medians

def median(values: Iterable[float | None]) -> float | None:
    """The median of the values that are there (None when none is)."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def median_of(results: list[dict], key: str) -> float | None:
    """The median of ``key`` over the results that have it."""
    return median(r.get(key) for r in results)


def timed(call: Callable[[], object], runs: int) -> tuple[float, object]:
    """The median time of ``runs`` calls after one warm-up call, and what the last call returned."""
    result = call()  # warm-up: lazy imports, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# ---------------------------------------------------------------- memory, and a capped child

def status(key: str) -> int:
    """A figure of /proc/self/status (``VmRSS``, ``VmHWM``) in bytes."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def reset_peak() -> bool:
    """Reset this process's RSS high-water mark to its RSS (``5`` into /proc/self/clear_refs, Linux);
    whether it worked."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        return False
    return status("VmHWM") <= status("VmRSS") + 4 * 1024 * 1024


def release() -> None:
    """Collect garbage and hand freed memory back (glibc's ``malloc_trim(0)``, pyarrow's pool): what
    is left is what is held."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()


def cap_memory(cap: int) -> None:
    """Cap this process at ``cap`` bytes of address space (``RLIMIT_AS``): a measurement that runs
    away fails here, and never takes the machine down."""
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def run_child(command: list[str], cap: int, timeout: float) -> dict:
    """Run a measurement in a child process that caps itself at ``cap`` bytes (:func:`cap_memory`) and
    prints its result as the last JSON line of its output: that result, or ``failed`` (and
    ``over_cap`` when the cap stopped it)."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"failed": f"not done in {timeout:g} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode == 0 and lines:
        return json.loads(lines[-1])
    if done.returncode < 0 or re.search(OUT_OF_MEMORY, done.stderr):
        return {"over_cap": True, "failed": f"over the cap ({cap / 1e9:g} GB of address space): "
                + (f"killed by signal {-done.returncode}" if done.returncode < 0 else "MemoryError")}
    tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
    return {"failed": f"exit {done.returncode}: {tail[0][:200]}"}


# ---------------------------------------------------------------- where the run was made

def environment(packages: Iterable[str]) -> tuple[str, str]:
    """("Python 3.11.7; pandas 3.1.1, …", "commit abc1234" and whether src/ had changes)."""
    versions = []
    for name in packages:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        commit = f"commit {commit}" + (" with uncommitted changes in src/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        commit = "commit unknown (no git)"
    return f"Python {platform.python_version()}; {', '.join(versions)}", commit


class Run:
    """A run of a script, from its start: how long it took, on what, and how busy the machine was."""

    def __init__(self, script: str, args: argparse.Namespace):
        self.script, self.args = script, args
        self.load, self.started = os.getloadavg()[0], time.perf_counter()

    def said(self, packages: Iterable[str]) -> str:
        """"Run with `bench/x.py --runs 3` in 1.6 minutes on 2 CPUs, load average (1 min) 1.5 at the
        start; Python …; commit …." """
        python, commit = environment(packages)
        command = f"{self.script} --runs {self.args.runs}" + (" --quick" if self.args.quick else "")
        minutes = (time.perf_counter() - self.started) / 60
        return (f"Run with `{command}` in {minutes:.1f} minutes on {os.cpu_count()} CPUs, load average (1 min) "
                f"{self.load:.1f} at the start; {python}; {commit}.")
