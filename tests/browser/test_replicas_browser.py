"""More than one app process: replicas serve a link alike, and behind nginx configured as
docs/deploy/nginx.conf (the compose recipe's proxy) each browser stays on one replica, and
Streamlit's metrics stay private."""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from conftest import ARTIFACTS, ROOT, Watched, map_window, share_link, wait_for_markers, wait_for_page_at_rest

from strategic_sites.view.filters import apply
from strategic_sites.view.urlstate import Known, parse

sys.path.insert(0, str(ROOT / "scripts"))
from replicas import NGINX, Nginx  # noqa: E402 - scripts/replicas.py: the proxy of docs/deploy/nginx.conf, on local replicas
QUERY = "country=KGZ&country=TJK&asof=2013-06-01&from=2005&to=2015"
POINTS = b"name,lat,lon\nBishkek,42.87,74.59\nDushanbe,38.56,68.77\n"


@pytest.fixture(scope="module")
def expected(atlas) -> list[str]:
    filters, warnings = parse(parse_qs(QUERY), Known.of(atlas))
    assert not warnings
    return sorted(apply(atlas, filters).sites["id"])


def view_of(page, base: str, sites: int) -> dict:
    """What a reader sees of the view: the sites on the map, the counts, the tabs, the sites
    table as downloaded, and the share link (less the host it was reached at)."""
    wait_for_markers(page, sites)
    wait_for_page_at_rest(page)
    with page.expect_download(timeout=60_000) as started:
        page.get_by_role("button", name="Download CSV").first.click()
    return {
        "sites": map_window(page).evaluate("() => [...document.querySelectorAll('.ssa-site')].map(e => e.dataset.site).sort()"),
        "metrics": page.locator('[data-testid="stMetric"]').all_inner_texts(),
        "tabs": page.get_by_role("tab").all_inner_texts(),
        "sites table": Path(started.value.path()).read_bytes(),
        "share": share_link(page).removeprefix(base),
    }


def test_two_replicas_serve_the_same_link_identically(server, start_server, open_page, expected, atlas):
    """Two app processes (sharing the generated folder, as a shared volume would) on two ports."""
    seen = []
    for replica in (server, start_server()):
        watched = open_page(f"{replica.url}/?{QUERY}")
        seen.append(view_of(watched.page, replica.url, len(expected)))
        assert not watched.errors, watched.errors
    assert seen[0]["sites"] == expected
    assert seen[0]["share"] == f"/?{QUERY}&data={atlas.data_version.code}"
    assert seen[0] == seen[1]


@pytest.fixture(scope="module")
def proxy(server, start_server, tmp_path_factory):
    assert Path(NGINX).exists(), f"{NGINX} is missing: `make test` installs Debian's nginx-light"
    replicas = [server, start_server()]
    nginx = Nginx(tmp_path_factory.mktemp("nginx"), [r.port for r in replicas], tell_replica=True, log=ARTIFACTS / "nginx-replicas.log")
    yield nginx
    nginx.stop()


def test_behind_nginx_each_browser_stays_on_one_replica_and_both_serve_a_link_alike(proxy, browser, expected, atlas):
    """A first visit (no cookie) and visits with other replica cookies, until both replicas have
    served the link: every HTTP answer to a browser comes from one replica, an upload (which
    must reach the process holding the session) works, and both replicas show the same view."""
    seen: dict[str, dict] = {}
    for cookie in (None, "a", "b", "c", "d", "e", "f", "g"):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            if cookie:
                context.add_cookies([{"name": "atlas_replica", "value": cookie, "url": proxy.url}])
            watched = Watched(context)
            page, replicas = watched.page, set()
            page.on("response", lambda r: replicas.add(r.headers.get("x-replica")) if r.url.startswith(proxy.url) else None)
            page.goto(f"{proxy.url}/?{QUERY}", wait_until="domcontentloaded")
            view = view_of(page, proxy.url, len(expected))
            page.locator(".st-key-points-upload input[type=file]").set_input_files(
                {"name": "mine.csv", "mimeType": "text/csv", "buffer": POINTS}
            )
            page.get_by_role("tab", name="Your points (2)").wait_for(timeout=60_000)
            assert len(replicas) == 1 and None not in replicas, replicas  # one replica, every answer
            assert not watched.failed_local and not watched.errors, (watched.failed_local, watched.errors)
            seen.setdefault(replicas.pop(), view)
        finally:
            context.close()
        if len(seen) == 2:
            break
    assert len(seen) == 2, f"every browser reached the same replica: {list(seen)}"
    first, second = seen.values()
    assert first["sites"] == expected
    assert first["share"] == f"/?{QUERY}&data={atlas.data_version.code}"
    assert first == second


def status(url: str) -> int:
    """The HTTP status a GET of ``url`` answers (redirects followed)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_behind_nginx_streamlits_metrics_are_not_found_and_the_health_check_answers(proxy, server):
    """A replica answers /_stcore/metrics to anyone (what the proxy must hide); through nginx, with
    docs/deploy/nginx.conf, no spelling of the path reaches it, and the health check still does."""
    assert status(f"{server.url}/_stcore/metrics") == 200
    spellings = ("/_stcore/metrics", "/_stcore/metrics/", "/_stcore//metrics", "/_stcore/%6detrics", "/_stcore/metrics?families=x")
    for path in spellings:
        assert status(proxy.url + path) == 404, path
    assert status(f"{proxy.url}/_stcore/health") == 200
