"""`make load`: many users at once against one server (not part of `make test`).

One `streamlit run serve.py` on the shipped data, as deployed (no file watcher). First a single
session opens `/` and waits for its map: the server's memory then is the *warm single-session*
figure. Then, ROUNDS times, SESSIONS browser sessions open at once (each its own browser context,
so its own Streamlit session), each on a link with a different filter, and each waits until its
map shows its sites and has drawn its events layer. A session is *correct* when the map's sites
are exactly those the atlas's own filter code selects for the link (computed here, in-process)
and the map's events layer holds exactly the events of that view.

Reported: sessions correct; the median and worst time from a session's navigation to its map
drawn (the page's own clock); server memory (RSS of the streamlit process, sampled every 0.2 s)
before any session, warm with one session, at each round's peak and after each round's sessions
closed. Written to bench/results.md (its "Many users at once" section) and
bench/artifacts/load.json.

    .venv/bin/python bench/load.py [--sessions 20] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import async_playwright

import pageload  # bench/pageload.py: the server and browser settings of `make bench`

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

RESULTS = HERE / "results.md"
ARTIFACT = HERE / "artifacts" / "load.json"
SECTION = "## Many users at once (make load)"
CAP_S = 180  # a session not drawn by then counts as failed
SETTLE_S = 20  # after the sessions close: the memory figure is the lowest in this window
# Streamlit keeps a closed session for server.disconnectedSessionTTL (120 s by default) in case
# its browser reconnects, and drops it when the next session starts after that: here a few seconds,
# so that a round's "after" is what closed sessions leave behind.
SESSION_TTL_S = 5
UPLOADS = 3  # sessions uploading the largest file the limits accept, one after the other

# Twenty links, each a different filter a reader might share.
LINKS = (
    "/", "/?country=KGZ", "/?country=KAZ", "/?country=TJK", "/?country=RUS", "/?country=KAZ&country=KGZ",
    "/?kind=cosmodrome", "/?kind=missile_test_range", "/?kind=military_base&kind=air_base", "/?kind=industrial",
    "/?asof=1995-01-01", "/?asof=2005-06-01", "/?asof=2013-06-01", "/?from=2000&to=2010", "/?from=1991&to=1995",
    "/?q=Baikonur", "/?q=%D0%9A%D0%B0%D0%BD%D1%82", "/?status=russian_lease", "/?country=TJK&asof=2010-01-01",
    "/?country=KAZ&kind=missile_test_range&from=2010&to=2020",
)  # fmt: skip

# Holds once the map shows its sites and has drawn its events layer (the events in the map's
# bounds, clustered); returns what it shows: the sites, and how many events its view holds.
DRAWN = """([selector, count]) => {
    const frame = document.querySelector(selector);
    const doc = frame && frame.contentDocument;
    const map = doc && doc.querySelector('.leaflet-container');
    if (!map) return null;
    const sites = [...doc.querySelectorAll('.ssa-site')].map(e => e.dataset.site);
    if (sites.length !== count) return null;
    const drawn = map.getAttribute('data-ssa-events-drawn'), view = map.getAttribute('data-ssa-events-view');
    if (view === null || drawn === null) return null;
    return {t: performance.now(), sites: sites.sort(), events: Number(view)};
}"""


# The floor app (bench/apps/floor.py, `make bench`'s baseline) draws the sites as CircleMarkers.
FLOOR_DRAWN = """([selector, count]) => {
    const frame = document.querySelector(selector);
    const doc = frame && frame.contentDocument;
    const n = doc ? doc.querySelectorAll('path.leaflet-interactive').length : 0;
    return n >= count ? {t: performance.now(), n: n} : null;
}"""


def expected(atlas, link: str) -> tuple[list[str], int]:
    """The sites (ids, sorted) and the number of events the atlas's own code shows for a link."""
    from strategic_sites.view.filters import apply
    from strategic_sites.view.urlstate import Known, parse

    filters, warnings = parse(parse_qs(urlsplit(link).query), Known.of(atlas))
    if warnings:
        raise SystemExit(f"bench/load.py: the link {link} is not clean: {warnings}")
    view = apply(atlas, filters)
    return sorted(view.sites["id"]), len(view.events)


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy so far (every process, the kernel's too): the
    browsers' share is this less the server's, since a closed page's processes are gone."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / TICK  # all but idle and iowait


class Memory:
    """The server's RSS, sampled in a thread."""

    def __init__(self, pid: int):
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def now(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            try:
                self.samples.append((time.monotonic(), self.now()))
            except (OSError, RuntimeError):
                return

    def peak_since(self, t0: float) -> int:
        return max((rss for t, rss in self.samples if t >= t0), default=self.now())

    def settled(self, seconds: float) -> int:
        """The lowest RSS over the next ``seconds`` (the server freeing what the sessions held)."""
        t0 = time.monotonic()
        time.sleep(seconds)
        return min((rss for t, rss in self.samples if t >= t0), default=self.now())

    def stop(self) -> None:
        self._stop.set()


async def session(browser, shared, url: str, link: str, want: tuple[list[str], int] | int) -> dict:
    """One user: a page opens the link and waits for its map. The page is in ``shared`` (a
    browser context whose HTTP cache already holds the app's files, like a returning visitor's),
    or with ``shared`` None in a fresh context (a first visit: every file downloaded and compiled).
    ``want``: the sites and event count the dashboard should show, or (floor app) the markers."""
    context = shared or await browser.new_context(viewport=pageload.VIEWPORT)
    page = None
    try:
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)[:160]))
        await page.goto(url + link, wait_until="commit", timeout=CAP_S * 1000)
        predicate, count = (FLOOR_DRAWN, want) if isinstance(want, int) else (DRAWN, len(want[0]))
        try:
            handle = await page.wait_for_function(predicate, arg=[pageload.MAP_FRAME, count], polling=100, timeout=CAP_S * 1000)
        except Exception as exc:  # noqa: BLE001 - Playwright's TimeoutError and friends
            return {"link": link, "correct": False, "why": f"map not drawn in {CAP_S} s ({type(exc).__name__})"}
        shown = await handle.json_value()
        if isinstance(want, int):
            return {"link": link, "correct": not errors, "s": shown["t"] / 1000, "why": "; ".join(errors)}
        sites_ok, events_ok = shown["sites"] == want[0], shown["events"] == want[1]
        why = "" if sites_ok and events_ok else (
            f"sites {shown['sites']} != {want[0]}" if not sites_ok else f"events in the map's view {shown['events']} != {want[1]}"
        )
        return {"link": link, "correct": sites_ok and events_ok and not errors, "s": shown["t"] / 1000, "why": why or "; ".join(errors)}
    finally:
        await (page.close() if shared and page else context.close())


