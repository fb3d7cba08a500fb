"""`make readers`: many readers at once against one server, with no browser (bench/protocol.py).

A shared link brings readers in a burst, or at a steady rate. Each reader here is the protocol
client of bench/protocol.py: one WebSocket session per reader, on one of 16 different links
(filters, dates, sites, pages, ``lang``), checked against the atlas's own filter code. The server
is ``streamlit run serve.py`` on the shipped data, as deployed; the floor app (bench/apps/floor.py:
the smallest Streamlit page drawing the same sites on an st_folium map) runs under the same client
in the same run, so every figure has a ratio.

- **Burst**: N readers opened at once (50, 100, 200): every reader correct, none dropped by a
  client that pings every 20 s; p50, p95 and worst time to the map's message; whether readers
  are served roughly in arrival order (the median reader's map within half the time of the last
  one's); the server's CPU time and bytes sent per reader; its memory before, at the peak, and
  settled after the burst.
- **Steady arrivals**: readers arriving at R per second for ``--seconds`` (Poisson), for rising R;
  the **capacity** is the highest R at which p95 time to the map stays ≤ 2 s and nothing fails.
- **A stalled reader**: sessions that open, ask for a run and never read, while a burst is
  served: the server's memory with them, against without.

Figures go to bench/results.md ("Many readers at once, without a browser") and
bench/artifacts/readers.json.

    .venv/bin/python bench/readers.py [--bursts 50,100,200] [--rates 1,2,4,6,8] [--seconds 60]
    .venv/bin/python bench/readers.py --quick     # 10 readers, one rate, 10 s: proves it works
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import common  # noqa: F401 - puts src/ and bench/ on the path
import pageload
import protocol
from load import Memory, cpu_seconds

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECTION = "## Many readers at once, without a browser (make readers)"
ARTIFACT = HERE / "artifacts" / "readers.json"
P95_TARGET_S = 2.0
SETTLE_S = 8
SESSION_TTL_S = 5  # closed sessions dropped soon (see bench/load.py)
CAP_S = 240


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def in_order(readings: list[protocol.Reading]) -> float | None:
    """Spearman's rank correlation between the order readers came in (their connections' starts,
    in the order they were opened) and the moment each got its map: 1 when every reader was served
    in arrival order, about 0 when served all together or at random. (The Pearson correlation of
    pandas' ranks, ties sharing their mean rank: pandas' own "spearman" needs SciPy.)"""
    import pandas as pd

    served = pd.Series({i: r.started + r.t_map for i, r in enumerate(readings) if r.ok and r.t_map is not None}, dtype=float)
    if len(served) < 3:
        return None
    value = pd.Series(served.index, dtype=float).rank().corr(pd.Series(served.to_numpy()).rank())
    return None if pd.isna(value) else float(value)


def summary(readings: list[protocol.Reading]) -> dict:
    maps = [r.t_map for r in readings if r.ok and r.t_map is not None]
    errors: dict[str, int] = {}
    for r in readings:
        if not r.ok:
            key = r.error.split(":")[0]
            errors[key] = errors.get(key, 0) + 1
    return {
        "readers": len(readings),
        "correct": sum(r.ok for r in readings),
        "dropped": sum(r.error.startswith("dropped") for r in readings),
        "errors": errors,
        "first_error": next((r.error for r in readings if not r.ok), ""),
        "first": min(maps) if maps else None,
        "p50": quantile(maps, 0.5),
        "p95": quantile(maps, 0.95),
        "worst": max(maps) if maps else None,
        "done_worst": max((r.t_done for r in readings if r.t_done is not None), default=None),
        "bytes_median": statistics.median([r.bytes for r in readings]) if readings else 0,
    }


class Target:
    """One server under the client: the atlas or the floor app, with what each link should show."""

    def __init__(self, name: str, app: pageload.App, data: Path, log_dir: Path, wants: dict[str, protocol.Want]):
        self.name, self.wants = name, wants
        self.server = pageload.Server(app, data, log_dir, ("--server.disconnectedSessionTTL", str(SESSION_TTL_S)))
        self.server.wait(180)
        self.pid = self.server.process.pid
        self.memory = Memory(self.pid)
        self.links = list(wants)

    @property
    def url(self) -> str:
        return self.server.url

    def cpu(self) -> float:
        """The server's CPU seconds so far."""
        return cpu_seconds(self.pid)

    def reader(self, index: int, ping: float | None = 20):
        link = self.links[index % len(self.links)]
        return protocol.read(self.url, link, self.wants[link], ping=ping, cap=CAP_S)

    async def warm(self) -> None:
        for _ in range(2):  # every link, alone, twice (behind nginx, each replica gets some): caches as a visited server's
            for link in self.links:
                await protocol.read(self.url, link, self.wants[link], cap=CAP_S)

    async def burst(self, count: int) -> dict:
        before, cpu0, t0 = self.memory.now(), self.cpu(), time.monotonic()
        readings = await asyncio.gather(*(self.reader(i) for i in range(count)))
        cpu = self.cpu() - cpu0
        result = summary(list(readings))
        result |= {
            "rss_before": before,
            "rss_peak": self.memory.peak_since(t0),
            "rss_after": self.memory.settled(SETTLE_S),
            "cpu_per_reader": cpu / count,
            "order": (result["p50"] / result["worst"]) if result["p50"] and result["worst"] else None,
            "in_order": in_order(list(readings)),
        }
        return result

    async def steady(self, rate: float, seconds: float, seed: int) -> dict:
        rng = random.Random(seed)
        arrivals, t = [], rng.expovariate(rate)
        while t < seconds and len(arrivals) < 10_000:
            arrivals.append(t)
            t += rng.expovariate(rate)
        start, client0, server0 = time.monotonic(), time.process_time(), self.cpu()

        async def arrive(index: int, at: float):
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            return await self.reader(index)

        readings = await asyncio.gather(*(arrive(i, at) for i, at in enumerate(arrivals)))
        took = time.monotonic() - start
        result = summary(list(readings)) | {
            "rate": rate, "arrivals": len(arrivals),
            "client_cpu": (time.process_time() - client0) / took, "server_cpu": (self.cpu() - server0) / took,
        }  # fmt: skip
        result["kept_up"] = bool(result["readers"]) and result["correct"] == result["readers"] and (result["p95"] or 0) <= P95_TARGET_S
        return result

    async def capacity(self, rates: list[float], seconds: float) -> dict:
        steps = []
        for rate in rates:
            steps.append(await self.steady(rate, seconds, seed=int(rate * 100)))
            if not steps[-1]["kept_up"]:
                break
            await asyncio.sleep(SETTLE_S)
        kept = [s["rate"] for s in steps if s["kept_up"]]
        # Kept up at the highest rate tried: the capacity is at least that (not found above it).
        return {"steps": steps, "capacity": max(kept) if kept else 0.0, "at_least": bool(steps) and steps[-1]["kept_up"]}

    async def stalled(self, stalled: int, count: int) -> dict:
        """``stalled`` sessions that ask for a run and never read, while ``count`` readers are served."""
        from websockets.asyncio.client import connect

        url = self.url
        sockets = []
        before, t0 = self.memory.now(), time.monotonic()
        for i in range(stalled):
            link = self.links[i % len(self.links)]
            socket = await connect(f"ws://{url.split('//')[1]}/_stcore/stream", subprotocols=["streamlit"], origin=url,
                                   ping_interval=None, max_size=None, compression=None, proxy=None, max_queue=1)
            await socket.send(protocol._rerun(link, url))
            sockets.append(socket)
        served = summary(list(await asyncio.gather(*(self.reader(i) for i in range(count)))))
        peak = self.memory.peak_since(t0)
        await asyncio.sleep(SETTLE_S)
        held = self.memory.now()
        for socket in sockets:
            socket.transport.abort()
        return {"stalled": stalled, "served": served, "rss_before": before, "rss_peak": peak, "rss_with_stalled": held, "rss_after": self.memory.settled(SETTLE_S)}

    def stop(self) -> None:
        self.memory.stop()
        self.server.stop()


