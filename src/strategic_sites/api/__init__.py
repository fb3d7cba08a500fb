"""The data API: every view's tables as JSON, GeoJSON and CSV under ``/api/v1/`` (README, "Data API").

Pure Starlette over the atlas's own code: a request's parameters are a share link's, read by
``view.urlstate.parse`` (the pages' parser), filtered by ``view.filters.apply`` and written by
``outputs.tables`` (the pages' tables and downloads), so the same link gives the same rows.
Nothing imports this package but ``serve.py``, which hands :data:`routes` to ``st.App``.

- :mod:`.endpoints`: the endpoints, declared once (their tables, formats, paging).
- :mod:`.service`: requests and answers (versions, ETags, CORS, streaming, problems).
- :mod:`.problems`: RFC 9457 problem details in the link warnings' words.
- :mod:`.loading`: the atlas, loaded once per version of the data folder, the last good one kept.
- :mod:`.openapi`: the OpenAPI 3.1 document.
"""

from strategic_sites.api.service import routes

__all__ = ["routes"]
