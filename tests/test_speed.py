"""What makes the map fast (src/strategic_sites/ui/speed.py), as a user's reruns meet it: a rerun
that changes nothing does no work at any cache level and re-sends the map's arguments as they
were; a filter change does the view's work and its overlays' alone, on the kept base map, and
gives the map its head start; and the module's account of each mechanism names code that exists."""

from __future__ import annotations

import importlib
import re
import uuid
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from strategic_sites.map import layers, mapdata
from strategic_sites.data import atlas as atlas_module
from strategic_sites.ui import folium_bridge, loading, map_widget, speed

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


@pytest.fixture
def work(monkeypatch):
    """Each kind of work a rerun may do, counted: (module, function) → calls."""
    counted: dict[str, int] = {}

    def count(module, name):
        function = getattr(module, name)

        def call(*args, **kwargs):
            counted[name] = counted.get(name, 0) + 1
            return function(*args, **kwargs)

        monkeypatch.setattr(module, name, call)

    for module, name in (
        (atlas_module, "load_atlas"),  # the atlas (data/source.SHARED calls it)
        (loading, "apply"),  # the view
        (mapdata, "view_data"),  # the view's layer data
        (layers, "base_map"),  # the kept base map
        (folium_bridge, "base_args"),  # its page and script
        (layers, "compose"),  # the view's overlays...
        (folium_bridge, "overlay_args"),  # ...rendered into the map's arguments
    ):
        count(module, name)
    return counted


def test_a_rerun_redoes_no_work_and_a_filter_change_only_the_views(monkeypatch, work):
    sent, pauses = [], []
    draw = folium_bridge.draw
    monkeypatch.setattr(folium_bridge, "draw", lambda args, center=None: sent.append(args) or draw(args, center))
    monkeypatch.setattr(map_widget, "_pause", pauses.append)
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()  # the first paint
    app.run()  # the rest
    assert not app.exception, app.exception
    work.clear()

    app.run()  # nothing changed
    assert work == {}
    assert sent[-1] is sent[-2]  # the same arguments, re-sent from the cache
    assert pauses == []

    app.text_input(key="f_q").set_value(f"nothing-called-{uuid.uuid4().hex}").run()  # a view no session has had
    assert not app.exception, app.exception
    assert work == {"apply": 1, "view_data": 1, "compose": 1, "overlay_args": 1}  # no atlas, no base map
    assert sent[-1] is not sent[-2] and sent[-1]["script"] == sent[-2]["script"]  # new overlays, on the same base
    assert pauses == [speed.HEAD_START_S]

    work.clear()
    app.run()
    assert work == {} and sent[-1] is sent[-2] and pauses == [speed.HEAD_START_S]


# --- the account --------------------------------------------------------------------------------------


def test_every_place_the_account_names_exists():
    """The module's docstring says where each mechanism is: a moved file, a renamed function or
    level fails here."""
    text = speed.__doc__
    package = ROOT / "src" / "strategic_sites"
    files = re.findall(r"``([\w/]+\.py)``", text)
    assert {"app.py", "serve.py", "app_pages/map.py", "tests/browser/conftest.py"} <= set(files)
    for file in files:
        assert (ROOT / file).is_file() or (package / file).is_file(), f"no file {file}"
    places = re.findall(r"``(core|data|view|map|outputs|ui)/(\w+)(?:\.(\w+))?``", text)
    assert len(places) >= 12
    for subpackage, module, name in places:
        if name == "py":
            continue
        found = importlib.import_module(f"strategic_sites.{subpackage}.{module}")
        assert not name or hasattr(found, name), f"{subpackage}/{module}.py has no {name}"
    for name in re.findall(r":(?:data|func):`(\w+)`", text):
        assert hasattr(speed, name), f"ui/speed.py has no {name}"
    for level in ("LANGUAGE", "VIEW", "MAP_FILES", "VIEW_LAYERS", "KEPT_BASE", "MAP_ARGS"):
        assert f":data:`{level}`" in text, f"the cache level {level} is not accounted for"


def test_the_sections_the_account_cites_are_in_the_bench_results():
    results = (ROOT / "bench" / "results.md").read_text(encoding="utf-8")
    for heading in ("## The map in the browser", "Details: what the times and bytes above are made of", "## Targets (the dashboard)", "## In-process (shipped data)"):
        assert heading in results, heading
