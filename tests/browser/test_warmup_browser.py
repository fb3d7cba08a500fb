"""The server as deployed (`streamlit run serve.py`): warmed up before it answers, so the first
visitor after a deploy finds the map's data written; and `streamlit run app.py` alone still
serves the same map."""

from __future__ import annotations

import shutil
import uuid

from conftest import ARTIFACTS, wait_for_layer_drawn, wait_for_markers, wait_for_page_at_rest

from datafiles import edit_feature, feature_index
from strategic_sites import load_atlas
from strategic_sites.map import published
from strategic_sites.view.filters import Filters, apply
from strategic_sites.ui import DATA_ENV


def test_the_first_visitor_after_a_deploy_finds_the_maps_data_written(start_server, open_page, atlas, tmp_path_factory):
    folder = tmp_path_factory.mktemp("deploy") / "geodata"
    shutil.copytree(atlas.folder, folder)
    index = feature_index(folder, "sites.geojson", id="kant")
    edit_feature(folder, "sites.geojson", index, summary=f"A new version of the data ({uuid.uuid4().hex}).")
    data = load_atlas(folder)  # new data: no server has written its map's files
    try:
        server = start_server(env={DATA_ENV: str(folder)})
        # The server answers only once warmed up: the files are there before anyone asks.
        written = sorted(path.name.split("-")[0] for path in published.FOLDER.glob(f"*{data.key}*.json"))
        assert written == ["event", "events", "sites"], written
        assert "warmed up in" in server.log_text()
        watched = open_page(server.url + "/")
        wait_for_markers(watched.page, len(data.sites))
        wait_for_layer_drawn(watched.page, "events", len(apply(data, Filters()).events))
        wait_for_page_at_rest(watched.page)
        watched.page.screenshot(path=str(ARTIFACTS / "warmed-up-first-visit.png"))
        fetched = [url for url in watched.requested if "/generated/" in url]
        assert fetched, "the map fetched its data files"
        assert not watched.failed_local, watched.failed_local  # every file there at the first asking
        assert not watched.errors, watched.errors
    finally:
        for path in published.FOLDER.glob(f"*{data.key}*"):
            path.unlink(missing_ok=True)


def test_app_py_alone_serves_the_same_map(start_server, open_page, atlas):
    server = start_server(script="app.py")
    assert "warmed up in" not in server.log_text()
    watched = open_page(server.url + "/")
    wait_for_markers(watched.page, len(atlas.sites))
    wait_for_layer_drawn(watched.page, "events", len(apply(atlas, Filters()).events))
    assert not watched.errors, watched.errors