async def one_round(browser, shared, url: str, links: list[str], wants: dict, pid: int, memory: Memory | None) -> dict:
    """Every session at once; what they saw, their times, and what the round cost."""
    t0, server_cpu, machine_cpu = time.monotonic(), cpu_seconds(pid), machine_cpu_seconds()
    done = await asyncio.gather(*(session(browser, shared, url, link, wants[link]) for link in links))
    wall = time.monotonic() - t0
    server_cpu, machine_cpu = cpu_seconds(pid) - server_cpu, machine_cpu_seconds() - machine_cpu
    times = [d["s"] for d in done if "s" in d]
    return {
        "correct": sum(d["correct"] for d in done), "sessions": len(done),
        "median_s": statistics.median(times) if times else None, "worst_s": max(times) if times else None,
        "wall_s": wall, "server_cpu_s": server_cpu, "machine_cpu_s": machine_cpu,
        "peak_rss": memory.peak_since(t0) if memory else None,
        "failures": [d for d in done if not d["correct"]],
    }  # fmt: skip


def largest_upload() -> tuple[bytes, int]:
    """The largest CSV the upload limits let through: MAX_ROWS points, padded to just under MAX_BYTES."""
    import random

    from strategic_sites.uploads.upload import MAX_BYTES, MAX_ROWS

    rng = random.Random(1)
    header = "name,lat,lon,date,kind,url,source,note\n"
    rows = [f"Point {i},{rng.uniform(37, 54):.5f},{rng.uniform(47, 86):.5f},{rng.randint(1991, 2025)}-{rng.randint(1, 12):02d},"
            f"report,https://example.org/{i},Field notes," for i in range(MAX_ROWS)]  # fmt: skip
    pad = (MAX_BYTES - 100_000 - len(header) - sum(len(r) + 1 for r in rows)) // MAX_ROWS
    data = (header + "".join(f"{r}{'x' * pad}\n" for r in rows)).encode()
    assert len(data) <= MAX_BYTES
    return data, MAX_ROWS


