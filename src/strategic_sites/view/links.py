"""Every link the atlas writes, built in one place: :class:`Links` knows where the atlas is
served (scheme, host, ``server.baseUrlPath``) and its pages, and writes the share link of a view
on any page, the embed's address, and the short address an image credits.

The query string itself is the URL's, :mod:`strategic_sites.view.urlstate`: the one parser and
writer of a view's parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from strategic_sites.view import urlstate


@dataclass(frozen=True)
class Page:
    path: str  # its url_path ("" for the map, the default page); a public interface (links carry it)
    title: str
    icon: str
    script: str  # the page's script, beside app.py


PAGES: tuple[Page, ...] = (
    Page("", "Map", ":material/map:", "app_pages/map.py"),
    Page("sites", "Sites", ":material/location_on:", "app_pages/sites.py"),
    Page("timeline", "Timeline", ":material/timeline:", "app_pages/timeline.py"),
    Page("events", "Events", ":material/event:", "app_pages/events.py"),
    Page("sources", "Sources", ":material/menu_book:", "app_pages/sources.py"),
    Page("data-api", "Data API", ":material/data_object:", "app_pages/data_api.py"),
    Page("about", "About", ":material/info:", "app_pages/about.py"),
)
PAGE_PATHS = frozenset(page.path for page in PAGES)
SOURCES_PAGE = "sources"
API_ROOT = "/api/v1"  # the data API (strategic_sites.api), at the server's root whatever its base path
API_LEAVES_OUT = ("layers", "map")  # share-link parameters that change no data


@dataclass(frozen=True)
class Links:
    """The atlas's links, as served at ``root``: scheme, host and base path (no trailing
    slash), e.g. ``https://host/atlas``. An empty root writes links relative to the site."""

    root: str = ""
    origin: str = ""  # scheme and host alone (the data API is served at the server's root)

    @classmethod
    def served_at(cls, context_url: str, base_path: str) -> Links:
        """From the address the user reached the app at (any page, any query) and the app's
        ``server.baseUrlPath``."""
        parts = urlsplit(context_url or "")
        base = base_path.strip("/")
        origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        return cls(urlunsplit((parts.scheme, parts.netloc, "/" + base if base else "", "", "")), origin)

    def page(self, page: str = "", params: Mapping[str, Sequence[str]] | None = None) -> str:
        """A page's address with a view's parameters: ``https://host/atlas/sites?site=baikonur``,
        ``https://host/?country=KGZ`` (the map: the base path's root)."""
        page = page.strip("/")
        path = self.root + "/" + page if page else self.root + "/"
        return path + urlstate.query_string(params or {})

    def view(self, filters, known: urlstate.Known, page: str = "") -> str:
        """The share link of a view (:func:`urlstate.share_params`: dated, and with the data's version)."""
        return self.page(page, urlstate.share_params(filters, known))

    def api(self, endpoint: str, filters, known: urlstate.Known) -> str:
        """A view's data from the data API: ``https://host/api/v1/sites.geojson?country=KGZ&asof=…``
        (the share link's parameters, dated and versioned, less those that change no data)."""
        params = {k: v for k, v in urlstate.share_params(filters, known).items() if k not in API_LEAVES_OUT}
        return f"{self.origin}{API_ROOT}/{endpoint}" + urlstate.query_string(params)

    @staticmethod
    def embed(share_link: str, height: int) -> str:
        """The embedded page's address: the view's link, embedded, at ``height`` px."""
        joiner = "&" if "?" in share_link else "?"
        return f"{share_link}{joiner}embed=true&h={height}"

    @staticmethod
    def short_sources(share_link: str) -> str:
        """Where a view's sources are listed, short enough to print under an image: the atlas's
        address without the scheme or the query, on its Sources page (``host/atlas/sources``)."""
        parts = urlsplit(share_link)
        path = parts.path.rstrip("/")
        head, _, last = path.rpartition("/")
        base = head if last in PAGE_PATHS else path
        return f"{parts.netloc}{base}/{SOURCES_PAGE}"

