"""OGC API – Features (Part 1, Core; GeoJSON; HTML; OpenAPI 3.0) under ``/ogc``: the atlas's sites,
events and lease areas for QGIS, ArcGIS, GDAL and OWSLib (README, "OGC API – Features").

The same atlas as the data API (``api.service.SOURCE``), the same parser of a share link's
parameters (``view.urlstate.parse``) and filter (``view.filters.apply``), the same tables
(``outputs.tables``), the same problems (``api.problems``).

- :mod:`.collections`: the three collections, declared once.
- :mod:`.query`: ``f``, ``bbox``, ``datetime``, ``limit`` and ``offset``, beside the share link's parameters.
- :mod:`.routes`: the paths, their JSON and GeoJSON answers, ETags, CORS and problems.
- :mod:`.html`: the HTML pages and their one stylesheet.
- :mod:`.openapi`: the OpenAPI 3.0 document.
"""

from strategic_sites.api.ogc.routes import routes

__all__ = ["routes"]