async def upload_round(browser, url: str, want: tuple[list[str], int], memory: Memory) -> dict:
    """One session uploads the largest file the limits accept: the server's memory, the time to
    the points drawn, and the largest message the server sent (Streamlit refuses one over 200 MB)."""
    data, rows = largest_upload()
    context = await browser.new_context(viewport=pageload.VIEWPORT)
    try:
        page, frames = await context.new_page(), []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))))
        await page.goto(url + "/", wait_until="commit")
        await page.wait_for_function(DRAWN, arg=[pageload.MAP_FRAME, len(want[0])], polling=100, timeout=CAP_S * 1000)
        t0 = time.monotonic()
        await page.locator(".st-key-points-upload input[type=file]").set_input_files({"name": "largest.csv", "mimeType": "text/csv", "buffer": data})
        await page.get_by_role("tab", name=f"Your points ({rows})").wait_for(timeout=CAP_S * 1000)
        await page.wait_for_function(
            "(sel) => { const d = document.querySelector(sel).contentDocument; const m = d && d.querySelector('.leaflet-container');"
            " return m && m.getAttribute('data-ssa-points-drawn') !== null && m.getAttribute('data-ssa-points-view') === '" + str(rows) + "'; }",
            arg=pageload.MAP_FRAME, polling=200, timeout=CAP_S * 1000,
        )  # fmt: skip
        return {"bytes": len(data), "rows": rows, "s": time.monotonic() - t0, "peak_rss": memory.peak_since(t0), "largest_message": max(frames)}
    finally:
        await context.close()


async def floor_round(browser, sessions: int, data: Path, fresh: bool, markers: int) -> dict:
    """The same number of sessions at once on the floor app: what any Streamlit map page costs here."""
    server = pageload.Server(pageload.apps(ROOT)["floor"], data, HERE / "artifacts" / "logs")
    try:
        server.wait()
        shared = None if fresh else await browser.new_context(viewport=pageload.VIEWPORT)
        await session(browser, shared, server.url, "/", markers)  # warm: the server and the HTTP cache
        result = await one_round(browser, shared, server.url, ["/"] * sessions, {"/": markers}, server.process.pid, None)
        if shared:
            await shared.close()
        return result
    finally:
        server.stop()


