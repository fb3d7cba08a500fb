"""The "Data API" page: every endpoint of the data API (:mod:`strategic_sites.api`), each with a
live link for the view the sidebar holds and a ``curl`` line, so that a notebook or a script
reads the same rows as the page's tables; then the whole-view files (a GeoPackage, KML, KMZ),
the same files as the map's downloads."""

from __future__ import annotations

import streamlit as st

from strategic_sites.api.endpoints import ENDPOINTS, FILES, MAX_LIMIT
from strategic_sites.data.atlas import Atlas
from strategic_sites.ui.links import links
from strategic_sites.ui.widgets import md
from strategic_sites.view.filters import View
from strategic_sites.view.links import API_ROOT
from strategic_sites.view.urlstate import Known


def data_api(atlas: Atlas, view: View) -> None:
    """Each endpoint for this view: what it gives, its links (JSON or GeoJSON, and CSV), and how
    to fetch it from a shell."""
    known = Known.of(atlas)
    made = links()
    st.markdown(
        "Every view of the atlas is also data: the endpoints below take **the share link's parameters** "
        "(the sidebar's filters, the dates, the search, `lang`, `data`), read by the pages' own code, so they "
        "give the same rows as the tables and downloads. The links below are for the view in the sidebar: "
        "change a filter and they follow. Events come a page at a time "
        f"(`limit` up to {MAX_LIMIT:,}, `offset`, and a `next` link); every answer names the data's version; "
        "a refused parameter is a `400` naming it, in the words a link's warning uses."
    )
    for endpoint in ENDPOINTS:
        main, csv = endpoint.paths
        main_url, csv_url = made.api(main, view.filters, known), made.api(csv, view.filters, known)
        with st.container(border=True):
            st.markdown(f"**`{API_ROOT}/{main}`** · {md(endpoint.summary)}")
            st.caption(md(endpoint.description))
            st.markdown(f"[{md(main)}]({_link(main_url)}) · [{md(csv)}]({_link(csv_url)})")
            st.code(f"curl -s '{csv_url}'", language=None, wrap_lines=True)  # plain: the highlighter's colours fail contrast
    st.markdown(
        "**Whole-view files.** The whole view in one file, with the same parameters: the same file as the map's "
        "“Download for GIS” button, saved under the same name."
    )
    for file in FILES:
        url = made.api(file.path, view.filters, known)
        with st.container(border=True):
            st.markdown(f"**`{API_ROOT}/{file.path}`** · {md(file.summary)}")
            st.caption(md(file.description))
            st.markdown(f"[{md(file.path)}]({_link(url)}) · `{file.media}`")
            st.code(f"curl -s -o '{file.file_name(view.filters)}' '{url}'", language=None, wrap_lines=True)
    st.markdown(
        f"The whole description, for client generators and API tools: [OpenAPI 3.1]({_link(made.origin + API_ROOT + '/openapi.json')}). "
        "The README's “Data API” section says more."
    )


def _link(url: str) -> str:
    """A URL as a Markdown link target (its query is already percent-encoded: only brackets remain)."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
