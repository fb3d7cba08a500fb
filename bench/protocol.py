"""A reader without a browser: Streamlit's own protobuf messages over the page's WebSocket.

One :func:`read` is one reader opening one link, as Chromium does it:

1. connect to ``/_stcore/stream`` (subprotocol ``streamlit``, the page's origin), with the
   keepalive of a browser-like client (a ping every ``ping`` seconds, ``ping`` seconds to answer);
2. ask for the run of the link (``BackMsg.rerun_script``: the query string, the page's name from
   the path, the page's context), and read every ``ForwardMsg`` until the run finishes;
3. answer the map's first report as the drawn map does (streamlit-folium's component sends the
   objects it returns once it has drawn: nothing clicked, the frame it fitted), so that the
   follow-up run happens, and read it to its end; optionally change a filter (the query string
   of another link, as the sidebar's widgets would) and read that run too.

A reader is **correct** when no run ended in an exception element and, on a map page, the map's
arguments hold exactly the sites and the events the atlas's own filter code selects for the link:
the site ids of ``SSA.sites`` and the bitmap of ``SSA.events`` (:func:`expected`), computed
in-process. It records the time to the map's message and to the end of each run (from the
connection's start), the bytes received, and an error, if any: refused, dropped (the server did
not answer a ping in time), timed out, wrong.

Bounded: every wait has a time limit, every loop a count, and only 127.0.0.1 is connected to.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

COMPONENT = "streamlit_folium.st_folium"  # ui/folium_bridge.COMPONENT
MAX_MESSAGES = 20_000  # per run: a bound, far above a run's few hundred
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
# The drawn map's first report (streamlit-folium returns only the objects the atlas asks for,
# ui/map_widget.RETURNED; the atlas's frame marker says the map fitted its sites).
FIRST_REPORT = {
    "last_object_clicked": None,
    "last_object_clicked_count": 0,
    "last_active_drawing": None,
    "selected_layers": [{"name": "__frame__", "url": "fitted"}],
}
_SITES = re.compile(r"SSA\.sites\(\w+, (\{.*?\})\);\n", re.S)
_EVENTS = re.compile(r"SSA\.events\(\w+, (\{.*?\})\);\n", re.S)


@dataclass
class Want:
    """What a correct reader of a link is sent: the map's sites and events bitmap (None: no map)."""

    sites: list[str] | None = None
    bits: str | None = None


@dataclass
class Reading:
    """One reader's session: what it waited for, what it got, and what went wrong."""

    link: str
    started: float = 0.0  # time.monotonic() at the connection's start (the same clock across processes)
    t_open: float | None = None  # seconds from the connection's start to the WebSocket's opening handshake done
    t_session: float | None = None  # seconds from the connection's start to the server's new_session (the run begun)
    t_map: float | None = None  # seconds from the connection's start to the map's message
    t_runs: list[float] = field(default_factory=list)  # ... to the end of each run
    bytes: int = 0
    messages: int = 0
    error: str = ""  # "" when correct

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def t_done(self) -> float | None:
        return self.t_runs[-1] if self.t_runs else None


def expected(atlas, link: str) -> Want:
    """What the atlas's own code shows for a link: the map's site ids and event bitmap, or no map
    for a page without one."""
    from strategic_sites.map.compact import bitmap
    from strategic_sites.view.filters import apply
    from strategic_sites.view.urlstate import Known, parse

    parts = urlsplit(link)
    if parts.path.strip("/"):
        return Want()  # a page of tables: correct when its runs finish without an exception
    filters, warnings = parse(parse_qs(parts.query), Known.of(atlas))
    if warnings:
        raise SystemExit(f"bench/protocol.py: the link {link} is not clean: {warnings}")
    view = apply(atlas, filters)
    return Want(sorted(view.sites["id"]), bitmap(atlas.events.index, view.events.index))


def _rerun(link: str, url: str, page_hash: str = "", widget: tuple[str, dict] | None = None, cached: tuple[str, ...] = ()) -> bytes:
    parts = urlsplit(link)
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = parts.query
    state.page_name = parts.path.strip("/")
    if page_hash:
        state.page_script_hash = page_hash
    state.widget_states.SetInParent()
    if widget:
        one = state.widget_states.widgets.add()
        one.id = widget[0]
        one.json_value = json.dumps(widget[1], separators=(",", ":"))
    state.cached_message_hashes.extend(cached)
    info = state.context_info
    info.timezone, info.timezone_offset, info.locale, info.url = "UTC", 0, "en-US", url + link
    info.is_embedded, info.color_scheme = False, "light"
    return msg.SerializeToString()


class _Run:
    """The messages of one run, read to its end."""

    def __init__(self) -> None:
        self.map_args: dict | None = None
        self.map_id = ""
        self.page_hash = ""
        self.exception = ""
        self.status: int | None = None
        self.cacheable: list[str] = []


