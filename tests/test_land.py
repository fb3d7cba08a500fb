"""Natural Earth land with no band across the Arctic or across the antimeridian.

Leaflet (the map, its minimap, the standalone export) and matplotlib (the image) draw a ring
as straight lines between its vertices: a ring that steps from +180° to -180° is drawn as a
band across the whole world. Natural Earth, as world-atlas stitches it, has such rings in
Russia (Chukotka, Wrangel Island); scripts/build_countries.py cuts them at the antimeridian,
and every map's outlines go through :func:`mapdata.outline_shape`, which cuts any left and
only then simplifies. Here: every part each consumer gets spans at most 180° of longitude,
and the land still covers what it should (Siberia, Chukotka and Wrangel on both sides of 180°)."""

from __future__ import annotations

import json
import re
from datetime import date

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import MultiPolygon, Point, Polygon, shape

from strategic_sites.outputs import export, image
from strategic_sites import load_atlas
from strategic_sites.map import mapdata, published
from strategic_sites.view.filters import Filters, apply

GEOD = Geod(ellps="WGS84")
# Natural Earth 1:10m Russia is 16.98 million km² (the shipped file before the cut said 19.6:
# a band from Alaska to Finland at 65-69°N counted as land, Siberia at those latitudes not).
RUSSIA_KM2 = 16.98e6

# Russia's land on both sides of 180° and at the latitudes the band had turned inside out.
LAND = {
    "Chukotka west of 180°": (176.0, 66.0),
    "Chukotka at 179°E": (179.0, 66.0),
    "Chukotka east of 180°": (-175.0, 66.0),
    "Chukotka at 179.5°W": (-179.5, 66.5),
    "Wrangel Island west of 180°": (179.5, 71.2),
    "Wrangel Island east of 180°": (-179.5, 71.2),
    "Siberia at 67°N, 60°E": (60.0, 67.0),
    "Siberia at 67°N, 100°E": (100.0, 67.0),
    "Siberia at 67°N, 150°E": (150.0, 67.0),
    "Kamchatka": (159.0, 55.0),
}
# Where the band drew Russia: the Norwegian Sea, Greenland, Canada, Alaska, the Barents Sea.
NOT_RUSSIA = {
    "the Norwegian Sea": (0.0, 67.0),
    "Greenland": (-40.0, 67.0),
    "Canada": (-100.0, 67.0),
    "Alaska": (-150.0, 67.0),
    "north of Norway": (10.0, 71.1),
    "the Greenland Sea": (-30.0, 71.1),
}


def span(geom) -> float:
    west, _, east, _ = geom.bounds
    return east - west


def widest_part(geom) -> float:
    return max(span(part) for part in shapely.get_parts(geom))


def largest_step(geom) -> float:
    """The largest step in longitude between two vertices of one ring (a jump across the map)."""
    steps = [0.0]
    for part in shapely.get_parts(geom):
        for ring in [part.exterior, *part.interiors]:
            xs = np.asarray(ring.coords)[:, 0]
            steps.append(float(np.abs(np.diff(xs)).max()))
    return max(steps)


def check_no_band(features: list[tuple[str, object]]) -> None:
    """Every feature, every part of it and every ring within 180° of longitude, within [-180°, 180°]."""
    assert features
    for iso3, geom in features:
        assert geom.geom_type in ("Polygon", "MultiPolygon"), iso3
        west, _, east, _ = geom.bounds
        assert -180.0 <= west and east <= 180.0, (iso3, geom.bounds)
        assert widest_part(geom) <= 180.0, (iso3, [part.bounds for part in shapely.get_parts(geom) if span(part) > 180])
        assert largest_step(geom) <= 180.0, iso3


def of_collection(collection: dict) -> list[tuple[str, object]]:
    return [(feature["properties"]["iso3"], shape(feature["geometry"])) for feature in collection["features"]]


def russia(features: list[tuple[str, object]]):
    return shapely.union_all([geom for iso3, geom in features if iso3 == "RUS"])


def geodesic_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


@pytest.fixture(scope="module")
def served(atlas):
    """The outlines the browser gets: the published file's content (land, countries, minimap)."""
    return of_collection(mapdata.outlines(atlas))


@pytest.fixture(scope="module")
def exported(atlas):
    """The outlines inlined in a standalone HTML export of the whole atlas."""
    view = apply(atlas, Filters(asof=date(2024, 1, 1)))
    page = export.export_view(atlas, view, "https://atlas.example/")
    start = re.search(r"SSA\.source\(", page).end()
    sources, _ = json.JSONDecoder().raw_decode(page, start)
    return of_collection(sources["outlines"])