class Replicated(Target):
    """``count`` replicas of the atlas behind nginx (scripts/replicas.py, docs/deploy/nginx.conf):
    the readers connect to nginx; CPU time and memory are the replicas' together."""

    def __init__(self, count: int, data: Path, log_dir: Path, wants: dict[str, protocol.Want]):
        from replicas import Nginx, start_replica

        self.name, self.wants, self.links = f"{count} replicas", wants, list(wants)
        log_dir.mkdir(parents=True, exist_ok=True)
        env = {"STRATEGIC_SITES_DATA": str(data)}
        args = ("--server.disconnectedSessionTTL", str(SESSION_TTL_S), "--server.fileWatcherType", "none", "--server.headless", "true")
        self.replicas = [start_replica(log_dir / f"replica-{count}-{i}.log", env, args) for i in range(count)]
        self.nginx = Nginx(log_dir / f"nginx-{count}", [r.port for r in self.replicas])
        self.memories = [Memory(r.process.pid) for r in self.replicas]
        self.pid = self.replicas[0].process.pid
        self.memory = _Together(self.memories)

    @property
    def url(self) -> str:
        return self.nginx.url

    def cpu(self) -> float:
        return sum(cpu_seconds(r.process.pid) for r in self.replicas)

    def stop(self) -> None:
        for memory in self.memories:
            memory.stop()
        self.nginx.stop()
        for replica in self.replicas:
            replica.stop()


