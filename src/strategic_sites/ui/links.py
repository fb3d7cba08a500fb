"""The atlas's links as this session reached it (:class:`strategic_sites.view.links.Links`)."""

from __future__ import annotations

import streamlit as st

from strategic_sites.view.filters import Filters
from strategic_sites.view.links import Links
from strategic_sites.view.urlstate import Known


def links() -> Links:
    """Links from the address the user reached the app at and the app's base path."""
    return Links.served_at(st.context.url or "", st.get_option("server.baseUrlPath") or "")


def share_link(filters: Filters, known: Known, page_path: str = "") -> str:
    """The full link to this view on a page (none: the map)."""
    return links().view(filters, known, page_path)