async def run(sessions: int, rounds: int, data: Path, fresh: bool, uploads_n: int = UPLOADS) -> dict:
    from strategic_sites import load_atlas

    atlas = load_atlas(data)
    links = [LINKS[i % len(LINKS)] for i in range(sessions)]
    wants = {link: expected(atlas, link) for link in set(links)}
    app = pageload.apps(ROOT)["dashboard"]
    server = pageload.Server(app, data, HERE / "artifacts" / "logs", ("--server.disconnectedSessionTTL", str(SESSION_TTL_S)))
    try:
        server.wait()
        memory = Memory(server.process.pid)
        time.sleep(1)
        before = memory.now()
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=pageload.CHROMIUM, headless=True, args=pageload.CHROMIUM_ARGS)
            shared = None if fresh else await browser.new_context(viewport=pageload.VIEWPORT)
            warm = await session(browser, shared, server.url, "/", wants.get("/") or expected(atlas, "/"))
            # The warm figure: one session has drawn its map and closed; the server holds the
            # atlas, its caches for the default view and the published files.
            warm_rss = memory.settled(SETTLE_S)
            results = []
            for number in range(1, rounds + 1):
                r = await one_round(browser, shared, server.url, links, wants, server.process.pid, memory)
                r |= {"round": number, "after_rss": memory.settled(SETTLE_S)}
                results.append(r)
                print(f"round {number}: {r['correct']}/{r['sessions']} correct, median {r['median_s']:.1f} s, worst {r['worst_s']:.1f} s, "
                      f"CPU: server {r['server_cpu_s']:.0f} s, machine {r['machine_cpu_s']:.0f} s in {r['wall_s']:.0f} s; "
                      f"peak {r['peak_rss'] / 1e6:.0f} MB, after {r['after_rss'] / 1e6:.0f} MB", flush=True)  # fmt: skip
            uploads = []
            for _ in range(uploads_n):  # one after the other: is what an upload leaves behind reused?
                upload = await upload_round(browser, server.url, wants.get("/") or expected(atlas, "/"), memory)
                upload["after_rss"] = memory.settled(SETTLE_S)
                uploads.append(upload)
                print(f"largest upload: {upload['bytes'] / 1e6:.0f} MB, {upload['rows']} rows, drawn in {upload['s']:.1f} s; "
                      f"server peak {upload['peak_rss'] / 1e6:.0f} MB, after {upload['after_rss'] / 1e6:.0f} MB", flush=True)  # fmt: skip
            if shared:
                await shared.close()
            server.stop()  # the floor app runs alone
            memory.stop()
            floor = await floor_round(browser, sessions, data, fresh, len(atlas.sites))
            print(f"floor app: median {floor['median_s']:.1f} s, worst {floor['worst_s']:.1f} s, machine CPU {floor['machine_cpu_s']:.0f} s", flush=True)
            await browser.close()
        return {"before_rss": before, "warm": warm, "warm_rss": warm_rss, "rounds": results, "floor": floor, "uploads": uploads, "fresh": fresh}
    finally:
        server.stop()


SESSION_IS = {
    False: "Each session is a page of its own (so its own Streamlit session) opening one of {links} links with different filters "
    "(bench/load.py lists them), all in one browser context whose HTTP cache already holds the app's files, like returning "
    "visitors' (`--fresh`: a new context each, every file downloaded and compiled)",
    True: "Each session is a page in a fresh browser context (every file downloaded and compiled, as on a first visit) opening one "
    "of {links} links with different filters (bench/load.py lists them)",
}