class _Together:
    """The RSS of several processes, summed (the replicas' memory)."""

    def __init__(self, memories: list[Memory]):
        self.memories = memories

    def now(self) -> int:
        return sum(m.now() for m in self.memories)

    def peak_since(self, t0: float) -> int:
        return sum(m.peak_since(t0) for m in self.memories)

    def settled(self, seconds: float) -> int:
        time.sleep(seconds)
        return self.now()

    def stop(self) -> None:
        for m in self.memories:
            m.stop()


def floor_wants() -> dict[str, protocol.Want]:
    """The floor app draws every site on its map whatever the link: correct when its map comes."""
    return {f"/?n={i}": protocol.Want(sites=None) for i in range(4)}


async def run(args) -> dict:
    from strategic_sites.data.atlas import load_atlas

    atlas = load_atlas(args.data)
    wants = {link: protocol.expected(atlas, link) for link in protocol.LINKS}
    apps = pageload.apps(ROOT)
    log_dir = HERE / "artifacts" / "readers-logs"
    result: dict = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}, "targets": {}}
    in_turn = pageload.App("floor-in-turn", HERE / "apps" / "floor_in_turn.py", ROOT, ROOT / "src")
    for name, app, target_wants in (("atlas", apps["dashboard"], wants), ("floor", apps["floor"], floor_wants()), ("floor-in-turn", in_turn, floor_wants())):
        if name not in args.only.split(","):
            continue
        target = Target(name, app, args.data, log_dir, target_wants)
        try:
            await target.warm()
            out: dict = {"rss_warm": target.memory.now(), "bursts": {}}
            for count in args.bursts:
                out["bursts"][count] = await target.burst(count)
                print(name, "burst", count, json.dumps(out["bursts"][count], default=str), flush=True)
                await asyncio.sleep(SESSION_TTL_S)
            if name == "floor-in-turn":  # its bursts only: the floor of serving readers in arrival order
                result["targets"][name] = out
                continue
            out["capacity"] = await target.capacity(args.rates, args.seconds)
            print(name, "capacity", out["capacity"]["capacity"], flush=True)
            if name == "atlas" and args.stalled:
                out["stalled"] = await target.stalled(args.stalled, min(args.bursts))
                print(name, "stalled", json.dumps(out["stalled"], default=str), flush=True)
            result["targets"][name] = out
        finally:
            target.stop()
    if args.replicas:
        sys.path.insert(0, str(ROOT / "scripts"))
        for count in (1, args.replicas):
            target = Replicated(count, args.data, log_dir, wants)
            try:
                await target.warm()
                out = {"rss_warm": target.memory.now(), "bursts": {max(args.bursts): await target.burst(max(args.bursts))}}
                await asyncio.sleep(SESSION_TTL_S)
                out["capacity"] = await target.capacity(args.rates, args.seconds)
                print(target.name, "capacity", out["capacity"]["capacity"], json.dumps(out["bursts"], default=str), flush=True)
                result["targets"][f"replicas-{count}"] = out
            finally:
                target.stop()
    return result


