"""The map widget: the arguments the app sends for a view are worked out once and cached, and
they must be exactly what streamlit-folium's ``st_folium`` would send; the map's heavy data
is written once as content-named files, or goes inline where it cannot be written."""

from __future__ import annotations

import json
import re
import threading

import pytest
import streamlit_folium as sf

from strategic_sites.view import language
from strategic_sites.map import layers, mapdata, published
from strategic_sites.view.filters import Filters, apply
from strategic_sites.ui import map_widget

NAMES = re.compile(r"[0-9a-f]{32}")  # folium's random element ids


def normalised(args: dict) -> str:
    return NAMES.sub("ID", json.dumps(args, sort_keys=True, default=str))


@pytest.mark.parametrize("layers_on", [("status", "leases", "events", "countries"), ("status", "countries")])
def test_cached_arguments_equal_what_st_folium_sends(atlas, monkeypatch, tmp_path, layers_on):
    view = apply(atlas, Filters(countries=("KGZ",), layers=layers_on))
    sources = published.map_sources(atlas, folder=tmp_path)
    sent = {}
    monkeypatch.setattr(sf, "_component_func", lambda **kwargs: sent.update(kwargs))
    parts = layers.compose(atlas, view, sources)
    sf.st_folium(
        parts.base,
        key=map_widget.MAP_KEY,
        feature_group_to_add=parts.groups,
        layer_control=parts.control,
        returned_objects=list(map_widget.RETURNED),
        width="stretch",
        height=map_widget.MAP_HEIGHT,
    )
    sent.pop("on_change")
    sent.pop("center")
    ours = map_widget.folium_args(layers.compose(atlas, view, sources), width="stretch")
    assert normalised(ours) == normalised(sent)
    # What a rerun sends for the view: the layers' data, not the bundle of events.
    assert len(sent["feature_group"]) < 30_000
    assert "generated/events-" in sent["script"]


def test_views_share_one_base_map_and_each_gets_the_arguments_of_its_own_whole_map(atlas, monkeypatch, tmp_path):
    """A filter change composes only the view's overlays, on a base map kept per atlas and
    first view; what is sent must equal the whole map of that view, and the kept base must
    come out of each view as it went in (no view's layers left on it for the next)."""
    sources = published.map_sources(atlas, folder=tmp_path)
    monkeypatch.setattr(map_widget, "_map_sources", lambda data: (sources, ""))
    built = []
    base_map = layers.base_map
    monkeypatch.setattr(layers, "base_map", lambda *a, **k: built.append(1) or base_map(*a, **k))
    map_widget._base.clear()
    map_widget._map_args.clear()
    bounds = map_widget._first_frame(apply(atlas, Filters()))
    shapes = None
    for filters in (
        Filters(),
        Filters(countries=("KGZ",)),
        Filters(countries=("KAZ",), layers=("status", "countries")),
        Filters(year_from=2000, year_to=2010, q="Baikonur"),
    ):
        view = apply(atlas, filters)
        sent = map_widget._map_args(atlas, mapdata.data_filters(view), tuple(view.filters.layers), bounds, map_widget.MAP_HEIGHT, view)
        whole = map_widget.folium_args(layers.compose(atlas, view, sources, bounds=[list(b) for b in bounds]), width="stretch")
        assert normalised(sent) == normalised(whole)
        kept = map_widget._base(atlas, bounds, map_widget.MAP_HEIGHT).fmap
        root = kept.get_root()
        now = [list(element._children) for element in (kept, root.header, root.html, root.script)]
        assert shapes is None or now == shapes
        shapes = now
    assert len(built) == 1 + 4  # the kept base once, and each whole map built here to compare
    map_widget._base.clear()
    map_widget._map_args.clear()


def test_data_files_are_written_once_under_names_that_change_with_the_content(atlas, tmp_path):
    first = published.map_sources(atlas, folder=tmp_path, wait=True)
    files = {p.name: (p.stat().st_ino, p.stat().st_ctime_ns) for p in tmp_path.glob("*.json")}
    again = published.map_sources(atlas, folder=tmp_path)
    assert first == again
    assert {p.name: (p.stat().st_ino, p.stat().st_ctime_ns) for p in tmp_path.glob("*.json")} == files  # not rewritten
    bundle = json.loads((tmp_path / first["events"].rsplit("/", 1)[1]).read_text(encoding="utf-8"))
    assert bundle["events"]["n"] == len(atlas.events)
    texts = []
    for url in bundle["events"]["text"]:  # every text chunk the bundle names exists, in order
        texts += json.loads((tmp_path / url.rsplit("/", 1)[1]).read_text(encoding="utf-8"))
    assert [row[0] for row in texts] == list(atlas.events["id"])
    russian = published.map_sources(language.localise(atlas, "ru"), folder=tmp_path, wait=True)
    assert russian["events"] != first["events"] and russian["outlines"] == first["outlines"]
    assert "Байконур" in (tmp_path / russian["sites"].rsplit("/", 1)[1]).read_text(encoding="utf-8")


