"""Faults under readers: the server restarted while a reader is on the page, the map's generated
data files deleted while serving, and one replica behind nginx killed. Each time the reader's
page comes back to the view of its link (the URL is the state), with no error of ours."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from conftest import ARTIFACTS, MAP_FRAME, ROOT, free_port, map_window, wait_for_markers, wait_for_page_at_rest

from strategic_sites.view.filters import apply
from strategic_sites.view.urlstate import Known, parse

sys.path.insert(0, str(ROOT / "scripts"))
from replicas import NGINX, Nginx  # noqa: E402 - scripts/replicas.py

QUERY = "country=KGZ&country=TJK&asof=2013-06-01&from=2005&to=2015"
GENERATED = ROOT / "static" / "generated"


@pytest.fixture(scope="module")
def view(atlas):
    filters, warnings = parse(parse_qs(QUERY), Known.of(atlas))
    assert not warnings
    shown = apply(atlas, filters)
    return sorted(shown.sites["id"]), len(shown.events)


def wait_for_events_drawn(page, timeout: float = 60_000) -> int:
    """Until the map's events layer (from the generated events file) holds the events in its view
    and has drawn them (as markers and clusters); returns how many events are in its view."""
    return page.wait_for_function(
        """(selector) => {
            const frame = document.querySelector(selector);
            const box = frame && frame.contentDocument && frame.contentDocument.querySelector('#map_div');
            const view = box && box.getAttribute('data-ssa-events-view'), drawn = box && box.getAttribute('data-ssa-events-drawn');
            return view !== null && Number(view) > 0 && Number(drawn) > 0 ? Number(view) : null;
        }""",
        arg=MAP_FRAME,
        timeout=timeout,
    ).json_value()


def sites_on_map(page) -> list[str]:
    return map_window(page).evaluate("() => [...document.querySelectorAll('.ssa-site')].map(e => e.dataset.site).sort()")


class Opened(list):
    """Every WebSocket the page opens (one per Streamlit session it connects), with the messages
    each one received (a run's messages), counted from its opening."""

    def __init__(self, page):
        super().__init__()
        self.frames: dict[int, list[int]] = {}
        page.on("websocket", self._opened)

    def _opened(self, socket) -> None:
        if "/_stcore/stream" not in socket.url:
            return
        got = self.frames.setdefault(id(socket), [])
        socket.on("framereceived", lambda payload: got.append(len(payload)))
        self.append(socket)

    def received(self, socket) -> list[int]:
        return self.frames.get(id(socket), [])


def sessions_opened(page) -> Opened:
    return Opened(page)


def pressed_countries(page) -> list[str]:
    """The host countries the sidebar's pills show chosen."""
    return sorted(page.locator('.st-key-f_country button[aria-pressed="true"]').all_inner_texts())


def wait_for_a_run_on(page, opened: Opened, timeout: float = 90) -> None:
    """Until the page's newest session has sent it a run's messages: the page ran again on the
    new server (Streamlit's page asks for no run after reconnecting unless the atlas's timer
    fragment is there: ui/reconnect.py), whole (not a first sight: its widgets are the link's)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not opened.received(opened[-1]):
        page.wait_for_timeout(100)
    assert opened.received(opened[-1]), "the page did not run again after reconnecting: it shows the old session's page"
    wait_for_page_at_rest(page)
    assert page.get_by_text("The filters appear once the map has drawn").count() == 0


def wait_for_new_session(page, opened: list, before: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(opened) > before and not opened[-1].is_closed():
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"the page opened no new session in {timeout:.0f} s")


def test_a_server_restarted_under_a_reader_comes_back_with_the_same_view(start_server, open_page, view):
    sites, _ = view
    port = free_port()
    first = start_server(port=port)
    watched = open_page(f"{first.url}/?{QUERY}")
    page = watched.page
    opened = sessions_opened(page)
    wait_for_markers(page, len(sites))
    wait_for_events_drawn(page)
    wait_for_page_at_rest(page)  # a reader on the page, not one arriving during the restart
    before = len(opened)
    first.stop()
    start_server(port=port)  # the same address, a new process: none of the old sessions
    wait_for_new_session(page, opened, before)
    wait_for_a_run_on(page, opened)
    assert pressed_countries(page) == ["Kyrgyzstan (KGZ)", "Tajikistan (TJK)"]  # the widgets say the link's view
    wait_for_markers(page, len(sites))
    wait_for_events_drawn(page)
    assert sites_on_map(page) == sites
    assert page.url.endswith(f"/?{QUERY}") or QUERY in page.url  # the link is still the view
    page.screenshot(path=ARTIFACTS / "fault-restarted.png")
    assert not watched.errors, watched.errors


@pytest.mark.parametrize("viewport", [(1400, 1000), (390, 844)], ids=["desktop", "phone"])
def test_a_restart_under_a_reader_with_their_own_points_says_the_points_are_gone_and_how_to_add_them(start_server, open_page, view, viewport):
    """Uploaded points live in the session, which a restart ends: the page comes back to its
    link's view and says, where it is seen, that the points are not shown and how to bring them back."""
    from test_points_browser import CSV, points_on_map, upload

    sites, _ = view
    port = free_port()
    first = start_server(port=port)
    watched = open_page(f"{first.url}/?{QUERY}", viewport=viewport)
    page = watched.page
    opened = sessions_opened(page)
    wait_for_markers(page, len(sites))
    upload(page, "mine.csv", CSV, "text/csv")
    points_on_map(page, 1)  # the view's countries (Kyrgyzstan, Tajikistan) show the Bishkek point
    page.wait_for_function("() => new URL(location.href).searchParams.get('points') === '3'", timeout=60_000)
    wait_for_page_at_rest(page)
    before = len(opened)
    first.stop()
    start_server(port=port)
    wait_for_new_session(page, opened, before)
    wait_for_a_run_on(page, opened)
    notice = page.locator(".st-key-points-gone")
    notice.get_by_text("Your own points are not shown").wait_for(timeout=90_000)
    assert "3 points" in notice.inner_text()
    wait_for_markers(page, len(sites))
    assert sites_on_map(page) == sites  # the link's view, without the points
    assert "points=" not in page.url and QUERY in page.url  # the address no longer says the tab holds points
    assert pressed_countries(page) == ["Kyrgyzstan (KGZ)", "Tajikistan (TJK)"]
    notice.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / f"fault-restarted-points-gone-{'phone' if viewport[0] < 600 else 'desktop'}.png")
    # axe finds nothing serious in the notice (its text, its icon, its button).
    from axe import run as axe_run
    from axe import serious, summary

    in_notice = [f for f in serious(axe_run(page)) if page.locator(f.node.target).evaluate("e => !!e.closest('.st-key-points-gone')")]
    assert not in_notice, summary(in_notice)
    # It is dismissed from the keyboard, and stays dismissed.
    hide = notice.get_by_role("button", name="Hide this notice")
    hide.focus()
    page.keyboard.press("Enter")
    notice.wait_for(state="detached", timeout=60_000)
    assert not watched.errors, watched.errors