@pytest.fixture(scope="module")
def drawn(atlas):
    """The outlines the image (PNG, SVG, PDF) draws."""
    frame = image._outlines(atlas)
    return list(zip(frame["iso3"], frame.geometry))


# --- no band --------------------------------------------------------------------------------------


def test_the_stored_outlines_have_no_part_wider_than_180_degrees(atlas):
    check_no_band(list(zip(atlas.countries["iso3"], atlas.countries.geometry)))


def test_the_outlines_the_browser_gets_have_no_band(served):
    check_no_band(served)
    # Each feature's bounds too (Leaflet's getBounds of the polygon it makes): Russia comes as
    # two features, east and west of the antimeridian.
    assert all(span(geom) <= 180.0 for _, geom in served)
    assert sum(iso3 == "RUS" for iso3, _ in served) == 2


def test_the_outlines_inlined_in_the_export_have_no_band(exported, served):
    check_no_band(exported)
    assert all(span(geom) <= 180.0 for _, geom in exported)
    assert len(exported) == len(served)


def test_the_image_outlines_have_no_band(drawn):
    check_no_band(drawn)


def test_the_image_of_a_view_reaching_the_arctic_draws_no_land_over_the_sea(atlas):
    """The image's land, framed from the North Atlantic to Siberia: the band's latitudes over
    the Norwegian Sea are water, Siberia's are land."""
    from matplotlib.figure import Figure

    ax = Figure(figsize=(6, 4)).add_subplot()
    image._land(ax, atlas, apply(atlas, Filters(countries=("RUS",))), (-30.0, 60.0, 120.0, 75.0))
    rings = [Polygon(ring) for collection in ax.collections for path in collection.get_paths() for ring in path.to_polygons() if len(ring) > 3]
    assert rings

    def filled(x: float, y: float) -> bool:
        return any(ring.contains(Point(x, y)) for ring in rings)

    assert filled(100.0, 67.0) and filled(60.0, 67.0)
    assert not filled(0.0, 67.0) and not filled(-20.0, 67.0) and not filled(10.0, 71.1)


# --- the land still covers what it should -----------------------------------------------------------


@pytest.mark.parametrize("consumer", ["stored", "served", "exported", "drawn"])
def test_russia_is_land_on_both_sides_of_180_and_nowhere_else(consumer, atlas, served, exported, drawn):
    features = {"stored": list(zip(atlas.countries["iso3"], atlas.countries.geometry)), "served": served, "exported": exported, "drawn": drawn}[consumer]
    land = russia(features)
    missing = [name for name, point in LAND.items() if not land.contains(Point(point))]
    assert not missing, missing
    wrong = [name for name, point in NOT_RUSSIA.items() if land.contains(Point(point))]
    assert not wrong, wrong
    assert land.bounds[0] == -180.0 and land.bounds[2] == 180.0  # Chukotka reaches the antimeridian from both sides
    assert geodesic_km2(land) == pytest.approx(RUSSIA_KM2, rel=0.01)


@pytest.mark.parametrize("consumer", ["served", "exported", "drawn"])
def test_the_simplified_outlines_keep_the_area_of_the_data(consumer, atlas, served, exported, drawn):
    features = {"served": served, "exported": exported, "drawn": drawn}[consumer]
    stored = {iso3: 0.0 for iso3 in atlas.countries["iso3"]}
    for iso3, geom in zip(atlas.countries["iso3"], atlas.countries.geometry):
        stored[iso3] += geodesic_km2(geom)
    shown = dict.fromkeys(stored, 0.0)
    for iso3, geom in features:
        shown[iso3] += geodesic_km2(geom)
    assert sum(shown.values()) == pytest.approx(sum(stored.values()), rel=0.002)
    for iso3 in stored:
        assert shown[iso3] == pytest.approx(stored[iso3], rel=0.01), iso3


# --- the cut itself -------------------------------------------------------------------------------


def test_a_ring_crossing_the_antimeridian_is_cut_into_a_part_each_side():
    island = Polygon([(178, -17), (-178, -17), (-178, -16), (178, -16), (178, -17)])  # 4° wide, drawn as 356°
    assert span(island) == 356
    cut = mapdata.cut_at_antimeridian(island)
    assert cut.geom_type == "MultiPolygon" and len(cut.geoms) == 2
    assert sorted(part.bounds for part in cut.geoms) == [(-180, -17, -178, -16), (178, -17, 180, -16)]
    assert cut.area == pytest.approx(4.0)


