"""Rebuild geodata/countries.geojson from Natural Earth 1:10m admin-0 outlines.

Input: ``countries-10m.json`` from the npm package ``world-atlas@2.0.2`` (TopoJSON,
Natural Earth, public domain), e.g. fetched with ``npm pack world-atlas@2.0.2``.
Output: the host and neighbouring countries of the atlas as GeoJSON, with ISO 3166-1
alpha-3 codes, polygons cut at the antimeridian, invalid rings repaired and vertices
rounded to 4 decimals (about 10 m).

world-atlas's polygons are stitched for the sphere: some rings on the +180° side carry
vertices written -180° (Russia's mainland at Chukotka, Wrangel Island, three islands of
Fiji). Read as flat GeoJSON each such ring runs across the whole map and back, and
repairing it as a flat ring turns it inside out (a band of "Russia" from Alaska to
Finland at 65-69°N, and Siberia at those latitudes left out). So every polygon is first
cut at the antimeridian (``mapdata.cut_at_antimeridian``), then repaired; the build
stops if any part still spans more than 180° of longitude.

Usage: python scripts/build_countries.py PATH/TO/countries-10m.json geodata/countries.geojson
"""

from __future__ import annotations

import json
import sys

import geopandas as gpd
import pycountry
import shapely

from strategic_sites.map.mapdata import cut_at_antimeridian

# The region the atlas shows: Central Asia, Russia and their neighbours.
REGION = ["KAZ", "KGZ", "TJK", "UZB", "TKM", "RUS", "CHN", "MNG", "AFG", "IRN", "PAK", "AZE", "GEO", "ARM"]


def polygons_only(geom):
    """Repairing a ring can leave stray lines or points beside the polygons: drop them."""
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")]
    polygons = [p for g in parts for p in getattr(g, "geoms", [g])]
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def build(src: str, dest: str) -> None:
    world = gpd.read_file(src, layer="countries")
    rows = []
    for _, row in world.iterrows():
        if row["name"] == "Baikonur":
            # Natural Earth cuts the Baikonur lease area out of Kazakhstan as a unit of
            # its own, with no ISO code. Its host country is Kazakhstan.
            iso3, unit = "KAZ", "Baikonur lease area"
        else:
            if not isinstance(row["id"], str) or not row["id"].isdigit():
                continue
            country = pycountry.countries.get(numeric=row["id"])
            if country is None or country.alpha_3 not in REGION:
                continue
            iso3, unit = country.alpha_3, row["name"]
        geom = polygons_only(shapely.set_precision(shapely.make_valid(cut_at_antimeridian(row.geometry)), 0.0001))
        wide = [part.bounds for part in shapely.get_parts(geom) if part.bounds[2] - part.bounds[0] > 180]
        if wide:
            raise SystemExit(f"{unit}: parts still span more than 180° of longitude after the cut: {wide}")
        rows.append({"iso3": iso3, "name": unit, "ne_id": row["id"] if isinstance(row["id"], str) else "", "geometry": geom})
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326").sort_values(["iso3", "name"])
    missing = set(REGION) - set(out["iso3"])
    if missing:
        raise SystemExit(f"countries not found in {src}: {sorted(missing)}")
    fc = json.loads(out.to_json(drop_id=True))
    fc["name"] = "countries"
    fc["attribution"] = "Natural Earth 1:10m admin-0 countries (public domain), via world-atlas@2.0.2"
    with open(dest, "w", encoding="utf-8") as fh:
        json.dump(fc, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    build(sys.argv[1], sys.argv[2])