def _cap(target: dict) -> str:
    """The capacity, "≥ 8" when the highest rate tried was kept up with."""
    capacity = target["capacity"]
    return f"{'≥ ' if capacity.get('at_least') else ''}{capacity['capacity']:g}"


def _s(value) -> str:
    return "–" if value is None else f"{value:.2f} s"


def _busy(step: dict) -> str:
    """The server's and the client's CPU over a step (1.00 = one core busy all the time)."""
    if "server_cpu" not in step:
        return ""
    return f" (server {step['server_cpu']:.2f} CPU, client {step['client_cpu']:.2f})"


def _num(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def _ratio(a, b) -> str:
    return "–" if not a or not b else f"{a / b:.2f}×"


def _mb(value) -> str:
    return "–" if value is None else f"{value / 1e6:.0f} MB"


def report(result: dict, started: datetime, args) -> str:
    if not {"atlas", "floor"} <= set(result["targets"]):  # a partial run (--only): its figures as they are
        return json.dumps(result, indent=1, default=str) + "\n"
    atlas, floor = result["targets"]["atlas"], result["targets"]["floor"]
    lines = [
        SECTION,
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {result['machine']['cpus']} CPUs (load average before: "
        f"{result['machine']['load_before']:.1f}); bench/readers.py: each reader is bench/protocol.py's client "
        "(Streamlit's protobuf messages over the WebSocket, no browser), pinging every 20 s like a browser-like "
        f"client, on one of {len(protocol.LINKS)} links, checked against the atlas's own filter code. "
        "Times are from a reader's connection to the map's message. The floor is bench/apps/floor.py under the same client.",
        "",
        "### Bursts",
        "",
        "| readers at once | correct | dropped | first | p50 | p95 | worst | p50 / worst | arrival order (rank corr.) | p95 vs floor | CPU per reader | bytes per reader | RSS warm → peak → after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for count, b in atlas["bursts"].items():
        f = floor["bursts"].get(count, {})
        t = result["targets"].get("floor-in-turn", {}).get("bursts", {}).get(count, {})
        lines.append(
            f"| {count} | {b['correct']}/{b['readers']} | {b['dropped']} | {_s(b.get('first'))} | {_s(b['p50'])} | {_s(b['p95'])} | {_s(b['worst'])} | "
            f"{b['order']:.2f} (floor {_num(f.get('order'))}; in turn {_num(t.get('order'))}) | {_num(b.get('in_order'))} (floor {_num(f.get('in_order'))}) | {_ratio(b['p95'], f.get('p95'))} (floor {_s(f.get('p95'))}) | "
            f"{b['cpu_per_reader'] * 1000:.0f} ms ({_ratio(b['cpu_per_reader'], f.get('cpu_per_reader'))} the floor's) | "
            f"{b['bytes_median'] / 1000:.0f} KB ({_ratio(b['bytes_median'], f.get('bytes_median'))}) | "
            f"{_mb(atlas['rss_warm'])} → {_mb(b['rss_peak'])} → {_mb(b['rss_after'])} ({b['rss_after'] / atlas['rss_warm']:.2f}× warm) |"
        )
        if b["first_error"]:
            lines.append(f"|  | first error: {b['first_error'][:120]} |  |  |  |  |  |  |  |  |  |  |  |")
    lines += ["", "### Capacity (steady arrivals)", ""]
    for name, target in (("atlas", atlas), ("floor", floor)):
        steps = ", ".join(f"{s['rate']:g}/s: p95 {_s(s['p95'])}, {s['correct']}/{s['readers']}{_busy(s)}" for s in target["capacity"]["steps"])
        lines.append(f"- {name}: capacity **{_cap(target)} readers/s** ({steps})")
    lines.append(
        f"- ratio atlas / floor: {_ratio(atlas['capacity']['capacity'], floor['capacity']['capacity'])} "
        f"(target ≥ 0.8×; capacity = the highest rate of {args.seconds:g} s of Poisson arrivals with p95 ≤ {P95_TARGET_S:g} s and nothing failed)"
    )
    several = [k for k in result["targets"] if k.startswith("replicas-") and k != "replicas-1"]
    if "replicas-1" in result["targets"] and several:
        one, many = result["targets"]["replicas-1"], result["targets"][several[0]]
        count = several[0].split("-")[1]
        lines += ["", f"### {count} replicas behind nginx (scripts/replicas.py, docs/deploy/nginx.conf)", ""]
        for name, target in (("1 replica", one), (f"{count} replicas", many)):
            steps = ", ".join(f"{s['rate']:g}/s: p95 {_s(s['p95'])}, {s['correct']}/{s['readers']}{_busy(s)}" for s in target["capacity"]["steps"])
            (size, b), = target["bursts"].items()
            lines.append(
                f"- {name}: capacity **{_cap(target)} readers/s** ({steps}); burst of {size}: "
                f"{b['correct']}/{b['readers']} correct, {b['dropped']} dropped, p50 {_s(b['p50'])}, p95 {_s(b['p95'])}, worst {_s(b['worst'])}"
            )
        lines.append(
            f"- ratio: {_ratio(many['capacity']['capacity'], one['capacity']['capacity'])} against one replica behind the same nginx, "
            f"{_ratio(many['capacity']['capacity'], atlas['capacity']['capacity'])} against one server without nginx (above) "
            f"(target ≥ 1.6× on this {result['machine']['cpus']}-CPU machine; '≥' capacities were not bounded by the rates tried: --rates)"
        )
    if "stalled" in atlas:
        s = atlas["stalled"]
        lines += [
            "",
            "### Stalled readers",
            "",
            f"{s['stalled']} sessions that ask for a run and never read, while {s['served']['readers']} readers are served: "
            f"{s['served']['correct']}/{s['served']['readers']} correct, p95 {_s(s['served']['p95'])}; server RSS {_mb(s['rss_before'])} before, "
            f"{_mb(s['rss_peak'])} at the peak, {_mb(s['rss_with_stalled'])} with the stalled sessions still open, {_mb(s['rss_after'])} after they went.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bursts", default="50,100,200")
    parser.add_argument("--rates", default="4,16,32,48,64,96,128")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--stalled", type=int, default=20)
    parser.add_argument("--data", type=Path, default=ROOT / "geodata")
    parser.add_argument("--runs", default=None, help="the atlas server's page runs at once ($STRATEGIC_SITES_RUNS; 0: no queue)")
    parser.add_argument("--quick", action="store_true", help="10 readers, one rate for 10 s; nothing written to bench/results.md")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--only", default="atlas,floor,floor-in-turn", help="which servers: atlas, floor, floor-in-turn (bursts only)")
    parser.add_argument("--replicas", type=int, default=2, help="then 1 and this many replicas behind nginx (0: none)")
    args = parser.parse_args()
    args.bursts = [int(v) for v in args.bursts.split(",")]
    args.rates = [float(v) for v in args.rates.split(",")]
    if args.quick:
        args.bursts, args.rates, args.seconds, args.stalled, args.no_write, args.replicas = [10], [1.0], 10.0, 3, True, 0
    if args.runs is not None:
        os.environ["STRATEGIC_SITES_RUNS"] = args.runs  # the servers started below inherit it
    started = datetime.now(UTC)
    result = asyncio.run(run(args))
    result["runs"] = os.environ.get("STRATEGIC_SITES_RUNS", "default")
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    text = report(result, started, args)
    print(text)
    if not args.no_write:
        common.write_section(text, SECTION)


if __name__ == "__main__":
    sys.exit(main())
