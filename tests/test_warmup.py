"""The server's warm-up (serve.py): the first visitor after a deploy finds the atlas loaded, the
map's data files written and the default map worked out; a broken data folder or a failing
warm-up never stops the server."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from datafiles import edit_feature, feature_index
from strategic_sites.map import layers, published
from strategic_sites import load_atlas
from strategic_sites.data import atlas as atlas_module
from strategic_sites.ui import DATA_ENV, loading, warmup
from test_app import unescaped

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def fresh_data(mini_folder, monkeypatch):
    """A data folder no server has seen: its files, and so its map's data files, are new."""
    index = feature_index(mini_folder, "sites.geojson", id="kant")
    edit_feature(mini_folder, "sites.geojson", index, summary=f"A summary of this test's own ({uuid.uuid4().hex}).")
    monkeypatch.setenv(DATA_ENV, str(mini_folder))
    key = load_atlas(mini_folder).key  # not through the app's cache, which the tests observe
    yield mini_folder
    for path in published.FOLDER.glob(f"*{key}*"):
        path.unlink(missing_ok=True)


def test_the_warm_up_writes_the_maps_data_files_before_any_visit(fresh_data):
    said = warmup.warm_up()
    data = loading.load()
    assert said.startswith("warmed up in") and f"{len(data.sites)} sites, {len(data.events)} events" in said
    written = sorted(path.name.split("-")[0] for path in published.FOLDER.glob(f"*{data.key}*.json"))
    assert written == ["event", "events", "sites"]  # the event texts, the event bundle, the sites' popups


def test_the_first_visitor_finds_the_atlas_loaded_and_the_default_map_worked_out(fresh_data, monkeypatch):
    warmup.warm_up()
    work = []

    def counted(name, function):
        def call(*args, **kwargs):
            work.append(name)
            return function(*args, **kwargs)

        return call

    monkeypatch.setattr(atlas_module, "load_atlas", counted("load", atlas_module.load_atlas))
    monkeypatch.setattr(layers, "compose", counted("compose", layers.compose))
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()  # a visitor's first run: the default view's map
    assert not app.exception, app.exception
    assert len(app.get("component_instance")) == 1  # the map, drawn
    assert work == []  # neither loaded nor composed: both were ready
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["country"] = "KGZ"
    app.run()  # another view is worked out when first asked for
    assert work == ["compose"]


def test_a_broken_data_folder_is_reported_and_the_server_still_starts(fresh_data):
    (fresh_data / "sites.geojson").write_text("{ not json", encoding="utf-8")
    said = warmup.warm_up()
    assert said.startswith("the data did not load (") and "every visitor is shown why" in said
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    assert "sites.geojson" in unescaped(app.error[0].value)  # the visitor is told what is wrong, and where


def test_a_failing_warm_up_is_logged_and_never_raised(monkeypatch, caplog):
    def broken():
        raise RuntimeError("a bug in the warm-up")

    monkeypatch.setattr(warmup, "warm_up", broken)
    warmup.LOG.propagate = True  # Streamlit's loggers keep to their own handler; caplog listens at the root
    try:
        with caplog.at_level(logging.ERROR):
            warmup.warm_up_logged()
    finally:
        warmup.LOG.propagate = False
    assert "the warm-up failed; the first visit will do its work" in caplog.text
    assert "a bug in the warm-up" in caplog.text


def test_the_warm_up_imports_what_the_page_imports_only_when_drawn(fresh_data):
    """The first visitor's filters and tables follow the map sooner: the code of the downloads
    they draw (matplotlib's, about a second) is imported before any visit."""
    check = "from strategic_sites.ui import warmup; warmup.warm_up(); import sys; print(all(m in sys.modules for m in warmup.DRAWN_LATER))"
    before = "from strategic_sites.ui import warmup; import sys; print(any(m in sys.modules for m in warmup.DRAWN_LATER))"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    run = lambda code: subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True).stdout.split()[-1]  # noqa: E731
    assert run(before) == "False"  # the app alone does not import them up front
    assert run(check) == "True"


def test_the_pages_and_the_data_api_read_one_atlas_loaded_once(fresh_data, monkeypatch):
    """One copy of the atlas in the server's memory, loaded once, for the pages and the API."""
    from strategic_sites.api.service import SOURCE

    loads = []
    monkeypatch.setattr(atlas_module, "load_atlas", lambda folder, load=atlas_module.load_atlas: loads.append(folder) or load(folder))
    warmup.warm_up()
    assert SOURCE.get().atlas is loading.load()
    assert len(loads) <= 1  # none when an earlier test of this folder's version loaded it already
