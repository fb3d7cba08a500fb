"""Publishing a view beyond the dashboard: the embed snippet and the embedded map, the
page's rules for phones and for print, and the line that describes a view.

An embedded page (``embed=true``, as the snippet writes it) shows the linked view's map alone,
with a link that opens the same view in the full atlas; its size comes from ``h=`` (embed
only, not one of the atlas's view parameters, read by :func:`strategic_sites.view.urlstate.embed_height`).
Like the full page, it names each part of its link it cannot use.
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources

import streamlit as st

from strategic_sites.outputs import export
from strategic_sites.view import urlstate
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


def embed_url(share_link: str, height: int) -> str:
    """The embedded page's address: the view's link, embedded, at ``height``."""
    joiner = "&" if "?" in share_link else "?"
    return f"{share_link}{joiner}embed=true&h={height}"


def snippet(share_link: str, height: int, title: str) -> str:
    """The ``<iframe>`` a web page holds to show this view's map."""
    src = html.escape(embed_url(share_link, height), quote=True)
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


def embedded_map(atlas: Atlas, view: View, open_link: str, height: int) -> None:
    """An embedded page: the map of the linked view, ``height`` px high, and a link to open it
    in the atlas."""
    from strategic_sites.ui.map_widget import atlas_map

    st.html(
        "<style>[data-testid='stMainBlockContainer']{padding:0 !important}"
        "[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl']{display:none !important}</style>"
    )
    atlas_map(atlas, view, height=height)
    st.markdown(
        f"[Open in the atlas ↗]({open_link.replace('(', '%28').replace(')', '%29')}) · {md(export.describe(atlas, view)[0])}",
        help="The full atlas, on this view: filters, tables, history and sources.",
    )


def view_description(atlas: Atlas, view: View) -> None:
    """The view in words (date, period, filters), under the title and its counts (:func:`.charts.counts`,
    which are not said again); printed with the map."""
    lines = export.describe(atlas, view, counts=False)
    with st.container(key=state.VIEW_DESCRIPTION):
        st.caption(md(" · ".join(line for line in lines if not line.startswith("Data version"))))


def embedded_view(atlas: Atlas) -> None:
    """The whole of an embedded page: the link's view (read from the URL, no widgets), the
    warning naming the parts of the link it cannot use (as on the full page, until a click on
    the map changes the view), its map, and the link that opens it in the atlas."""
    from strategic_sites.ui.loading import prepare
    from strategic_sites.ui.sidebar import link_warning, share_link
    from strategic_sites.view.urlstate import Known

    known = Known.of(atlas)
    height, height_warnings = embed_height()
    if state.URL_SEEDED not in st.session_state:
        params = {name: st.query_params.get_all(name) for name in st.query_params.keys()}
        filters, warnings = urlstate.parse(params, known)
        st.session_state[state.URL_SEEDED] = filters
        st.session_state[state.URL_WARNINGS] = warnings + height_warnings
    filters = st.session_state[state.URL_SEEDED]
    from dataclasses import replace

    if state.SITE in st.session_state:  # a site clicked on the embedded map
        filters = replace(filters, site=st.session_state[state.SITE])
    if state.MAP_AT in st.session_state:  # the embedded map moved (its "open in the atlas" link follows)
        filters = replace(filters, at=st.session_state[state.MAP_AT])
    st.session_state[state.FILTERS] = filters  # the view the link warning compares with the link's
    shown, view = prepare(atlas, filters)
    link_warning()
    embedded_map(shown, view, share_link(urlstate.share_params(filters, known)), height)
