"""The contract with streamlit-folium's private surface (src/strategic_sites/ui/folium_bridge.py),
held against the installed streamlit-folium, pinned in requirements.txt: every private name the
bridge calls exists and takes the arguments it gives; for small folium maps, what the bridge
builds is, key for key, what ``st_folium`` itself sends the component; the base map comes out of
a view as it went in; and the component registers with a server as Streamlit serves it. An
upgrade of streamlit-folium (or of Streamlit's component registry) that breaks the map fails
here first, saying what changed."""

from __future__ import annotations

import ast
import inspect
import json
import re
from importlib.metadata import version
from pathlib import Path

import branca.colormap
import folium
import folium.plugins
import pytest
import streamlit_folium as sf

from strategic_sites.ui import folium_bridge

ROOT = Path(__file__).resolve().parents[1]
NAMES = re.compile(r"[0-9a-f]{32}")  # folium's random element ids
RETURNED = ("last_active_drawing", "last_object_clicked", "last_object_clicked_count", "selected_layers")


def installed() -> str:
    pinned = re.search(r"^streamlit-folium==(\S+)$", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.M)
    return f"streamlit-folium {version('streamlit-folium')} (requirements.txt pins {pinned.group(1) if pinned else 'nothing'})"


def normalised(args: dict) -> str:
    return NAMES.sub("ID", json.dumps(args, sort_keys=True, default=str))


# --- the names -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(folium_bridge.CALLS))
def test_every_name_the_bridge_calls_exists_and_takes_its_arguments(name):
    function = getattr(sf, name, None)
    assert callable(function), f"{installed()} has no {name}(), which ui/folium_bridge.py calls"
    positional, keywords = folium_bridge.CALLS[name]
    signature = inspect.signature(function)
    try:
        signature.bind(*range(positional), **dict.fromkeys(keywords))
    except TypeError as exc:
        shown = ", ".join(["·"] * positional + [f"{k}=·" for k in keywords])
        pytest.fail(f"{installed()}: {name}{signature} no longer takes ({shown}), as ui/folium_bridge.py calls it: {exc}")


def test_the_bridge_is_the_only_code_that_reaches_past_st_folium():
    """Every private call of streamlit-folium, and Streamlit's component registry, go through the
    bridge, and the bridge declares each name it calls (so the test above checks it)."""
    undocumented = {name for name in folium_bridge.CALLS if not name.startswith("_")}
    reached: dict[str, set[str]] = {}
    sources = [*(ROOT / "src").rglob("*.py"), ROOT / "app.py", ROOT / "serve.py", *(ROOT / "app_pages").glob("*.py")]
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names if a.name == "streamlit_folium"}
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                names.add(node.attr)
            elif isinstance(node, ast.ImportFrom) and node.module == "streamlit_folium":
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and "component_registry" in node.module:
                names.add(node.module)
        names = {n for n in names if n.startswith("_") or n in undocumented or "component_registry" in n}
        if names:
            reached[str(path.relative_to(ROOT))] = names
    bridge = "src/strategic_sites/ui/folium_bridge.py"
    assert set(reached) == {bridge}, f"only ui/folium_bridge.py may reach past st_folium: {reached}"
    called = {n for n in reached[bridge] if "component_registry" not in n}
    assert called == set(folium_bridge.CALLS) | {"_component_func"}, "declare each name the bridge calls in CALLS"


def test_the_component_is_streamlit_folium_s_own_and_takes_the_bridges_arguments():
    from streamlit.components.v1.custom_component import CustomComponent

    component = getattr(sf, "_component_func", None)
    assert isinstance(component, CustomComponent), f"{installed()} has no _component_func component"
    assert component.name == folium_bridge.COMPONENT  # the iframe's title, which tests and baselines find the map by
    assert (Path(component.abspath) / "index.html").is_file(), f"{installed()}: its front end is not at {component.abspath}"


# --- the arguments -----------------------------------------------------------------------------------


def plain_map():
    """A map with a marker on it, an overlay of a circle, a GeoJSON square and a tooltip, and a
    layer control."""
    fmap = folium.Map(location=[42.0, 74.0], zoom_start=5, tiles=None)
    folium.Marker([42.8, 74.6], tooltip="Kant", popup=folium.Popup("<b>Kant</b> air base")).add_to(fmap)
    group = folium.FeatureGroup(name="Sites")
    folium.CircleMarker([39.0, 68.8], radius=6, color="#b2182b", tooltip="Ayni").add_to(group)
    square = {"type": "Polygon", "coordinates": [[[63, 45], [64, 45], [64, 46], [63, 46], [63, 45]]]}
    folium.GeoJson({"type": "Feature", "properties": {"name": "Baikonur"}, "geometry": square}, name="Lease").add_to(group)
    return fmap, [group], folium.LayerControl(collapsed=True)


