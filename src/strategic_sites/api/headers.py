"""The server's security headers, declared once: every response of the atlas (its pages, the map's
frame, static files, the data API, the OGC pages, a 404) leaves with a Content-Security-Policy
that allows what that kind of response needs and nothing more, and the headers beside it
(docs/deploy.md, "Security headers").

- :data:`PAGE`: Streamlit's pages and files. Scripts from the app alone, plus the one inline
  script of Streamlit's ``index.html`` by its hash (:func:`inline_script_hashes`) and WebAssembly
  (never JavaScript's eval); inline styles (Streamlit's emotion styles, ``st.html``'s
  ``<style>``); images and fonts from the app and ``data:``, and the tab's icon; the app's own
  websocket and fetches (``connect-src 'self'``); the map's frame.
- :data:`MAP_FRAME`: Streamlit's component frames (``/component/…``), where streamlit-folium
  draws the map: it runs the map's script as an inline ``<script>`` and each overlay with
  ``eval``, so this frame alone has ``'unsafe-inline'`` and ``'unsafe-eval'``; its images include
  the two basemaps' tile servers. The frame shares the pages' origin: what keeps a script out of
  it is that every text from the data is escaped in the map's HTML (map/popups.py).
- :data:`API`: the data API's answers (``/api/…``): nothing to load, never framed.
- :data:`OGC`: the OGC API's HTML pages (``/ogc…``): no scripts, no inline styles, a style sheet
  from the app.

The embedded view (``embed=true``) and the map's frame may be framed by the sites of
``$STRATEGIC_SITES_FRAME_ANCESTORS`` (default: any site, the embed being a feature); every other
page by the atlas itself alone. A value that is not a list of CSP sources is refused when the
server starts, with one log line naming it, and the default used.

:class:`SecurityHeaders` is the ASGI middleware that sets them (``serve.py`` hands it to
``st.App``); it imports no Streamlit.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl

LOG = logging.getLogger(__name__)

FRAME_ANCESTORS_ENV = "STRATEGIC_SITES_FRAME_ANCESTORS"
ANY_SITE = ("*",)  # the default: the embed is a feature, any site may hold it
DEFAULT_FRAME_ANCESTORS = ANY_SITE

# The basemaps' tile servers (map/layers.py: folium's "OpenStreetMap" and CARTO's light map).
TILE_SERVERS = ("https://tile.openstreetmap.org", "https://*.basemaps.cartocdn.com")

# Where Streamlit's page loads a ":material/…:" page icon (the browser tab's icon) from.
FAVICON_SERVER = "https://fonts.gstatic.com"

# Every policy's directives, each source with why it is there (docs/deploy.md repeats them).
PAGE: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    # The app's own scripts; Streamlit's index.html's inline script is added by its hash.
    # 'wasm-unsafe-eval' lets WebAssembly compile, never JavaScript's eval: Streamlit's protobuf
    # (long.js) compiles a tiny module for 64-bit arithmetic when the page opens.
    "script-src": ("'self'", "'wasm-unsafe-eval'"),
    # Streamlit's styles are emotion's inline <style> elements and style attributes;
    # the pages add theirs with st.html("<style>…") (ui/publish.py, ui/embed.py).
    "style-src": ("'self'", "'unsafe-inline'"),
    # Streamlit's icons and the app's images as data: URLs; the tab's icon, a Material symbol
    # (app.py's page_icon), which Streamlit's page loads from Google's font server.
    "img-src": ("'self'", "data:", FAVICON_SERVER),
    "font-src": ("'self'", "data:"),
    # Streamlit's websocket (/_stcore/stream) and its fetches: same origin, ws: and wss: included.
    "connect-src": ("'self'",),
    # The map's frame (Streamlit's component, served by the app).
    "frame-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
}
MAP_FRAME: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    # streamlit-folium appends the map's script as an inline <script> and runs each overlay's
    # script with eval (its feature groups): neither can be hashed ahead, both change with the view.
    # leaflet-measure builds its panel from templates compiled with new Function (eval too).
    "script-src": ("'self'", "'unsafe-inline'", "'unsafe-eval'"),
    # folium's head styles and Leaflet's positioning are inline styles.
    "style-src": ("'self'", "'unsafe-inline'"),
    # Basemap tiles; Leaflet's and the markers' data: images.
    "img-src": ("'self'", "data:", *TILE_SERVERS),
    "font-src": ("'self'", "data:"),
    # The map's data files (static/generated/) and Streamlit's messages to the frame.
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'none'",),
}
API: dict[str, tuple[str, ...]] = {"default-src": ("'none'",), "frame-ancestors": ("'none'",)}
OGC: dict[str, tuple[str, ...]] = {
    "default-src": ("'none'",),
    "style-src": ("'self'",),
    "base-uri": ("'none'",),
    "form-action": ("'none'",),
    "frame-ancestors": ("'none'",),
}

# Beside the policy, on every response.
COMMON: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    # Share links and the sources' links keep working; other sites learn only the origin.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    # No page of the atlas uses a camera, a microphone, the position or payments.
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    # A page opened from the atlas (a source's link) cannot reach back into it.
    "Cross-Origin-Opener-Policy": "same-origin",
}


# --- the frame-ancestors setting ------------------------------------------------------------------

_SCHEME = r"[A-Za-z][A-Za-z0-9+.\-]*"
_HOST = r"(?:\*|(?:\*\.)?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.?|\[[0-9A-Fa-f:.]+\])"
_PORT = r"(?::(?:[0-9]+|\*))?"
_PATH = r"(?:/[A-Za-z0-9\-._~%!$&'()*+=:@/]*)?"
# CSP's host-source (a site: scheme, host, port, path), scheme-source ("https:") and the one
# keyword that may stand among them, 'self' (W3C CSP Level 3, "Source lists").
_SOURCE = re.compile(rf"(?:{_SCHEME}://)?{_HOST}{_PORT}{_PATH}|{_SCHEME}:|'self'", re.ASCII)


class FrameAncestorsError(ValueError):
    """A frame-ancestors setting that is not a list of CSP sources, with what is wrong in it."""


def parse_frame_ancestors(text: str) -> tuple[str, ...]:
    """The sites that may frame the embed, from a setting: CSP sources separated by spaces
    (``https://news.example.org https://*.example.com``, ``'self'``, ``*``), or ``'none'``
    alone (no other site). Raises :class:`FrameAncestorsError` naming the first source that is not one."""
    sources = tuple(text.split())
    if not sources:
        raise FrameAncestorsError("it is empty")
    if "'none'" in sources:
        if len(sources) > 1:
            raise FrameAncestorsError("'none' cannot stand with other sources")
        return sources
    for source in sources:
        if not _SOURCE.fullmatch(source) or source.endswith("://"):
            hint = " (sources are separated by spaces)" if "," in source else ""
            raise FrameAncestorsError(f"{source!r} is not a CSP source{hint}")
    return sources


def frame_ancestors_from(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The setting ``$STRATEGIC_SITES_FRAME_ANCESTORS``, or the default (any site) when it is
    unset; a value that is not a list of sources is logged in one line and the default used."""
    environ = os.environ if environ is None else environ
    raw = environ.get(FRAME_ANCESTORS_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_FRAME_ANCESTORS
    try:
        return parse_frame_ancestors(raw)
    except FrameAncestorsError as error:
        LOG.error(
            "Strategic Sites Atlas: %s=%r is refused: %s; any site may embed the atlas instead", FRAME_ANCESTORS_ENV, raw, error
        )
        return DEFAULT_FRAME_ANCESTORS


def framing(sources: tuple[str, ...]) -> tuple[str, ...]:
    """``frame-ancestors`` of the embed and the map's frame: the atlas itself and ``sources``."""
    if sources == ("'none'",):
        return ("'self'",)
    if "*" in sources:
        return ("*",)
    return ("'self'", *(source for source in sources if source != "'self'"))


# --- Streamlit's inline script ---------------------------------------------------------------------


class _InlineScripts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._inside: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._inside = []

    def handle_data(self, data):
        if self._inside is not None:
            self._inside.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._inside is not None:
            self.scripts.append("".join(self._inside))
            self._inside = None


def inline_script_hashes(html: str) -> tuple[str, ...]:
    """The CSP sources (``'sha256-…'``) that allow each inline ``<script>`` of a page as it is."""
    parser = _InlineScripts()
    parser.feed(html)
    parser.close()
    return tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
        for script in parser.scripts
    )


# --- the policies as headers -----------------------------------------------------------------------


def policy(directives: Mapping[str, tuple[str, ...]]) -> str:
    """A Content-Security-Policy header's value."""
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


@dataclass(frozen=True)
class Headers:
    """Every response's security headers, by kind of response (:meth:`for_request`)."""

    page_scripts: tuple[str, ...] = ()  # the hashes of Streamlit's inline scripts
    frame_ancestors: tuple[str, ...] = DEFAULT_FRAME_ANCESTORS
    base_path: str = ""  # Streamlit's server.baseUrlPath, without slashes
    _built: dict[str, list[tuple[bytes, bytes]]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        embed = framing(self.frame_ancestors)
        page = {**PAGE, "script-src": PAGE["script-src"] + self.page_scripts}
        policies = {
            "page": {**page, "frame-ancestors": ("'self'",)},
            "embed": {**page, "frame-ancestors": embed},
            "map-frame": {**MAP_FRAME, "frame-ancestors": embed},
            "api": API,
            "ogc": OGC,
        }
        for kind, directives in policies.items():
            values = {"Content-Security-Policy": policy(directives), **COMMON}
            self._built[kind] = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in values.items()]

    def kind(self, path: str, query: str = "") -> str:
        """Which policy a request's answer gets: ``api``, ``ogc``, ``map-frame``, ``embed`` or ``page``."""
        base = "/" + self.base_path.strip("/") if self.base_path.strip("/") else ""
        for root in dict.fromkeys(("", base)):
            if path == root + "/api" or path.startswith(root + "/api/"):
                return "api"
            if path == root + "/ogc" or path.startswith(root + "/ogc/"):
                return "ogc"
        if path.startswith(base + "/component/"):
            return "map-frame"
        if any(name == "embed" and value.strip().lower() == "true" for name, value in parse_qsl(query, keep_blank_values=True)):
            return "embed"
        return "page"

    def for_request(self, path: str, query: str = "") -> list[tuple[bytes, bytes]]:
        """The headers (lower-case names, as ASGI sends them) for the answer to ``path?query``."""
        return self._built[self.kind(path, query)]

    def values(self, kind: str) -> dict[str, str]:
        """The headers of one kind of answer, by name (for the docs and the tests)."""
        return {name.decode(): value.decode() for name, value in self._built[kind]}


class SecurityHeaders:
    """ASGI middleware: every HTTP answer gets :class:`Headers`' set for its request, replacing
    any header of the same name (Streamlit sends ``X-Content-Type-Options`` on some files)."""

    def __init__(self, app, headers: Headers):
        self.app = app
        self.headers = headers

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.headers.for_request(scope.get("path", ""), scope.get("query_string", b"").decode("latin-1"))
        names = {name for name, _ in extra}

        async def sending(message):
            if message["type"] == "http.response.start":
                kept = [(name, value) for name, value in message.get("headers", []) if name.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, sending)