def test_the_map_draws_when_its_generated_files_were_deleted_while_serving(server, open_page, view):
    sites, _ = view
    first = open_page(f"{server.url}/?{QUERY}")
    wait_for_markers(first.page, len(sites))
    wait_for_events_drawn(first.page)
    assert any(GENERATED.glob("*.json")), "the map's data were not published as files"
    shutil.rmtree(GENERATED)  # a cleaned disk, a redeploy that wiped static/: the server has not been told
    second = open_page(f"{server.url}/?{QUERY}")  # a new reader (an empty HTTP cache)
    wait_for_markers(second.page, len(sites))
    wait_for_events_drawn(second.page)
    assert sites_on_map(second.page) == sites
    assert any(GENERATED.glob("*.json")), "the files were not written again"


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx-light is installed by `make test`")
def test_a_replica_killed_behind_nginx_sends_its_readers_to_the_other_with_their_view(start_server, open_page, view, tmp_path):
    sites, _ = view
    replicas = {str(r.port): r for r in (start_server(), start_server())}
    proxy = Nginx(tmp_path / "nginx", [int(p) for p in replicas], tell_replica=True, log=ARTIFACTS / "nginx-faults.log")
    try:
        watched = open_page(f"{proxy.url}/?{QUERY}")
        page = watched.page
        answered: list[str] = []
        page.on("response", lambda r: answered.append(r.headers.get("x-replica") or "") if r.url.startswith(proxy.url) else None)
        opened = sessions_opened(page)
        wait_for_markers(page, len(sites))
        wait_for_events_drawn(page)
        wait_for_page_at_rest(page)
        port = next(a.rsplit(":", 1)[1] for a in answered if a)
        before = len(opened)
        replicas[port].stop()  # the reader's replica dies
        wait_for_new_session(page, opened, before)
        wait_for_a_run_on(page, opened)
        assert pressed_countries(page) == ["Kyrgyzstan (KGZ)", "Tajikistan (TJK)"]
        wait_for_markers(page, len(sites))
        wait_for_events_drawn(page)
        assert sites_on_map(page) == sites
        assert QUERY in page.url
        page.screenshot(path=ARTIFACTS / "fault-replica-killed.png")
        assert not watched.errors, watched.errors
    finally:
        proxy.stop()


