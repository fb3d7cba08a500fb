"""Every JS/CSS asset the map uses, served by the app itself from ``static/``.

folium and its plugins point at public CDNs. :func:`localize` rewrites those URLs, in
this one place, to the pinned copies from the npm registry in ``static/vendor/`` (each
with its licence), so that the map renders with no internet access. A CDN URL that is not
in :data:`VENDORED` is an error: a new plugin must be vendored before it is used.

The atlas's own script and style sheet (``static/atlas/``) are named ``atlas:<file>`` by
the map elements; their links carry a hash of the file, so a browser never keeps a stale
copy after an upgrade.
"""

from __future__ import annotations

from pathlib import Path

import hashlib
from functools import cache

import folium

ROOT = Path(__file__).resolve().parents[3]
STATIC_DIR = ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
OWN = "atlas:"  # the scheme of the atlas's own files in static/atlas/

# CDN URL folium uses -> file under static/vendor/ (npm package@version/path).
VENDORED: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet@1.9.3/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet@1.9.3/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery@3.7.1/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": "leaflet.markercluster@1.1.0/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": "leaflet.markercluster@1.1.0/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": "leaflet.markercluster@1.1.0/MarkerCluster.Default.css",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js": "leaflet.fullscreen@3.0.0/Control.FullScreen.js",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css": "leaflet.fullscreen@3.0.0/Control.FullScreen.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.js": "leaflet-minimap@3.6.1/Control.MiniMap.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.css": "leaflet-minimap@3.6.1/Control.MiniMap.min.css",
    "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.js": "leaflet-measure@2.1.7/leaflet-measure.js",
    "https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.css": "leaflet-measure@2.1.7/leaflet-measure.css",
    "https://cdn.jsdelivr.net/npm/supercluster@9.1.0/dist/supercluster.min.js": "supercluster@9.1.0/supercluster.min.js",
}

# What the map itself needs of folium's defaults: Leaflet only. The atlas builds its popups
# itself, so folium's jQuery, Bootstrap and awesome-markers are not loaded.
MAP_JS = ["https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"]
MAP_CSS = ["https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"]

# Where the component iframe of streamlit-folium finds Streamlit's static folder: the
# iframe lives at <base>/component/<name>/index.html and static files at
# <base>/app/static/, so a relative URL keeps working under server.baseUrlPath.
STREAMLIT_PREFIX = "../../app/static/"


class UnvendoredAsset(RuntimeError):
    """An element asks for a JS/CSS file that is not in static/vendor/."""


def _elements(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _elements(child)


def localize(element, prefix: str = STREAMLIT_PREFIX) -> None:
    """Point every JS/CSS link of ``element`` and its children at the vendored copies."""
    for item in _elements(element):
        if isinstance(item, folium.Map):
            item.default_js = [(url, url) for url in MAP_JS]
            item.default_css = [(url, url) for url in MAP_CSS]
        for attr in ("default_js", "default_css"):
            links = getattr(item, attr, None)
            if not links:
                continue
            rewritten = []
            for name, url in links:
                if url.startswith(("http://", "https://")):
                    if url not in VENDORED:
                        raise UnvendoredAsset(f"{type(item).__name__} needs {url}, which is not vendored in static/vendor/")
                    url = prefix + "vendor/" + VENDORED[url]
                elif url.startswith(OWN):
                    relative = "atlas/" + url[len(OWN) :]
                    url = f"{prefix}{relative}?v={_file_hash(relative)}"
                rewritten.append((name, url))
            setattr(item, attr, rewritten)


@cache
def _file_hash(relative: str) -> str:
    return hashlib.sha256((STATIC_DIR / relative).read_bytes()).hexdigest()[:10]


def static_path(link: str) -> Path:
    """The file on disk behind a vendored CDN URL, an ``atlas:`` name or a localized link."""
    if link in VENDORED:
        return VENDOR_DIR / VENDORED[link]
    if link.startswith(OWN):
        return STATIC_DIR / "atlas" / link[len(OWN) :]
    relative = link.split("?", 1)[0]
    for folder in ("vendor/", "atlas/"):
        if folder in relative:
            return STATIC_DIR / folder / relative.split(folder, 1)[1]
    return VENDOR_DIR / relative


vendored_path = static_path  # the name older callers use