def test_data_files_are_dated_long_ago_so_browsers_keep_them_and_only_stale_versions_are_pruned(atlas, tmp_path, monkeypatch):
    # Streamlit sends no Cache-Control for app/static/: a browser keeps a file for a tenth of
    # its age by Last-Modified, so a file dated now would be fetched again on every visit.
    sources = published.map_sources(atlas, folder=tmp_path, wait=True)
    published.map_sources(language.localise(atlas, "ru"), folder=tmp_path, wait=True)
    written = sorted(tmp_path.glob("*.json"))
    assert written and all(p.stat().st_mtime == published.LAST_MODIFIED for p in written)
    other = tmp_path / "events-0123456789abcdef-deadbeef.json"  # another data or code version
    other.write_text("{}", encoding="utf-8")
    published.map_sources(atlas, folder=tmp_path)
    assert other.exists()  # written moments ago: kept, though every file is dated 2000
    monkeypatch.setattr(published, "STALE_DAYS", -1)  # every file now counts as old
    published.map_sources(atlas, folder=tmp_path)
    assert not other.exists()
    assert sorted(tmp_path.glob("*.json")) == written  # this data's files, in both languages, stay
    assert all((tmp_path / url.rsplit("/", 1)[1]).exists() for url in sources.values())


def test_files_are_written_in_the_background_and_the_map_does_not_wait(atlas, tmp_path, monkeypatch):
    release = threading.Event()
    writing = published._write
    monkeypatch.setattr(published, "_write", lambda path, payload: (release.wait(10), writing(path, payload)))
    sources = published.map_sources(atlas, folder=tmp_path)  # returns while the writer waits
    assert not list(tmp_path.glob("*.json"))
    release.set()
    published.wait_until_written(atlas, tmp_path)
    assert all((tmp_path / url.rsplit("/", 1)[1]).is_file() for url in sources.values())
    assert len(list(tmp_path.glob("event-text-*.json"))) == -(-len(atlas.events) // mapdata.TEXT_CHUNK)


def test_a_folder_that_cannot_be_written_is_reported(atlas, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(published.NotPublished, match="cannot write the map's data"):
        published.map_sources(atlas, folder=blocked / "generated")


def test_a_read_only_deployment_still_gets_a_map(atlas, monkeypatch):
    """When the files cannot be written, the data goes inline: the map is whole, only bigger."""
    def refuse(*args, **kwargs):
        raise published.NotPublished("cannot write the map's data to generated/ (read-only file system)")

    monkeypatch.setattr(published, "map_sources", refuse)
    sources, problem = map_widget._map_sources.__wrapped__(atlas)  # the function Streamlit caches
    assert "read-only" in problem
    page = layers.compose(atlas, apply(atlas, Filters()), sources).html()
    assert '"n":%d' % len(atlas.events) in page and "generated/" not in page
    assert mapdata.to_json(sources["events"])  # the whole bundle, inline


def test_the_map_moves_to_a_site_selected_elsewhere_once_and_never_undoes_a_pan(atlas, monkeypatch):
    """streamlit-folium moves the map whenever the centre it is given changes: the atlas gives one
    only in the run where a site is newly selected outside the map while the user has moved the
    map (a fitted map shows every site), so a later pan is never pulled back to the site."""
    from dataclasses import replace

    from strategic_sites.ui import state

    session: dict = {}
    monkeypatch.setattr(map_widget.st, "session_state", session)
    moved = Filters(at=(48.0, 60.0, 4.0))
    centre = lambda filters: map_widget._centre(atlas, apply(atlas, filters))  # noqa: E731

    assert centre(replace(moved, site="kant")) is None  # a link's site: its frame shows it
    assert centre(replace(moved, site="baikonur")) is not None  # chosen in a table after a pan: shown once
    assert centre(replace(moved, site="baikonur", at=(47.0, 61.0, 5.0))) is None  # the user pans on: not undone
    session[state.MAP_PICKED] = "osh"
    assert centre(replace(moved, site="osh")) is None  # clicked on the map: in sight, its popup open
    assert centre(replace(Filters(), site="ayni")) is None  # fitted: every site in sight
    first = centre(replace(moved, site="kant"))
    centre(replace(moved, site="baikonur"))
    again = centre(replace(moved, site="kant"))
    assert first is not None and again is not None and first != again  # each move reaches the map
    assert abs(first[0] - again[0]) < 1e-6
