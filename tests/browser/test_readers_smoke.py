"""A short run of `make readers`' client (bench/protocol.py) against the served app: ten readers at
once over Streamlit's own WebSocket protocol, no browser, each on a different link, each getting
the map the atlas's own filter code selects for its link and the follow-up run the drawn map asks
for; then readers arriving one after another are each served; and the faults as the client meets
them: a server restarted at its address, a replica killed behind nginx. The heavy runs (bursts of
200, the capacity search, the replicas) are `make readers`, not tests."""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import protocol  # noqa: E402 - bench/protocol.py
from conftest import free_port  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from replicas import NGINX, Nginx  # noqa: E402 - scripts/replicas.py

READERS = 10


def run(coroutine):
    """The client's coroutine to its end, in a thread of its own: Playwright's sync API keeps an
    event loop running in the tests' thread, where asyncio.run refuses to start another."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def wants(atlas):
    return {link: protocol.expected(atlas, link) for link in protocol.LINKS}


def test_ten_readers_at_once_each_get_their_links_map(server, wants):
    links = list(protocol.LINKS)[:READERS]

    async def burst():
        return await asyncio.gather(*(protocol.read(server.url, link, wants[link], cap=120) for link in links))

    readings = run(burst())
    assert [r.error for r in readings] == [""] * READERS, [(r.link, r.error) for r in readings]
    on_map = [r for r in readings if wants[r.link].sites is not None]
    assert on_map and all(r.t_map is not None and len(r.t_runs) == 2 for r in on_map)  # the map, then the run it asks for
    assert all(r.bytes > 0 for r in readings)


def test_a_reader_who_changes_a_filter_gets_the_new_view(server, wants):
    reading = run(
        protocol.read(server.url, "/?country=KGZ", wants["/?country=KGZ"], cap=120, change=("/?country=TJK", wants["/?country=TJK"]))
    )
    assert reading.error == "" and len(reading.t_runs) == 3


def test_a_wrong_answer_is_told_apart(server, wants):
    """The client's check can fail: Kyrgyzstan's link is not Tajikistan's map."""
    reading = run(protocol.read(server.url, "/?country=KGZ", wants["/?country=TJK"], cap=120))
    assert reading.error.startswith("sites ")


def readers_of(url: str, wants: dict, links: list[str]) -> list:
    async def burst():
        return await asyncio.gather(*(protocol.read(url, link, wants[link], cap=120) for link in links))

    return run(burst())


def test_readers_of_a_restarted_server_are_told_it_was_down_then_served_at_the_same_address(start_server, wants):
    links = list(protocol.LINKS)[:READERS]
    port = free_port()
    first = start_server(port=port)
    assert [r.error for r in readers_of(first.url, wants, links)] == [""] * READERS
    first.stop()
    down = readers_of(first.url, wants, links[:3])
    assert all(r.error.startswith("refused") for r in down), [r.error for r in down]  # told apart: never a wrong map
    again = start_server(port=port)  # a new process at the same address: none of the old sessions
    after = readers_of(again.url, wants, links)
    assert [r.error for r in after] == [""] * READERS, [(r.link, r.error) for r in after]


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx-light is installed by `make test`")
def test_with_one_replica_killed_behind_nginx_every_reader_is_served_by_the_other(start_server, wants, tmp_path):
    links = list(protocol.LINKS)[:READERS]
    replicas = [start_server(), start_server()]
    proxy = Nginx(tmp_path / "nginx", [r.port for r in replicas])
    try:
        assert [r.error for r in readers_of(proxy.url, wants, links)] == [""] * READERS
        replicas[0].stop()
        after = readers_of(proxy.url, wants, links)
        assert [r.error for r in after] == [""] * READERS, [(r.link, r.error) for r in after]
    finally:
        proxy.stop()
