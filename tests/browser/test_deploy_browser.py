"""Deployments, run for real: the Dockerfile's own command, and the app behind a proxy path."""

from __future__ import annotations

from datetime import date

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ARTIFACTS, ROOT, Server, free_port, map_frame, share_link, wait_for_map_at_rest, wait_for_markers, wait_for_page_at_rest

from datafiles import dockerfile_instructions, edit_feature, feature_index


def dockerfile() -> list[tuple[str, str]]:
    return dockerfile_instructions(ROOT / "Dockerfile")


class DockerfileRun(Server):
    """The Dockerfile's CMD run as-is in a copy of exactly the files it COPYs (WORKDIR)."""

    def __init__(self, workdir: Path, port: int, extra_env: dict[str, str] | None = None):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        for word, args in dockerfile():
            if word == "ENV":
                for pair in shlex.split(args):
                    name, _, value = pair.partition("=")
                    env[name] = value
        env["PORT"] = str(port)
        env.update(extra_env or {})
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # the image's python
        command = json.loads(next(args for word, args in reversed(dockerfile()) if word == "CMD"))
        self.health = json.loads(next(args for word, args in dockerfile() if word == "HEALTHCHECK").split(" CMD ", 1)[1])
        self.env = env
        self.log = open(ARTIFACTS / f"docker-cmd-{port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(command, cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT)


@pytest.fixture
def image_copy(tmp_path) -> Path:
    """The files the Dockerfile copies into WORKDIR, and nothing else."""
    workdir = tmp_path / "app"
    workdir.mkdir()
    for word, args in dockerfile():
        if word == "COPY":
            source, target = shlex.split(args)
            source_path, target_path = ROOT / source, workdir / target
            if source_path.is_dir():
                shutil.copytree(source_path, target_path, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(source_path, target_path / source if target.endswith("/") or target == "./" else target_path)
    return workdir


@pytest.mark.parametrize("base", ["", "atlas"])
def test_the_dockerfile_command_serves_the_health_check_and_the_map(image_copy, open_page, atlas, base):
    # Mark the copied data, so the page proves it runs the copy's code and data, not the checkout's.
    index = feature_index(image_copy / "geodata", "sites.geojson", id="kant")
    edit_feature(image_copy / "geodata", "sites.geojson", index, name="Kant Air Base (image copy)")
    run = DockerfileRun(image_copy, free_port(), {"STREAMLIT_SERVER_BASE_URL_PATH": base} if base else None)
    prefix = f"/{base}" if base else ""
    try:
        run.wait(f"{prefix}/_stcore/health")
        healthcheck = subprocess.run(run.health, env=run.env, cwd=image_copy, timeout=30)
        assert healthcheck.returncode == 0  # the image's HEALTHCHECK passes
        watched = open_page(f"{run.url}{prefix}/?country=KGZ")
        wait_for_markers(watched.page, int((atlas.sites["country"] == "KGZ").sum()))
        wait_for_map_at_rest(watched.page)  # the first view's zoom is animated: hover the marker where it stays
        marker = map_frame(watched.page).locator('[data-site="kant"]')
        marker.hover()
        map_frame(watched.page).get_by_text("Kant Air Base (image copy)").first.wait_for(timeout=30_000)
        assert not watched.failed_local, watched.failed_local
        assert not watched.errors, watched.errors
    finally:
        run.stop()
    bad = subprocess.run(run.health, env=run.env, cwd=image_copy, timeout=30, capture_output=True)
    assert bad.returncode != 0  # and it fails once the app is down


def test_behind_a_proxy_path_the_map_loads_its_assets_and_links_include_the_path(start_server, open_page, atlas):
    server = start_server(args=("--server.baseUrlPath", "atlas"), base_path="atlas")
    watched = open_page(server.url + "/atlas/?country=KAZ")
    page = watched.page
    wait_for_markers(page, int((atlas.sites["country"] == "KAZ").sum()))
    frame = map_frame(page)
    assert frame.locator(".ssa-legend").is_visible()
    assert frame.locator(".leaflet-control-minimap").count() == 1
    share = share_link(page)
    assert share == f"{server.url}/atlas/?country=KAZ&asof={date.today():%Y-%m-%d}&data={atlas.data_version.code}"
    vendor = [url for url in watched.requested if "/vendor/" in url]
    assert vendor and all("/atlas/app/static/vendor/" in url for url in vendor)
    page.get_by_role("link", name="Timeline").click()
    page.wait_for_url("**/atlas/timeline?country=KAZ", timeout=30_000)
    page.get_by_role("heading", name="Timeline").wait_for(timeout=30_000)
    assert share_link(page, has_text="/timeline?") == f"{server.url}/atlas/timeline?country=KAZ&asof={date.today():%Y-%m-%d}&data={atlas.data_version.code}"
    page.get_by_role("heading", name="Timeline").wait_for()
    page.screenshot(path=str(ARTIFACTS / "proxy-path-timeline.png"))
    assert not watched.failed_local, watched.failed_local
    assert not watched.errors, watched.errors


def test_the_downloaded_map_opens_from_disk_with_no_network(server, browser, open_page, atlas, tmp_path):
    watched = open_page(server.url + "/?country=KAZ&asof=2014-01-01&layers=status,events,countries")
    page = watched.page
    kazakh = set(atlas.sites.loc[atlas.sites["country"] == "KAZ", "id"])
    wait_for_markers(page, len(kazakh))
    # The file is built when clicked, by a callable each run registers anew and drops the old one:
    # a click that races a rerun finds it gone ("Deferred file ... not found", seen under load).
    wait_for_page_at_rest(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download map (HTML)").click()
    assert download.value.suggested_filename == "map_KAZ_asof-2014-01-01_1991-2026.html"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    requests: list[str] = []

    def block(route):
        requests.append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", block)
    offline = context.new_page()
    errors: list[str] = []
    offline.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        offline.goto(saved.as_uri())
        offline.wait_for_function(f"() => document.querySelectorAll('.ssa-site').length === {len(kazakh)}", timeout=30_000)
        found = set(offline.locator(".ssa-site").evaluate_all("els => els.map(e => e.dataset.site)"))
        assert found == kazakh
        assert offline.locator(".ssa-legend").first.is_visible()
        assert "As of 01 January 2014" in offline.locator(".ssa-note").inner_text()
        overlays = offline.locator(".leaflet-control-layers-overlays label")
        assert overlays.filter(has_text="Lease terms").locator("input").is_checked() is False  # as in the view
        offline.locator('[data-site="baikonur"]').click()
        popup = offline.locator(".leaflet-popup-content")
        popup.wait_for(timeout=10_000)
        assert "Baikonur Cosmodrome" in popup.inner_text()
        assert popup.locator("a[href^='http']").count() >= 1  # the sources, as links
        wait_for_map_at_rest(offline, frame=None)  # the popup's pan into view finished, all drawn
        offline.screenshot(path=str(ARTIFACTS / "export-offline.png"))
        assert not errors, errors
        assert all(url.startswith(("file://", "data:")) or "tile" in url or "basemaps" in url for url in requests), requests
    finally:
        context.close()
    assert not watched.errors, watched.errors
