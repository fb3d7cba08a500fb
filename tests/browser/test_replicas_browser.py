"""More than one app process: replicas serve a link alike, and behind nginx configured as
docs/deploy/nginx.conf (the compose recipe's proxy) each browser stays on one replica, and
Streamlit's metrics stay private."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from conftest import ARTIFACTS, ROOT, Watched, free_port, map_window, share_link, wait_for_markers, wait_for_page_at_rest

from strategic_sites.view.filters import apply
from strategic_sites.view.urlstate import Known, parse

NGINX = "/usr/sbin/nginx"  # Debian's nginx-light; `make test` installs it when missing
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


class Nginx:
    """nginx with the site file of docs/deploy/nginx.conf, its upstream pointed at local replicas."""

    def __init__(self, folder: Path, replicas: list):
        site = (ROOT / "docs" / "deploy" / "nginx.conf").read_text(encoding="utf-8")
        for line in ("server atlas:8501;", "listen 80;", "proxy_pass http://atlas;"):
            assert line in site, f"docs/deploy/nginx.conf no longer has {line!r}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        site = site.replace("server atlas:8501;", " ".join(f"server 127.0.0.1:{r.port};" for r in replicas))
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        # Which replica answered, for the test to read: not part of the recipe.
        site = site.replace("proxy_pass http://atlas;", "proxy_pass http://atlas;\n        add_header X-Replica $upstream_addr always;")
        (folder / "site.conf").write_text(site, encoding="utf-8")
        temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        main = (f"{'user root;' if os.geteuid() == 0 else ''} pid {folder / 'nginx.pid'}; error_log {folder / 'error.log'};\n"
                f"events {{}}\nhttp {{ access_log {folder / 'access.log'}; {temp} include {folder / 'site.conf'}; }}\n")  # fmt: skip
        (folder / "nginx.conf").write_text(main, encoding="utf-8")
        self.log = open(ARTIFACTS / f"nginx-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                                        stdout=self.log, stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (folder / "error.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError("nginx did not listen")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)
        self.log.close()


@pytest.fixture(scope="module")
def proxy(server, start_server, tmp_path_factory):
    assert Path(NGINX).exists(), f"{NGINX} is missing: `make test` installs Debian's nginx-light"
    replicas = [server, start_server()]
    nginx = Nginx(tmp_path_factory.mktemp("nginx"), replicas)
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
