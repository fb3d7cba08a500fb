"""The server's own routes beside the pages: the data API under ``/api/v1/`` (README, "Data API")
and OGC API – Features under ``/ogc`` (README, "OGC API – Features (QGIS, ArcGIS, GDAL)").

Pure Starlette over the atlas's own code: a request's parameters are a share link's, read by
``view.urlstate.parse`` (the pages' parser), filtered by ``view.filters.apply`` and written by
``outputs.tables`` (the pages' tables and downloads), so the same link gives the same rows.
Nothing imports this package but ``serve.py``, which hands :data:`routes` to ``st.App``.

- :mod:`.endpoints`: the data API's endpoints, declared once (their tables, formats, paging).
- :mod:`.service`: the data API's requests and answers (versions, ETags, CORS, streaming, problems).
- :mod:`.problems`: RFC 9457 problem details in the link warnings' words.
- :mod:`.loading`: the atlas, loaded once per version of the data folder, the last good one kept.
- :mod:`.openapi`: the data API's OpenAPI 3.1 document.
- :mod:`.ogc`: OGC API – Features (sites, events, lease areas) for QGIS, ArcGIS, GDAL and OWSLib,
  from the same atlas, filters and problems, with its HTML pages and its OpenAPI 3.0 document.
"""

from strategic_sites.api.ogc import routes as ogc_routes
from strategic_sites.api.service import routes as data_routes

routes = [*data_routes, *ogc_routes]

__all__ = ["routes"]
