"""The layer registry (core/layerset.py): every layer declared there is a whole layer (its module
under map/layer_kinds/ with its data, legend entry and image drawing, and its drawing function in
atlas-map.js), the map, the legend, the image and the link all follow the registry, and the site
labels layer is one of them: on by default, off when a link's layers= leaves it out, in the
view's language, and drawn in the image only when shown."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from strategic_sites.core import layerset
from strategic_sites.map import layer_kinds, layers, mapdata, published
from strategic_sites.map.layer_kinds import ImageKey, LegendEntry, Sheet, labels
from strategic_sites.outputs import image
from strategic_sites.view import language
from strategic_sites.view.filters import LAYERS, Filters, apply
from strategic_sites.view.urlstate import Known, parse, serialise

ATLAS_JS = (Path(__file__).resolve().parents[1] / "static" / "atlas" / "atlas-map.js").read_text(encoding="utf-8")
IDS = [spec.id for spec in layerset.LAYERS]


@pytest.fixture(scope="module")
def view(atlas):
    return apply(atlas, Filters(asof=date(2014, 1, 1)))


@pytest.mark.parametrize("layer_id", IDS)
def test_every_registered_layer_has_its_module_legend_script_and_image_drawing(atlas, view, layer_id):
    spec = layerset.spec(layer_id)
    module = layer_kinds.kind(layer_id)
    # Its drawing in the browser: a function of atlas-map.js, SSA.<script> = function (group, data).
    assert re.search(rf"\bSSA\.{re.escape(spec.script)} = function \(group, \w+\)", ATLAS_JS), f"SSA.{spec.script} is not in atlas-map.js"
    # Its legend entry: titled, with keys, and in the map's legend.
    entries = module.legend()
    assert entries and all(isinstance(e, LegendEntry) and e.title and "<li>" in e.rows for e in entries)
    legend = layers.legend_html()
    assert all(e.rows in legend for e in entries)
    # Its data for a view: JSON, as the browser gets it.
    json.dumps(module.data(atlas, view), allow_nan=False)
    # Its drawing in the image: something drawn on the map's axes, and what the legend says of it.
    figure = Figure()
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(40, 140)
    ax.set_ylim(30, 60)
    sheet = Sheet(ax, (40.0, 30.0, 140.0, 60.0), image._outlines(atlas).cx[40:140, 30:60])
    before = len(ax.get_children())
    key = module.draw(sheet, atlas, view)
    assert isinstance(key, ImageKey)
    assert len(ax.get_children()) > before, f"the {layer_id} layer draws nothing in the image"


class Recording:
    """A view that notes which of its attributes are read."""

    def __init__(self, view):
        object.__setattr__(self, "_view", view)
        object.__setattr__(self, "read", set())

    def __getattr__(self, name):
        self.read.add(name)
        return getattr(self._view, name)


@pytest.mark.parametrize("layer_id", IDS)
def test_a_layer_reads_of_the_view_what_its_entry_says(atlas, layer_id):
    """The registry says what each layer's data needs from the view; the module reads no more
    (compare mode on, so that the status layer reads its changes)."""
    recorded = Recording(apply(atlas, Filters(asof=date(2024, 1, 1), vs=date(2013, 1, 1))))
    layer_kinds.kind(layer_id).data(atlas, recorded)
    assert recorded.read <= set(layerset.spec(layer_id).needs), recorded.read - set(layerset.spec(layer_id).needs)


def test_the_heavy_data_a_layer_draws_from_is_published_and_inlined(atlas, tmp_path):
    declared = {name for spec in layerset.LAYERS for name in spec.heavy}
    assert declared <= set(layerset.HEAVY)
    assert set(published.map_sources(atlas, folder=tmp_path, wait=True)) == set(layerset.HEAVY)
    for spec in layerset.LAYERS:
        assert set(spec.heavy) <= set(layers.inline_sources(atlas, (spec.id,)))
    assert set(layers.inline_sources(atlas, ("countries",))) == {"outlines"}  # only what is drawn from


def test_a_layers_own_part_of_the_sites_file_is_published_under_its_id(atlas):
    """A layer that needs something of every site whatever the view (the labels) adds it to the
    sites' file, fetched once; its code is part of the files' names, so new code, new files."""
    parts = [spec.id for spec in layerset.LAYERS if hasattr(layer_kinds.kind(spec.id), "site_part")]
    assert parts == ["labels"]
    bundle = mapdata.site_bundle(atlas)
    assert all(bundle[key] == layer_kinds.kind(key).site_part(atlas.sites) for key in parts)
    stamped = {path.relative_to(published._CODE).as_posix() for name in published.WRITERS for path in published._CODE.glob(name)}
    assert {f"map/layer_kinds/{key}.py" for key in parts} <= stamped


def test_each_layer_is_an_overlay_calling_its_function_with_its_data(atlas, view):
    page = layers.compose(atlas, view).html()
    data = mapdata.view_data(atlas, view)
    assert list(data) == IDS
    for spec in layerset.LAYERS:
        call = re.search(rf"SSA\.{re.escape(spec.script)}\((feature_group_\w+), (.*?)\);\n", page)
        assert call, f"no SSA.{spec.script} call"
        assert json.loads(call.group(2)) == json.loads(mapdata.to_json(data[spec.id])), spec.id
        assert f'"{spec.label}" : {call.group(1)}' in page  # named so in the layer control


def test_the_legend_lists_the_layers_in_the_registry_order(atlas):
    legend = layers.legend_html()
    titles = [entry.title for spec in layerset.LAYERS for entry in layer_kinds.kind(spec.id).legend() if not entry.in_sight]
    where = [legend.index(f"<summary>{title}</summary>") for title in titles]
    assert where == sorted(where) and legend.index("<summary>Confidence</summary>") > where[-1]
    assert '<ul class="ssa-legend-status" aria-label="Control status on the date">' in legend  # in sight, as before


# --- the site labels layer ---------------------------------------------------------------------------


def test_site_labels_are_on_by_default_and_a_link_chooses_them(atlas):
    known = Known.of(atlas)
    assert "labels" in LAYERS and Filters().layers == LAYERS
    plain, _ = parse({}, known)
    assert "labels" in plain.layers
    chosen, warnings = parse(parse_qs("layers=status,labels"), known)
    assert chosen.layers == ("status", "labels") and warnings == []
    old, _ = parse(parse_qs("layers=status,events"), known)  # an old link: as it was, without labels
    assert old.layers == ("status", "events")
    assert serialise(old, known)["layers"] == ["status", "events"]
    assert "layers" not in serialise(plain, known)  # every layer on: the link stays short


def test_a_view_sends_its_sites_ids_and_the_names_come_with_the_sites_file(atlas):
    kyrgyz = apply(atlas, Filters(countries=("KGZ",), asof=date(2024, 1, 1)))
    sent = mapdata.view_data(atlas, kyrgyz)["labels"]
    assert sent == {"sites": list(kyrgyz.sites["id"])}
    assert len(mapdata.to_json(sent)) < 20 * len(kyrgyz.sites)  # a few bytes a site
    places = mapdata.site_bundle(atlas)["labels"]
    assert set(places) == set(atlas.sites["id"])
    name, lat, lon = places["kant"]
    assert name == "Kant Air Base" and abs(lat - 42.85) < 0.1 and abs(lon - 74.85) < 0.1
    # The export's file holds the labels of its own sites only.
    assert set(mapdata.site_bundle(atlas, set(kyrgyz.sites["id"]))["labels"]) == set(kyrgyz.sites["id"])


def test_labels_are_in_the_views_language(atlas):
    russian = language.localise(atlas, "ru")
    places = mapdata.site_bundle(russian)["labels"]
    assert places["baikonur"][0] == "Космодром «Байконур»"
    assert mapdata.site_bundle(atlas)["labels"]["baikonur"][0] == "Baikonur Cosmodrome"


def test_a_long_name_is_shortened_as_the_image_shortens_it():
    assert labels.short_name("Kant Air Base (999th Air Base, Russian joint military base)") == "Kant Air Base"
    long = labels.short_name("EuroChem-Karatau phosphate mining and fertiliser complex (Zhambyl region)")
    assert len(long) == labels.LABEL_LENGTH and long.endswith("…")


def image_names(atlas, layers_on: tuple[str, ...]) -> set[str]:
    view = apply(atlas, Filters(countries=("KGZ",), asof=date(2024, 1, 1), layers=layers_on))
    figure = image.draw(atlas, view)
    names = {labels.short_name(name) for name in view.sites["name"]}
    return {t.get_text() for t in figure.axes[0].texts if t.get_visible()} & names


def test_the_image_draws_the_labels_only_when_the_labels_layer_is_on(atlas):
    assert "Kant Air Base" in image_names(atlas, LAYERS)
    assert "Kant Air Base" in image_names(atlas, ("labels",))  # the names alone, without the markers
    assert image_names(atlas, ("status", "events")) == set()  # markers without names


def test_the_image_draws_only_the_layers_the_view_shows(atlas):
    view = apply(atlas, Filters(countries=("KAZ",), asof=date(2014, 1, 1), layers=("leases",)))
    figure = image.draw(atlas, view)
    said = [t.get_text() for t in figure.legends[0].get_texts()]
    assert "Lease terms" in said and "Control status" not in said and "Events" not in said