async def _read_run(socket, reading: Reading, t0: float, limit: float) -> _Run:
    run = _Run()
    for _ in range(MAX_MESSAGES):
        payload = await asyncio.wait_for(socket.recv(decode=False), timeout=max(0.01, limit - (time.monotonic() - t0)))
        reading.bytes += len(payload)
        reading.messages += 1
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        if msg.metadata.cacheable and msg.hash:
            run.cacheable.append(msg.hash)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            run.page_hash = msg.new_session.page_script_hash
            if reading.t_session is None:
                reading.t_session = time.monotonic() - t0
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "component_instance" and element.component_instance.component_name == COMPONENT and run.map_args is None:
                run.map_args, run.map_id = json.loads(element.component_instance.json_args), element.component_instance.id
                if reading.t_map is None:
                    reading.t_map = time.monotonic() - t0
            elif which == "exception" and not run.exception:
                run.exception = f"exception on the page: {element.exception.type}: {element.exception.message[:120]}"
        elif kind == "script_finished":
            run.status = msg.script_finished
            if run.status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                reading.t_runs.append(time.monotonic() - t0)
                return run
    raise TimeoutError(f"no end of the run in {MAX_MESSAGES} messages")


def _check(args: dict | None, want: Want) -> str:
    """"" when the map's arguments hold the wanted sites and events, else what differs."""
    if want.sites is None:
        return ""
    if args is None:
        return "no map"
    groups = args.get("feature_group", "")
    sites, events = _SITES.search(groups), _EVENTS.search(groups)
    if not sites or not events:
        return "the map has no sites or events layer"
    got = sorted(site["id"] for site in json.loads(sites.group(1))["sites"])
    if got != want.sites:
        return f"sites {got} != {want.sites}"
    if json.loads(events.group(1))["bits"] != want.bits:
        return "the events differ"
    return ""


async def read(url: str, link: str, want: Want, *, ping: float | None = 20, cap: float = 180, change: tuple[str, Want] | None = None) -> Reading:
    """One reader of ``link`` on the server at ``url`` (http://127.0.0.1:port), within ``cap`` seconds."""
    host = urlsplit(url)
    if host.hostname != "127.0.0.1":
        raise ValueError("the load client only connects to 127.0.0.1")
    t0 = time.monotonic()
    reading = Reading(link, started=t0)
    try:
        async with connect(
            f"ws://{host.netloc}/_stcore/stream", subprotocols=["streamlit"], origin=url, ping_interval=ping,
            ping_timeout=ping, max_size=None, compression=None, open_timeout=cap, proxy=None,
        ) as socket:  # fmt: skip
            reading.t_open = time.monotonic() - t0
            await socket.send(_rerun(link, url))
            first = await _read_run(socket, reading, t0, cap)
            problem = first.exception or _check(first.map_args, want)
            runs = [first]
            if not problem and first.map_args is not None:
                await socket.send(_rerun(link, url, first.page_hash, (first.map_id, FIRST_REPORT), tuple(first.cacheable)))
                runs.append(await _read_run(socket, reading, t0, cap))
                problem = runs[-1].exception
            if not problem and change is not None:
                other, other_want = change
                await socket.send(_rerun(other, url, first.page_hash, None, tuple(h for r in runs for h in r.cacheable)))
                last = await _read_run(socket, reading, t0, cap)
                problem = last.exception or _check(last.map_args, other_want) if last.map_args is not None else last.exception
            reading.error = problem
    except (asyncio.TimeoutError, TimeoutError):
        reading.error = f"timed out after {cap:.0f} s"
    except ConnectionClosed as exc:
        reading.error = "dropped: no answer to a ping in time" if "keepalive" in str(exc).lower() or (exc.rcvd is None and exc.sent is not None and exc.sent.code == 1011) else f"closed: {exc}"
    except (OSError, InvalidHandshake) as exc:
        reading.error = f"refused: {type(exc).__name__}: {exc}"[:160]
    return reading


# Links a shared page would bring: filters, dates, a site, other pages, another language.
LINKS = (
    "/",
    "/?country=KGZ",
    "/?country=TJK",
    "/?country=KAZ&kind=cosmodrome",
    "/?status=russian_lease",
    "/?asof=2000-01-01",
    "/?asof=1995-06-01&vs=2020-06-01",
    "/?from=2010&to=2015",
    "/?conf=confirmed",
    "/?site=baikonur",
    "/?site=kant&country=KGZ",
    "/?q=balkhash",
    "/?lang=ru",
    "/?lang=ru&country=KAZ",
    "/sites?country=KAZ",
    "/events?from=2013&to=2014",
)