def report(result: dict, sessions: int, rounds: int, started: datetime, load: float) -> str:
    mb = lambda n: f"{n / 1e6:.0f} MB"  # noqa: E731
    rounds_ = result["rounds"]
    correct = sum(r["correct"] for r in rounds_)
    total = sum(r["sessions"] for r in rounds_)
    worst = max((r["worst_s"] for r in rounds_ if r["worst_s"] is not None), default=None)
    warm = result["warm_rss"]
    last_after = rounds_[-1]["after_rss"]
    growth = last_after - rounds_[0]["after_rss"]
    lines = [
        SECTION, "",
        f"Run {started:%Y-%m-%d %H:%M} UTC with `bench/load.py --sessions {sessions} --rounds {rounds}` (`make load`): one server "
        f"(`streamlit run serve.py`, the shipped data, no file watcher) and {sessions} headless Chromium sessions at once, on the same "
        f"machine ({os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}; load average at the start "
        f"{load:.1f}). {SESSION_IS[result.get('fresh', False)].format(links=len(LINKS))}; it is correct when its map shows exactly the sites the atlas's own filter code selects for the "
        "link and its events layer holds exactly that view's events. Times: from the session's navigation to that state, on the page's clock. "
        "Memory: the server's RSS; *warm* is with one session's map drawn and closed; *after* is the lowest RSS in the "
        f"{SETTLE_S} s after a round's sessions closed.", "",
        "| round | correct | median to map drawn | worst | round wall time | CPU: server | CPU: the rest (browsers) | server peak | server after |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]  # fmt: skip
    for r in rounds_:
        lines.append(
            f"| {r['round']} | {r['correct']}/{r['sessions']} | {r['median_s']:.1f} s | {r['worst_s']:.1f} s | {r['wall_s']:.1f} s | "
            f"{r['server_cpu_s']:.1f} s | {r['machine_cpu_s'] - r['server_cpu_s']:.1f} s | {mb(r['peak_rss'])} | {mb(r['after_rss'])} |"
        )
    lines += [
        "",
        f"- Server memory: {mb(result['before_rss'])} before any session; {mb(warm)} warm with one session "
        f"(its map drawn in {result['warm'].get('s', float('nan')):.1f} s); peak {mb(max(r['peak_rss'] for r in rounds_))}; "
        f"{mb(last_after)} after the last round: {last_after / warm:.2f}× the warm figure; "
        f"{'+' if growth >= 0 else '−'}{mb(abs(growth))} from the first round's *after* to the last's.",
        f"- Targets: {correct} of {total} sessions correct ({'✓' if correct == total else '✗'} all); worst {worst:.1f} s "
        f"({'✓' if worst is not None and worst <= 20 else '✗'} ≤ 20 s); memory after ≤ 1.2× warm "
        f"({'✓' if last_after <= 1.2 * warm else '✗'}); no growth across rounds "
        f"({'✓' if growth <= 0.05 * warm else '✗'}: within 5% of the warm figure).",
    ]
    ups = result["uploads"]
    peak = max(u["peak_rss"] for u in ups)
    drawn = ", ".join(f"{u['s']:.0f}" for u in ups)
    afters = [u["after_rss"] for u in ups]
    steps = ", ".join(f"{(b - a) / 1e6:+.0f} MB" for a, b in zip(afters, afters[1:]))
    lines.append(
        f"- The largest upload the limits accept ({ups[0]['bytes'] / 1e6:.1f} MB, {ups[0]['rows']:,} points), by {len(ups)} sessions one "
        f"after the other, after the rounds: the points drawn in {drawn} s; server peak {mb(peak)} "
        f"({'✓' if peak <= 1.5e9 else '✗'} ≤ 1.5 GB); after each session closed {', '.join(mb(a) for a in afters)}"
        f"{f' (from one upload to the next: {steps})' if steps else ''}; the largest message to the browser "
        f"{max(u['largest_message'] for u in ups) / 1e6:.2f} MB (Streamlit's limit: 200 MB)."
    )
    floor = result["floor"]
    busy = statistics.median(r["machine_cpu_s"] for r in rounds_) / sessions
    server = statistics.median(r["server_cpu_s"] for r in rounds_) / sessions
    lines += [
        f"- The floor app (`make bench`'s baseline: an `st_folium` map of the sites as CircleMarkers and nothing else), "
        f"{floor['sessions']} sessions at once in the same way: median {floor['median_s']:.1f} s, worst {floor['worst_s']:.1f} s; "
        f"the dashboard's worst is {worst / floor['worst_s']:.1f}× the floor's.",
        f"- Where it is bound: each dashboard session cost the machine {busy:.1f} CPU-seconds (median round), of which the "
        f"server {server:.2f} s; the rest is the session's browser (Streamlit's front end, the sidebar's widgets, the "
        f"map in its frame). A floor app session cost {floor['machine_cpu_s'] / floor['sessions']:.1f} CPU-seconds. With "
        f"the browsers on this {os.cpu_count()}-CPU machine, {sessions} sessions need about {busy * sessions / (os.cpu_count() or 1):.0f} s "
        f"of wall time at best; the server alone would need about {server * sessions / (os.cpu_count() or 1):.0f} s.",
    ]
    failures = [f for r in rounds_ for f in r["failures"]]
    if failures:
        lines.append("- Failures: " + "; ".join(f"`{f['link']}`: {f['why']}" for f in failures[:5]))
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    """Put the section at the end of bench/results.md, replacing an earlier one (bench/common.py)."""
    import common

    common.write_section(text, SECTION, RESULTS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data", type=Path, default=ROOT / "geodata")
    parser.add_argument("--uploads", type=int, default=UPLOADS, help="sessions uploading the largest file, one after the other")
    parser.add_argument("--fresh", action="store_true", help="each session in a fresh browser context (empty HTTP cache)")
    parser.add_argument("--no-write", action="store_true", help="print the section; leave bench/results.md alone")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))  # the atlas's filter code says what each link shows
    started, load = datetime.now(UTC), os.getloadavg()[0]
    result = asyncio.run(run(args.sessions, args.rounds, args.data, args.fresh, args.uploads))
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    text = report(result, args.sessions, args.rounds, started, load)
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
