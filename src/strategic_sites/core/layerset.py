"""The map's layers, each declared once: the registry every part of the atlas reads.

A layer is

- an entry here (:class:`LayerSpec`): its id (the ``layers=`` link parameter's value), its name
  in the layer control, the function of ``static/atlas/atlas-map.js`` that draws it in the
  browser, what of the view its data reads, and which of the heavy data files it draws from;
- a module of :mod:`strategic_sites.map.layer_kinds` named by its id, which owns the rest: its
  data for a view (what the browser's function is handed), its entries in the map's legend,
  and its drawing in the static image;
- that function of atlas-map.js, ``SSA.<script>(group, data)``.

Adding a layer touches those three files (and its tests: ``tests/test_layer_registry.py``
checks that every entry has its module, its legend entry, its image drawing and its function in
atlas-map.js). The filters, the URL's ``layers=``, the map's composer, its data, its legend and
the image all iterate :data:`LAYERS`; a view shows every layer unless its link says otherwise.

This module is plain data, importable by every part of the atlas (the filters, the URL, the
map, the image); nothing here draws.
"""

from __future__ import annotations

from dataclasses import dataclass

# The heavy data files a layer may draw from, written once per atlas and language by
# :mod:`strategic_sites.map.published` (or inlined in a standalone file): the Natural Earth
# outlines, the sites' popups and lease areas, and every event as compact columns.
HEAVY = ("outlines", "sites", "events")


@dataclass(frozen=True)
class LayerSpec:
    id: str  # the ``layers=`` value; never changes (links carry it)
    label: str  # its name in the layer control
    script: str  # its drawing in the browser: ``SSA.<script>(group, data)`` of static/atlas/atlas-map.js
    needs: tuple[str, ...]  # what of the View its data reads (its attributes; tests hold the module to it)
    heavy: tuple[str, ...] = ()  # the heavy data files (of :data:`HEAVY`) its drawing fetches; () for none


LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec("status", "Control status", "sites", ("filters", "sites", "status_of", "lease_of", "changes_of", "compared", "found_as"), ("sites",)),
    # The sites' names and places come with the sites' file; a view sends its sites' ids.
    LayerSpec("labels", "Site labels", "labels", ("sites",), ("sites",)),
    LayerSpec("leases", "Lease terms", "leases", ("sites", "areas", "in_force", "lease_of"), ("sites",)),
    LayerSpec("events", "Events", "events", ("events",), ("events",)),
    LayerSpec("countries", "Countries", "countries", (), ("outlines",)),
)


def ids() -> tuple[str, ...]:
    """Every layer's id, in the layer control's order."""
    return tuple(layer.id for layer in LAYERS)


def spec(layer_id: str) -> LayerSpec:
    """The declaration of the layer ``layer_id`` (KeyError for an unknown id)."""
    for layer in LAYERS:
        if layer.id == layer_id:
            return layer
    raise KeyError(layer_id)


def label(layer_id: str) -> str:
    return spec(layer_id).label


def heavy(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The heavy data files the layers ``keys`` draw from, in :data:`HEAVY`'s order."""
    wanted = {name for key in keys for name in spec(key).heavy}
    return tuple(name for name in HEAVY if name in wanted)
