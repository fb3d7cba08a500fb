"""Draw geodata/areas.geojson: the leased territories and test ranges as polygons.

No published outline exists for most Russian-leased ranges (their boundary
coordinates sit in treaty annexes that are not public), so each range is drawn as a
circle of its stated area around its site point, clipped to the host country; the
``drawn_as`` property of every feature says how it was drawn. Baikonur is the one
real outline: Natural Earth draws the lease area as a unit of its own.

Usage: python scripts/draw_areas.py geodata
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

# site_id, area_kind, stated area in km² (blank when none), source ids of that figure, note
RANGES = [
    ("sary-shagan", "test_range", 69853.16, "tengri-2023-polygons",
     "Area 6,985,316 ha (Kazakh Ministry of Defence figures, 2023). The real range stretches about 480 km across five regions west of Lake Balkhash."),
    ("glits-929-kz", "test_range", 13223.98, "tengri-2023-polygons",
     "Area 1,322,398 ha (Kazakh Ministry of Defence figures, 2023), in several fields in West Kazakhstan and Atyrau regions; the site point is the Kyzylkoga district reference point."),
    ("kapustin-yar-kz", "test_range", 2928.25, "tengri-2023-polygons",
     "Area 292,825 ha (Kazakh Ministry of Defence figures, 2023); Novaya Gazeta Europe (2024) gives 943,000 ha. The site point is Saikhin village."),
    ("emba", "test_range", 3000.0, "kodeks-emba-agreement",
     "More than 300,000 ha were returned when the lease ended on 1 Jan 2017, so 3,000 km² is a lower bound; NTI gives 7,000 km² for the Soviet range. The site point is Zhem town."),
]


def circle_of_area(lon: float, lat: float, km2: float, segments: int = 96) -> shapely.Polygon:
    """A geodesic circle of ``km2`` square kilometres around a point, in WGS84."""
    local = CRS.from_proj4(f"+proj=laea +lat_0={lat} +lon_0={lon} +units=m +ellps=WGS84")
    back = Transformer.from_crs(local, "EPSG:4326", always_xy=True).transform
    radius = math.sqrt(km2 / math.pi) * 1000
    disc = shapely.Point(0, 0).buffer(radius, quad_segs=segments // 4)
    unproject = lambda xy: np.column_stack(back(xy[:, 0], xy[:, 1]))  # noqa: E731
    return shapely.set_precision(shapely.transform(disc, unproject), 0.0001)


def main(folder: Path) -> None:
    sites = gpd.read_file(folder / "sites.geojson").set_index("id")
    countries = gpd.read_file(folder / "countries.geojson")
    features = []

    baikonur = countries[countries["name"] == "Baikonur lease area"].geometry.iloc[0]
    features.append(
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(baikonur),
            "properties": {
                "site_id": "baikonur",
                "area_kind": "leased_territory",
                "area_km2": 6717,
                "drawn_as": "Natural Earth 1:10m outline of the Baikonur lease area",
                "source_id": "news2night-2017-land",
                "note": "Stated area 6,717 km²; Wikipedia describes an ellipse of 90 km (E-W) by 85 km (N-S), which would cover about 6,000 km².",
            },
        }
    )
    for site_id, kind, km2, source_id, note in RANGES:
        site = sites.loc[site_id]
        host = countries[countries["iso3"] == site["country"]].union_all()
        shape = circle_of_area(site.geometry.x, site.geometry.y, km2).intersection(host)
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(shapely.make_valid(shape)),
                "properties": {
                    "site_id": site_id,
                    "area_kind": kind,
                    "area_km2": km2,
                    "drawn_as": "circle of the stated area around the site point, clipped to the host country (real outline not published)",
                    "source_id": source_id,
                    "note": note,
                },
            }
        )
    with (folder / "areas.geojson").open("w", encoding="utf-8") as fh:
        fh.write('{"type": "FeatureCollection", "features": [\n')
        fh.write(",\n".join(json.dumps(f, ensure_ascii=False) for f in features))
        fh.write("\n]}\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
