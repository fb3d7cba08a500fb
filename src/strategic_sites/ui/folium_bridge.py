"""streamlit-folium's private surface, in one place: the only module of the atlas that reaches
past ``st_folium`` (and past Streamlit's public API for components).

The map is drawn by streamlit-folium's component, but not through ``st_folium``. That function
renders the whole map into the component's arguments on every call, so on every rerun: the map's
script, and each overlay again (before the map rewrite that was 11.7 s a rerun at 10,000 events,
118 s at 100,000: ``../shared/reference/performance-notes.md``, beside this checkout). Its
``render=False`` skips only folium's page render; the script and the overlays are still worked
out on each call. The atlas
instead works the arguments out once per view, on a base map kept for every view
(:mod:`.speed`), and sends the cached arguments to the component itself. That takes the helpers
``st_folium`` builds its arguments with, and the component function it sends them through, all
private: each call is a function below, named after it, saying what it is used for and why no
public API does it.

``tests/test_folium_bridge.py`` holds this module to the installed streamlit-folium (pinned in
requirements.txt): every name in :data:`CALLS` exists and takes the arguments given here, and
the arguments built here for a map equal, key for key, what ``st_folium`` sends for it. An
upgrade that changes the surface fails that test, naming what changed.
"""

from __future__ import annotations

import branca.colormap
import folium
import folium.elements
import streamlit_folium as sf

# How this module calls each name of streamlit-folium it uses: the number of positional
# arguments, then the keywords (tests/test_folium_bridge.py binds each to the installed
# function's signature). ``st_folium`` itself, the public entry point, is not called.
CALLS: dict[str, tuple[int, tuple[str, ...]]] = {
    "_get_html": (1, ()),
    "_get_header": (1, ()),
    "_get_map_string": (1, ()),
    "_get_feature_group_string": (1, ("map", "idx")),
    "_get_layer_control_string": (2, ()),
    "get_full_id": (1, ()),
    "generate_js_hash": (3, ()),
}
COMPONENT = "streamlit_folium.st_folium"  # the component's name: its iframe's title in the page
# What the map reports that st_folium starts at a value of the map's, not None: not asked for here.
STARTS_FROM_THE_MAP = ("bounds", "zoom")


# --- the map's page and script: once per kept base map ------------------------------------------


def _html(fmap: folium.Map) -> str:
    """``streamlit_folium._get_html``: the map's HTML body without folium's map div (the
    component draws its own, ``map_div``). No public function returns it."""
    return sf._get_html(fmap)


def _header(fmap: folium.Map) -> str:
    """``streamlit_folium._get_header``: the page's head (its styles and inline scripts) with the
    linked scripts and styles taken out (they go as ``js_links`` and ``css_links``) and the map's
    id renamed ``map_div``. No public function returns it."""
    return sf._get_header(fmap)


def _script(fmap: folium.Map) -> str:
    """``streamlit_folium._get_map_string``: the map's Leaflet script with folium's random
    variable names made stable (``map_div``); rewrites the map's ids as it goes, so it is read
    after the HTML and the head, as st_folium does. No public function returns it."""
    return sf._get_map_string(fmap)


def _full_id(fmap: folium.Map) -> str:
    """``streamlit_folium.get_full_id`` (public by name, undocumented): the map's element id, the
    component's ``id`` argument."""
    return sf.get_full_id(fmap)


def _js_hash(script: str, key: str) -> str:
    """``streamlit_folium.generate_js_hash`` (public by name, undocumented): the component's
    ``key``, a hash of the script with folium's random ids left out, so that the same map gets
    the same key (and the browser keeps its frame) across reruns and processes."""
    return sf.generate_js_hash(script, key, False)


# --- the view's overlays: once per view -----------------------------------------------------------


def _group_script(group: folium.FeatureGroup, fmap: folium.Map, idx: int) -> str:
    """``streamlit_folium._get_feature_group_string``: one overlay's script, which the component
    adds to the map it already shows without drawing the map anew (st_folium's
    ``feature_group_to_add``, whose string no public function returns). Adds the group to
    ``fmap`` and renders it: :func:`overlay_args` takes it off again."""
    return sf._get_feature_group_string(group, map=fmap, idx=idx)


def _control_script(control: folium.LayerControl, fmap: folium.Map) -> str:
    """``streamlit_folium._get_layer_control_string``: the layer control's script for the
    overlays (st_folium's ``layer_control``, whose string no public function returns). Adds the
    control to ``fmap``: :func:`overlay_args` takes it off again."""
    return sf._get_layer_control_string(control, fmap)


