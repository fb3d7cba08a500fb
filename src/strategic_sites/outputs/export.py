"""The map of a view as one self-contained HTML file: every script, style sheet and image
inlined, so it opens by double-click in any browser with no network.

The file shows the same layers (those hidden in the view start hidden), the same filters
and as-of date, the legend, the popups with their sources, and a note saying what the view
is and where its live version is. Basemap tiles need the network; without it the Natural
Earth land drawn beneath them keeps the map readable.
"""

from __future__ import annotations

import base64
import html
import itertools
import mimetypes
import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import folium
from strategic_sites.map import assets, elements, layers, mapdata
from strategic_sites.view import language
from strategic_sites.map import overlay
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.filters import View, in_words
from strategic_sites.core.text import plural

MARK = "ssa-inline:"  # where localize points the assets, for inlining below
# A style sheet's url(...) of a file beside it (not data:, http(s): or #fragment). No CSS parser is
# installed (tinycss2 and cssutils are not dependencies), and the vendored sheets' url()s are
# plain: a regex over the sheet's text, which is CSS, not HTML.
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(?!data:|https?:|#)([^'")]+)\1\s*\)""")


def describe(atlas: Atlas, view: View, counts: bool = True) -> list[str]:
    """The view's filters in words, one line each (for the note and the page title); with its
    counts unless ``counts`` is false (a page that shows them apart)."""
    f = view.filters
    lines = [f"As of {f.asof:%d %B %Y}; events {f.year_from}–{f.year_to}"]
    lines += in_words(atlas, f)  # every filter chosen (filters.CHOICES)
    if f.q:
        lines.append(f"Search: “{f.q}”")
    if view.compared:
        lines.append(f"Compared with {f.vs:%d %B %Y}: {plural(len(view.changes), 'change')} at {plural(view.changes['site_id'].nunique(), 'site')} (ringed)")
    if counts:
        lines.append(f"{plural(len(view.sites), 'site')}, {plural(len(view.events), 'event')}, {plural(len(view.in_force), 'lease')} in force")
    if atlas.data_version is not None:
        lines.append(f"Data version {atlas.data_version.label}")
    return lines


def view_map(atlas: Atlas, view: View, link: str = "", exported: date | None = None, points=None) -> folium.Map:
    """A fresh map of the view, composed as the dashboard composes it (with its data inline),
    with the note on top; ``points``, a user's own points (a GeoDataFrame of
    :func:`strategic_sites.uploads.upload.read_points`), go in as their overlay, those the view shows."""
    # The file holds the view's own events and sites only, the data inline.
    shown = replace(atlas, events=view.events.reset_index(drop=True))
    view = replace(view, events=shown.events)
    sources = {
        "outlines": mapdata.outlines(atlas),
        "sites": mapdata.site_bundle(atlas, set(view.sites["id"])),
        "events": mapdata.bundle(shown, mapdata.event_texts(shown)),
    }
    mine = None
    if points is not None and len(points):
        kept = overlay.shown(points, view.filters).reset_index(drop=True)
        sources["points"] = overlay.bundle(kept, language.names(atlas))
        mine = overlay.bits(kept, kept)
    fmap = layers.compose(shown, view, sources, prefix=MARK, points=mine, at=view.filters.at).standalone()  # where the user left the map, or fitted
    escaped = [html.escape(line) for line in describe(atlas, view)]
    note = "<b>Strategic Sites Atlas</b><br>" + "<br>".join(escaped)
    note += f"<br><small>Exported {exported or date.today():%d %b %Y}"
    if link:
        note += f' · <a href="{html.escape(link, quote=True)}" target="_blank" rel="noopener">live view</a>'
    note += "</small>"
    elements.Legend(note, position="topright", css_class="ssa-legend ssa-note").add_to(fmap)
    return fmap


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _css(relative: str) -> str:
    """A served style sheet with the images it refers to inlined as data: URIs."""
    path = assets.static_path(relative)
    text = path.read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        target = (path.parent / match.group(2).split("?")[0].split("#")[0]).resolve()
        return f'url("{_data_uri(target)}")' if target.is_file() else match.group(0)

    return _CSS_URL.sub(inline, text)


def _js(relative: str) -> str:
    # A "</script" inside the code would end the inline element early.
    return assets.static_path(relative).read_text(encoding="utf-8").replace("</script", "<\\/script")


class _AssetLinks(HTMLParser):
    """Where a rendered page links a served asset: ``(start, end, tag, relative)`` for each element whose
    ``src`` or ``href`` starts with :data:`MARK`, ``start``/``end`` its place in the page (a ``<script>``
    through its ``</script>``). Parsed as a browser parses it (stdlib ``html.parser``): the text inside a
    ``<script>`` is script, so a data string that looks like a tag (a user's point named
    ``<script src="ssa-inline:…">``) is never taken for one."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=False)
        self.page, self.found, self.unclosed = page, [], None
        # Where each line starts: the parser says where a tag is as (line, column).
        self._lines = [0, *itertools.accumulate(len(line) + 1 for line in page.split("\n"))]
        self.feed(page)
        self.close()

    def _at(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        link = attrs.get("src" if tag == "script" else "href") or ""
        if not link.startswith(MARK):
            if any(value and value.startswith(MARK) for value in attrs.values()):
                self.found.append((self._at(), self._at() + len(self.get_starttag_text()), tag, None))
            return
        start = self._at()
        end = start + len(self.get_starttag_text())
        if tag == "script":
            self.unclosed = (start, link[len(MARK):])  # replaced through its end tag
        else:
            stylesheet = tag == "link" and "stylesheet" in (attrs.get("rel") or "").lower().split()
            self.found.append((start, end, tag, link[len(MARK):] if stylesheet else None))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        if self.unclosed:  # <script src="…"/>: the tag is the whole element
            start, relative = self.unclosed
            self.found.append((start, self._at() + len(self.get_starttag_text()), tag, relative))
            self.unclosed = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.unclosed:
            start, relative = self.unclosed
            self.found.append((start, self.page.index(">", self._at()) + 1, tag, relative))
            self.unclosed = None


def standalone_html(fmap: folium.Map, title: str = "Strategic Sites Atlas") -> str:
    """The map as one HTML document with every served asset inlined: each ``<script src>`` and
    style sheet ``<link href>`` that :func:`assets.localize` pointed at :data:`MARK` becomes the
    file's text in a ``<script>`` or ``<style>``; any other element left pointing there is an error."""
    assets.localize(fmap, prefix=MARK)
    page = fmap.get_root().render()
    links = _AssetLinks(page)
    parts, at = [], 0
    for start, end, tag, relative in sorted(links.found):
        if relative is None:
            raise assets.UnvendoredAsset(f"an asset link was not inlined: {page[start:end][:200]}")
        parts += [page[at:start], f"<script>{_js(relative)}</script>" if tag == "script" else f"<style>{_css(relative)}</style>"]
        at = end
    if links.unclosed:  # a <script src> with no </script>: the page is cut short
        raise assets.UnvendoredAsset(f"an asset link was not inlined: {page[links.unclosed[0]:][:200]}")
    page = "".join(parts) + page[at:]
    page = page.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)
    return page


def export_view(atlas: Atlas, view: View, link: str = "", points=None) -> str:
    """The view as a self-contained HTML file (with the user's own points, if given)."""
    return standalone_html(view_map(atlas, view, link, points=points), title="Strategic Sites Atlas: " + describe(atlas, view)[0])