def test_data_changed_while_serving_gives_each_reader_one_version_and_old_links_the_changes(start_server, open_page, atlas, tmp_path):
    """An event renamed and its changelog line added while readers are on the page: a reader's
    page is of one version at a time (the atlas is swapped whole, data/source.py), a new reader gets
    the new version, and after a restart a link made with the old version opens with the changes since."""
    from datafiles import edit_row, first_row

    folder = tmp_path / "geodata"
    shutil.copytree(ROOT / "geodata", folder)
    env = {"STRATEGIC_SITES_DATA": str(folder)}
    server = start_server(env=env)
    old = atlas.data_version.code
    watched = open_page(f"{server.url}/events?q=MN-300")
    page = watched.page
    page.get_by_text(f"data version {atlas.data_version.label}").first.wait_for(timeout=60_000)
    # The data changes under the reader, with its changelog line, as a contributor's deploy does.
    row = first_row(folder, "events.csv", id="2014-mn300-crash")
    edit_row(folder, "events.csv", row, title="MN-300 meteorological rocket falls in West Kazakhstan (renamed in a test)")
    from strategic_sites.data.atlas import load_atlas

    new = load_atlas(folder).data_version.code
    with (folder / "CHANGELOG-data.md").open("a", encoding="utf-8") as changelog:
        changelog.write(f"| 2026-12-07 | {new} | The MN-300 event renamed in a test | a fault test |\n")
    fresh = open_page(f"{server.url}/events?q=MN-300")
    fresh.page.get_by_text(f"data version {new}").first.wait_for(timeout=60_000)
    # The first reader, on its next run, moves to the new version whole (the footer names one version).
    page.reload(wait_until="domcontentloaded")
    page.get_by_text(f"data version {new}").first.wait_for(timeout=60_000)
    assert page.get_by_text(f"data version {atlas.data_version.label}").count() == 0
    wait_for_page_at_rest(page)
    assert not watched.errors and not fresh.errors, (watched.errors, fresh.errors)
    # After a restart, the new version is served, and a link made with the old one says what changed.
    server.stop()
    again = start_server(env=env)
    old_link = open_page(f"{again.url}/?country=KAZ&data={old}")
    notice = old_link.page.get_by_text(f"This link was made with data version {old}")
    notice.first.wait_for(timeout=60_000)
    old_link.page.get_by_text("The MN-300 event renamed in a test").first.wait_for(timeout=60_000)
    assert not old_link.errors, old_link.errors