def _links(fmap: folium.Map) -> tuple[list[str], list[str]]:
    """Every CSS and JS link of the map and its overlays, as st_folium collects them (inline in
    ``st_folium``, in no function of its own): each element's ``default_css`` and ``default_js``,
    depth first, d3 first for a branca colour map, each link once."""
    css: list[str] = []
    js: list[str] = []

    def walk(element):
        if isinstance(element, branca.colormap.ColorMap):
            yield element
        if isinstance(element, folium.elements.JSCSSMixin):
            yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    for element in walk(fmap):
        if isinstance(element, branca.colormap.ColorMap):
            js[:0] = ["https://d3js.org/d3.v4.min.js", "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"]
        css += [href for _, href in getattr(element, "default_css", [])]
        js += [src for _, src in getattr(element, "default_js", [])]
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


# --- the component's arguments ----------------------------------------------------------------------


def base_args(fmap: folium.Map, *, height: int, width, returned: tuple[str, ...], key: str) -> dict:
    """The component's arguments that the base map decides: its page, script, id, key and
    size, the same for every view drawn on it. Renders ``fmap`` as st_folium does.
    ``returned``: what the map reports, of those st_folium starts at None."""
    if set(returned) & set(STARTS_FROM_THE_MAP):
        raise ValueError(f"the map's {STARTS_FROM_THE_MAP} start from the map in st_folium; not supported here")
    fmap.get_root().render()
    fmap.render()
    # In st_folium's order: reading the script changes the map, so the page is read first.
    html, header, script = _html(fmap), _header(fmap), _script(fmap)
    return {
        "script": script,
        "header": header,
        "html": html,
        "id": _full_id(fmap),
        "key": _js_hash(script, key),
        "height": height,
        "width": width,
        "returned_objects": list(returned),
        "default": dict.fromkeys(returned),  # what the map reports before any interaction (None for these)
        "zoom": None,
        "return_on_hover": False,
        "pixelated": False,
        "wrap_longitude": False,
    }


def overlay_args(fmap: folium.Map, groups, control: folium.LayerControl) -> dict:
    """The component's arguments that the view decides: its overlays, their layer control, and
    the links they all need. ``fmap`` comes out as it went in (its children, and those of its
    page's head, body and script, which rendering the overlays adds to), so one base map serves
    every view."""
    root = fmap.get_root()
    kept = [(element, dict(element._children)) for element in (fmap, root.header, root.html, root.script)]
    try:
        # In st_folium's order: the groups and the control join the map before its links are read.
        scripts = "".join(_group_script(group, fmap, idx) for idx, group in enumerate(groups))
        control_script = _control_script(control, fmap)
        css, js = _links(fmap)
    finally:
        for element, children in kept:
            element._children.clear()
            element._children.update(children)
    return {"feature_group": scripts, "layer_control": control_script, "css_links": css, "js_links": js}


def folium_args(fmap: folium.Map, groups, control, *, height: int, width, returned: tuple[str, ...], key: str) -> dict:
    """Every argument ``st_folium(fmap, key=key, height=height, width=width,
    returned_objects=returned, feature_group_to_add=groups, layer_control=control)`` sends the
    component but ``center`` and ``on_change`` (given when the map is drawn: :func:`draw`)."""
    base = base_args(fmap, height=height, width=width, returned=returned, key=key)
    return {**base, **overlay_args(fmap, groups, control)}


# --- the component ----------------------------------------------------------------------------------


def draw(args: dict, center=None) -> dict:
    """Draw the map with ``args`` (from :func:`folium_args`, cached or not) and return what it
    reports (``{}`` before it reports anything).

    ``streamlit_folium._component_func``: streamlit-folium's component, which ``st_folium``
    sends its arguments through; the public ``st_folium`` would work them all out again first.
    (Declaring the component anew from its build folder with Streamlit's public
    ``declare_component`` would give it another name, the iframe's title that the page's tests
    and accessibility baselines find it by, and serve its files twice.) ``on_change`` is None:
    st_folium's own only copies the report under a key the atlas does not use."""
    return sf._component_func(**args, center=center, on_change=None) or {}


def register_component(registry=None) -> None:
    """Register streamlit-folium's component with the server (``registry``: the running
    server's, unless given).

    Streamlit registers a component when it is declared inside a script run; streamlit-folium
    declares it when first imported, and the server's warm-up imports it before any run (a
    module is imported once), so without this its files would not be served (404).
    ``streamlit.components.v1.component_registry.ComponentRegistry.instance()`` (kept by
    Streamlit "for backwards-compatibility") is the running server's registry; Streamlit has no
    public call that registers a component outside a script run."""
    if registry is None:
        from streamlit.components.v1.component_registry import ComponentRegistry

        registry = ComponentRegistry.instance()
    registry.register_component(sf._component_func)
