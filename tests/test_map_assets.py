"""The parts of the vendored map libraries that static/atlas/atlas-map.js relies on beyond their
documented API (its "Leaflet, adjusted" section and the minimap's options): a new pinned copy
that changes them fails here, not in a user's click."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "static"
LEAFLET = (STATIC / "vendor" / "leaflet@1.9.3" / "leaflet.js").read_text(encoding="utf-8")
MINIMAP = (STATIC / "vendor" / "leaflet-minimap@3.6.1" / "Control.MiniMap.min.js").read_text(encoding="utf-8")
ATLAS = (STATIC / "atlas" / "atlas-map.js").read_text(encoding="utf-8")


def test_leaflets_keyboard_handler_focuses_the_map_on_a_press_as_the_atlas_replaces_it():
    """The atlas replaces L.Map.Keyboard's _onMouseDown (which focuses the map's container and
    scrolls only the map's own window back) with a focus that scrolls nothing: the method must
    still exist, be bound on mousedown, and be what focuses the container."""
    handler = re.search(r"_onMouseDown:function\(\)\{[^}]*\}", LEAFLET)
    assert handler and "_container.focus()" in handler.group(0) and "scrollTo" in handler.group(0)
    assert re.search(r"mousedown:this\._onMouseDown", LEAFLET)
    assert "L.Map.Keyboard.prototype._onMouseDown = function" in ATLAS


def test_leaflet_fires_what_the_atlas_listens_to():
    """A popup that pans the map to fit tells it ("autopanstart"): the frame stays fitted. Markers
    with keyboard: true are buttons (role, tabindex) and pan on focus unless told not to."""
    assert 'fire("autopanstart")' in LEAFLET or "fire('autopanstart')" in LEAFLET
    assert 'i.setAttribute("role","button")' in LEAFLET and 'i.tabIndex="0"' in LEAFLET
    assert "autoPanOnFocus:!0" in LEAFLET and "this.options.autoPanOnFocus&&S(i,\"focus\",this._panOnFocus,this)" in LEAFLET


def test_the_minimap_takes_the_options_the_atlas_gives_it():
    """A fixed zoom (so that it never hands a clamped zoom back to the map), no zoom animation,
    and the names of its button."""
    for option in ("zoomLevelFixed", "zoomAnimation", "strings", "hideText", "showText"):
        assert option in MINIMAP, option
    assert "zoomLevelFixed: 1" in ATLAS and "hideText" in ATLAS


def test_the_minimap_hands_its_view_back_through_the_method_the_atlas_guards():
    """The atlas wraps the minimap's _onMiniMapMoved (on the instance, before addTo) so that only
    a move the reader made on the minimap moves the map: the minimap must still bind that method
    when added, and keep the flags and shadow the wrapper reads."""
    assert re.search(r'this\._miniMap\.on\("moveend",this\._onMiniMapMoved,this\)', MINIMAP)
    assert "_onMiniMapMoved:function(e){if(!this._mainMapMoving){this._miniMapMoving=true" in MINIMAP
    assert "this._mainMap.setView(this._miniMap.getCenter()" in MINIMAP and "_shadowRect" in MINIMAP
    assert "else{this._mainMapMoving=false}" in MINIMAP  # a move the map asked for is not handed back
    assert ATLAS.index("userMovedMinimap(mini);") < ATLAS.index("mini.addTo(map);")
    added = MINIMAP[MINIMAP.index("onAdd:function(map){") : MINIMAP.index("onRemove:function")]
    assert "this._miniMap=new L.Map(" in added  # the minimap's own map is made by addTo: watched after it