def plugins_map():
    """Plugins with scripts and styles of their own, on the map and in two overlays (their links
    come from the overlays), and a branca colour map (st_folium adds d3 for it)."""
    fmap = folium.Map(location=[45.0, 65.0], zoom_start=4)
    folium.plugins.MiniMap().add_to(fmap)
    folium.plugins.Fullscreen().add_to(fmap)
    branca.colormap.LinearColormap(["#fee8c8", "#e34a33"], vmin=0, vmax=50, caption="Years left").add_to(fmap)
    events = folium.FeatureGroup(name="Events")
    cluster = folium.plugins.MarkerCluster().add_to(events)
    for lat, lon in ((45.6, 63.3), (45.9, 63.4), (46.1, 73.6)):
        folium.Marker([lat, lon]).add_to(cluster)
    heat = folium.FeatureGroup(name="Heat", show=False)
    folium.plugins.HeatMap([[45.6, 63.3, 1.0], [46.1, 73.6, 0.5]]).add_to(heat)
    return fmap, [events, heat], folium.LayerControl()


MAPS = {"plain": plain_map, "plugins": plugins_map}


def st_folium_sends(build, **options) -> dict:
    """What ``st_folium`` sends the component for the map ``build`` makes."""
    sent = {}
    fmap, groups, control = build()
    original = sf._component_func
    sf._component_func = lambda **kwargs: sent.update(kwargs)
    try:
        sf.st_folium(fmap, feature_group_to_add=groups, layer_control=control, **options)
    finally:
        sf._component_func = original
    return sent


@pytest.mark.parametrize("build", MAPS.values(), ids=MAPS.keys())
def test_the_bridge_builds_what_st_folium_sends(build):
    options = {"key": "atlas-map", "height": 620, "width": "stretch", "returned_objects": list(RETURNED)}
    sent = st_folium_sends(build, **options)
    assert sent, f"{installed()}: st_folium sent nothing through _component_func"
    fmap, groups, control = build()
    ours = folium_bridge.folium_args(fmap, groups, control, height=620, width="stretch", returned=RETURNED, key="atlas-map")
    theirs = {name: value for name, value in sent.items() if name not in ("center", "on_change")}
    assert sorted(ours) == sorted(theirs), f"{installed()} sends other arguments: {sorted(set(ours) ^ set(theirs))}"
    for name in theirs:  # one by one, so that a failure names the argument
        assert normalised({name: ours[name]}) == normalised({name: theirs[name]}), f"{installed()}: {name!r} differs"


def test_drawing_sends_the_component_exactly_what_st_folium_would(monkeypatch):
    sent = st_folium_sends(plain_map, key="atlas-map", returned_objects=list(RETURNED), center=(42.8, 74.6))
    fmap, groups, control = plain_map()
    args = folium_bridge.folium_args(fmap, groups, control, height=700, width=500, returned=RETURNED, key="atlas-map")
    drawn = {}
    monkeypatch.setattr(sf, "_component_func", lambda **kwargs: drawn.update(kwargs) or {"last_object_clicked": None})
    assert folium_bridge.draw(args, center=(42.8, 74.6)) == {"last_object_clicked": None}
    assert sorted(drawn) == sorted(sent)
    assert drawn["center"] == sent["center"] == (42.8, 74.6) and drawn["on_change"] is None
    monkeypatch.setattr(sf, "_component_func", lambda **kwargs: None)  # before the map reports anything
    assert folium_bridge.draw(args) == {}


def test_a_base_map_comes_out_of_each_view_as_it_went_in_and_serves_the_next():
    """The kept base map (ui/speed.py): the overlays the helpers add to it are taken off again, so
    each view drawn on one base gets the arguments of its own whole map."""
    base, _, _ = plain_map()
    base_args = folium_bridge.base_args(base, height=620, width="stretch", returned=RETURNED, key="atlas-map")
    root = base.get_root()
    before = [list(element._children) for element in (base, root.header, root.html, root.script)]
    for build in (plugins_map, plain_map):
        _, groups, control = build()
        on_base = {**base_args, **folium_bridge.overlay_args(base, groups, control)}
        assert [list(element._children) for element in (base, root.header, root.html, root.script)] == before
        whole_map, _, _ = plain_map()  # the same base, built afresh, with this view's overlays
        _, groups, control = build()
        whole = folium_bridge.folium_args(whole_map, groups, control, height=620, width="stretch", returned=RETURNED, key="atlas-map")
        assert normalised(on_base) == normalised(whole)


def test_what_st_folium_starts_from_the_map_is_not_asked_for():
    fmap, _, _ = plain_map()
    with pytest.raises(ValueError, match="bounds"):
        folium_bridge.base_args(fmap, height=620, width=None, returned=("bounds", "last_object_clicked"), key="k")


# --- the server ------------------------------------------------------------------------------------


def test_the_component_registers_with_a_server_which_then_serves_its_files():
    """serve.py registers the component before any script run (its warm-up imports
    streamlit-folium, which then declares it outside a run, unregistered)."""
    from streamlit.components.lib.local_component_registry import LocalComponentRegistry
    from streamlit.components.v1.component_registry import ComponentRegistry

    assert callable(getattr(ComponentRegistry, "instance", None)), "Streamlit's ComponentRegistry.instance() is gone"
    registry = LocalComponentRegistry()
    folium_bridge.register_component(registry)
    served = registry.get_component_path(folium_bridge.COMPONENT)
    assert served is not None and (Path(served) / "index.html").is_file()
