"""The map's Leaflet elements: small folium classes whose scripts are one call into
``static/atlas/atlas-map.js``, where the drawing is done. No long templates live here.

Every JSON value put in a script goes through :func:`script_json`, so no ``</script>`` or
markup in the data can break out of it.
"""

from __future__ import annotations

import json

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from strategic_sites.map import assets

SUPERCLUSTER = "https://cdn.jsdelivr.net/npm/supercluster@9.1.0/dist/supercluster.min.js"


class ScriptJSON(str):
    """A value already written by :func:`script_json`: put in a script as it is. A large value
    kept for many maps (a user's 100,000 points) is held once as this text, not as the millions
    of Python objects it was made of, and not written again for each map."""


def script_json(value, ascii: bool = False) -> str:
    """``value`` as a JavaScript literal that is safe inside an HTML <script>: compact JSON
    with <, >, &, ' and the JS line separators escaped (``ascii``: every character past ASCII
    too, so that a large text kept in memory takes a byte a character, not two or four). A
    :class:`ScriptJSON`, alone or as a value of a dict, is taken as written."""
    if isinstance(value, ScriptJSON):
        return str(value)
    if isinstance(value, dict) and any(isinstance(item, ScriptJSON) for item in value.values()):
        return "{" + ",".join(f"{script_json(str(key))}:{script_json(item)}" for key, item in value.items()) + "}"
    text = json.dumps(value, ensure_ascii=ascii, separators=(",", ":"), allow_nan=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


class AtlasScript(JSCSSMixin, MacroElement):
    """Loads the atlas's own script and style sheet (and supercluster) into the map's page,
    and names the data sources the layers draw from."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        SSA.source({{ this.refs }});
        {% endmacro %}
        """
    )
    default_js = [("supercluster", SUPERCLUSTER), ("atlas_map_js", assets.OWN + "atlas-map.js")]
    default_css = [("atlas_map_css", assets.OWN + "atlas-map.css")]

    def __init__(self, refs: dict):
        super().__init__()
        self._name = "AtlasScript"
        self.refs = script_json(refs)


class Call(MacroElement):
    """``SSA.<method>(<parent>, <data>)``: one call into atlas-map.js for its parent."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        SSA.{{ this.method }}({{ this._parent.get_name() }}{% if this.data %}, {{ this.data }}{% endif %});
        {% endmacro %}
        """
    )

    def __init__(self, method: str, data=None):
        super().__init__()
        self._name = f"Ssa{method.title()}"
        self.method = method
        self.data = script_json(data) if data is not None else ""


class Legend(Call):
    """A Leaflet control holding escaped HTML: the legend (built from the vocabularies), or
    another box of text in the same style (``css_class``, ``position``)."""

    def __init__(self, html: str, position: str = "bottomright", css_class: str = "ssa-legend"):
        super().__init__("legend", {"html": html, "position": position, "className": css_class})


class MiniMap(JSCSSMixin, MacroElement):
    """leaflet-minimap over the Natural Earth outlines, so it works without tiles."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        SSA.minimap({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )
    default_js = [("Control_MiniMap_js", "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.js")]
    default_css = [("Control_MiniMap_css", "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.css")]

    def __init__(self):
        super().__init__()
        self._name = "MiniMap"


class HiddenOverlays(MacroElement):
    """Switches off, once the layer control exists, the overlays a view starts without
    (streamlit-folium adds every overlay to the map). A child of the layer control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        SSA.hideOverlays({{ this._parent.get_name() }}_layers.overlays, {{ this.names }});
        {% endmacro %}
        """
    )

    def __init__(self, names: list[str]):
        super().__init__()
        self._name = "HiddenOverlays"
        self.names = script_json(names)


def layer_control(hidden: list[str], **options) -> folium.LayerControl:
    """folium's layer control, with the overlays named in ``hidden`` off at start."""
    control = folium.LayerControl(**options)
    if hidden:
        HiddenOverlays(hidden).add_to(control)
    return control
