"""The map's layers as a view names them: each layer's id (the ``layers=`` link parameter's
value), its name in the layer control, and whether a view shows it unless told otherwise.

This is the registry's first part, plain data that every part of the atlas may read (the
filters, the URL, the map, the image); how a layer is drawn lives with the map
(:mod:`strategic_sites.map.layers`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LayerSpec:
    id: str  # the ``layers=`` value; never changes (links carry it)
    label: str  # its name in the layer control and the legend


LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec("status", "Control status"),
    LayerSpec("leases", "Lease terms"),
    LayerSpec("events", "Events"),
    LayerSpec("countries", "Countries"),
)


def ids() -> tuple[str, ...]:
    """Every layer's id, in the layer control's order."""
    return tuple(layer.id for layer in LAYERS)


def label(layer_id: str) -> str:
    return next(layer.label for layer in LAYERS if layer.id == layer_id)