def test_a_vertex_written_minus_180_on_the_plus_180_side_is_put_back():
    """Natural Earth's Wrangel Island, as world-atlas writes it: its west half closes at -180°."""
    half = Polygon([(-180, 71.0), (179.0, 70.9), (179.0, 71.5), (180, 71.5), (-180, 71.0)])
    assert span(half) == 360
    cut = mapdata.cut_at_antimeridian(half)
    assert cut.geom_type == "Polygon" and cut.bounds == (179.0, 70.9, 180.0, 71.5)


def test_holes_follow_their_polygon_across_the_antimeridian():
    shell = [(170, 0), (-170, 0), (-170, 10), (170, 10), (170, 0)]
    hole = [(179, 4), (-179, 4), (-179, 6), (179, 6), (179, 4)]
    cut = mapdata.cut_at_antimeridian(Polygon(shell, [hole]))
    assert cut.area == pytest.approx(200 - 4)
    assert widest_part(cut) == 10 and not cut.contains(Point(179.5, 5)) and cut.contains(Point(175, 5))


def test_a_ring_round_a_pole_is_closed_along_it():
    """Antarctica's ring goes once round the world: it is closed along the pole, not across the map."""
    ring = [(-180, -70), (-90, -75), (0, -70), (90, -75), (179.9, -70), (-180, -70)]
    cut = mapdata.cut_at_antimeridian(Polygon(ring))
    assert cut.bounds[1] == -90 and cut.contains(Point(0, -85))


def test_what_needs_no_cut_comes_back_as_it_was():
    kazakhstan = MultiPolygon([Polygon([(50, 40), (80, 40), (80, 55), (50, 55)]), Polygon([(60, 35), (61, 35), (61, 36)])])
    assert mapdata.cut_at_antimeridian(kazakhstan) is kazakhstan
    point = Point(1, 2)
    assert mapdata.cut_at_antimeridian(point) is point


@st.composite
def islands(draw):
    """A star-shaped island up to 120° wide around any longitude, its vertices written in
    [-180°, 180°] as GeoJSON writes them: those of an island across the antimeridian jump."""
    centre = draw(st.floats(-180, 180))
    lat = draw(st.floats(-60, 60))
    count = draw(st.integers(3, 24))
    radii = draw(st.lists(st.floats(0.5, 60), min_size=count, max_size=count))
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    xs = centre + np.array(radii) * np.cos(angles)
    ys = lat + np.array(radii) / 3 * np.sin(angles)
    return Polygon(zip(xs, ys)), Polygon(zip((xs + 180) % 360 - 180, ys))


@settings(max_examples=200, deadline=None)
@given(islands())
def test_any_island_is_cut_into_parts_within_the_world_and_simplifying_keeps_them_there(pair):
    unwrapped, written = pair
    cut = mapdata.cut_at_antimeridian(written)
    assert widest_part(cut) <= 180 and largest_step(cut) <= 180
    assert -180 <= cut.bounds[0] and cut.bounds[2] <= 180
    assert cut.area == pytest.approx(unwrapped.area, rel=1e-6)
    simple = mapdata.outline_shape(written)
    assert simple.is_empty or (widest_part(simple) <= widest_part(cut) and largest_step(simple) <= 180)


# --- browsers fetch the new outlines -------------------------------------------------------------


def test_changed_outlines_are_published_under_a_new_name(atlas, shipped_copy, tmp_path):
    """The outlines file is named by the data's fingerprint and by the code that writes it
    (mapdata.py among it), so a browser that kept the old file fetches the new one."""
    assert "map/mapdata.py" in published.WRITERS
    before = published.map_sources(atlas, folder=tmp_path / "a", wait=True)["outlines"]
    assert before.endswith(f"outlines-{atlas.version}-{published.code_stamp()}.json")
    path = shipped_copy / "countries.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    feature = next(f for f in collection["features"] if f["properties"]["iso3"] == "RUS")
    feature["geometry"]["coordinates"].pop()  # one island fewer
    path.write_text(json.dumps(collection), encoding="utf-8")
    changed = load_atlas(shipped_copy)
    after = published.map_sources(changed, folder=tmp_path / "b", wait=True)["outlines"]
    assert after != before and mapdata.outlines(changed) != mapdata.outlines(atlas)
