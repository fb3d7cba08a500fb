"""The map's layers, one module each, named by the layer's id in :mod:`strategic_sites.core.layerset`
(``status.py`` draws the layer ``status``). Each module owns what the layer is:

- ``data(atlas, view)``: what the browser's drawing function (the entry's ``script`` in
  ``static/atlas/atlas-map.js``) is handed for a view, plain JSON-ready Python. It reads of the
  view only what the entry's ``needs`` says; text from the data is escaped here or set as text
  by the browser.
- ``legend()``: its entries in the map's legend (:class:`LegendEntry`), escaped HTML built from
  constants and vocabularies.
- ``draw(sheet, atlas, view)``: its drawing in the static image (:class:`Sheet`, matplotlib),
  returning what the image's legend shows of it (:class:`ImageKey`). matplotlib is imported
  inside, so that the app, which never draws an image unasked, does not load it.
- optionally ``site_part(sites)``: what it needs of each site whatever the view (the site
  labels: each site's name and place), which goes once into the sites' file under the layer's
  id (:func:`strategic_sites.map.mapdata.site_bundle`), so that a view sends only ids.

:func:`kind` finds a layer's module; :func:`strategic_sites.map.mapdata.view_data`, the composer
(:mod:`strategic_sites.map.layers`) and the image (:mod:`strategic_sites.outputs.image`) iterate the
registry and ask each module in turn. No module here imports another of them, nor
:mod:`strategic_sites.map.mapdata` (which gathers them).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from strategic_sites.core import layerset


def kind(layer_id: str) -> ModuleType:
    """The module of the layer ``layer_id`` (one registered in :data:`layerset.LAYERS`)."""
    layerset.spec(layer_id)  # KeyError for a layer nobody declared
    return importlib.import_module(f"{__name__}.{layer_id}")


@dataclass(frozen=True)
class LegendEntry:
    """A part of the map's legend: a titled list of keys (``rows``: ``<li>`` items, escaped HTML).

    ``in_sight``: listed at the top, never folded (the statuses, which every marker shows);
    otherwise it folds under "More keys", ``open`` or closed at first."""

    title: str
    rows: str
    in_sight: bool = False
    open: bool = False


@dataclass(frozen=True)
class Sheet:
    """Where a layer draws itself in the static image: the map's matplotlib axes, in degrees of
    longitude and latitude, framed to ``box`` (west, south, east, north), and the Natural Earth
    countries as the maps draw them (:func:`strategic_sites.map.mapdata.outline_shape`), those
    that reach into the frame."""

    ax: object
    box: tuple[float, float, float, float]
    outlines: object  # a GeoDataFrame with ``iso3``


@dataclass(frozen=True)
class ImageKey:
    """What the image's legend shows of a layer as drawn: titled sections of (handle, label)
    entries (a section titled "" continues the one before), and notes listed at the legend's end."""

    sections: tuple[tuple[str, tuple[tuple[object, str], ...]], ...] = ()
    notes: tuple[str, ...] = ()
