"""Publishing a view beyond the dashboard: the embed snippet, the page's rules for phones and
for print, and the line that describes a view. The embedded page itself: :mod:`.embed`."""

from __future__ import annotations

import html
from functools import cache
from importlib import resources

import streamlit as st

from strategic_sites.outputs import export
from strategic_sites.view import urlstate
from strategic_sites.view.links import Links
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.filters import View
from strategic_sites.ui import state
from strategic_sites.ui.widgets import md

PAGE_CSS = "page.css"  # beside this module (pyproject.toml, package-data)
EMBED_HEIGHT = urlstate.EMBED_HEIGHT  # the map's height in an embed, px, unless the snippet says otherwise
EMBED_HEIGHTS = urlstate.EMBED_HEIGHTS
LINK_LINE = 44  # px under the map for "Open in the atlas"


@cache
def _page_css() -> str:
    return resources.files(__package__).joinpath(PAGE_CSS).read_text(encoding="utf-8")


def page_style() -> None:
    """The page's own CSS: a phone shows the map first; print leaves out the sidebar and buttons."""
    st.html(f"<style>{_page_css()}</style>")


def embedded() -> bool:
    """Whether this page is shown embedded in another (``embed=true``)."""
    return bool(st.context.is_embedded)


def embed_height() -> tuple[int, list[str]]:
    """The map's height an embed asked for (``h=``, within :data:`EMBED_HEIGHTS`), and the
    warning naming ``h=`` when it cannot be used (the map then has the default height)."""
    return urlstate.embed_height({"h": st.query_params.get_all("h")})


def snippet(share_link: str, height: int, title: str) -> str:
    """The ``<iframe>`` a web page holds to show this view's map."""
    src = html.escape(Links.embed(share_link, height), quote=True)
    return (
        f'<iframe src="{src}" title="{html.escape(title, quote=True)}" width="100%" height="{height + LINK_LINE}" '
        'style="border:0" loading="lazy" allow="fullscreen"></iframe>'
    )


def embed_box(share_link: str, title: str) -> None:
    """"Embed this view": the snippet for the current view, at a chosen height."""
    with st.popover("Embed this view", icon=":material/code:", width="stretch"):
        height = st.number_input("Map height (px)", min_value=EMBED_HEIGHTS[0], max_value=EMBED_HEIGHTS[1], value=EMBED_HEIGHT, step=20, key=state.EMBED_HEIGHT)
        st.code(snippet(share_link, int(height), title), language="html", wrap_lines=True)
        st.caption("Paste it into a web page: it shows this view's map alone, without the sidebar, with a link that opens it in the atlas.")


def view_description(atlas: Atlas, view: View) -> None:
    """The view in words (date, period, filters), under the title and its counts (:func:`.charts.counts`,
    which are not said again); printed with the map."""
    lines = export.describe(atlas, view, counts=False)
    with st.container(key=state.VIEW_DESCRIPTION):
        st.caption(md(" · ".join(line for line in lines if not line.startswith("Data version"))))
