"""Citations: the atlas as seen in a view, one site, or one fact, with the sources behind it, as
BibTeX, RIS, CSL-JSON or formatted text.

The one entry point is :func:`citation`; the page ("Cite this view", "Cite this site") and the
data API call it alike::

    citation(atlas, view, link, fmt="bibtex", scope="view")            # the view, with its sources
    citation(atlas, view, link, fmt="ris", scope="site:baikonur")      # a site, with its facts' sources
    citation(atlas, view, link, fmt="text", scope="lease:baikonur:2010-06-07")  # one fact

It returns a :class:`Citation`: the text, its media type and its file extension (and a file name
that says what it holds). A bad format, scope or id raises :class:`CiteError`, whose message names
what is wrong and what is allowed.

**What is cited.** First the atlas itself: "Strategic Sites Atlas", by the Strategic Sites Atlas
contributors (the project names no other authors: LICENSE), a dataset with the data's version and
the date of its latest change (``atlas.data_version``), the day it was accessed and ``link``, the
share link of what is cited. Then the sources (``geodata/sources.csv``) behind what is cited:

- ``view``: every source cited by the sites and events the view shows, exactly the Sources page's
  bibliography (:func:`strategic_sites.outputs.tables.bibliography`);
- ``site:<site id>``: every source of the site's facts: its record (location, names, kind), its
  control periods, leases, drawn areas and events, and the sources of a disputed fact's other
  value (the site panel's Sources list);
- one fact: ``control:<site id>:<start>`` (a control period, named by its site and its start as
  written in control.csv), ``lease:<site id>:<start>`` (a lease agreement, by its site and the
  start of its terms), ``event:<event id>``. Its sources; when the fact is disputed, also the
  sources of the other value, each marked as such (:func:`facts` lists a site's facts with their
  scopes and labels).

**Formats** (:data:`FORMATS`): ``bibtex`` (biblatex entry types: ``@dataset`` for the atlas,
``@online`` for web pages, ``@article`` for news with its outlet as ``journaltitle``,
``@legislation`` for legal texts; LaTeX's special characters escaped, other Unicode kept, keys
the source ids), ``ris`` (``DATA``, ``ELEC``, ``NEWS``, ``STAT``; written by ``rispy``),
``csl-json`` (an array of CSL items; the atlas as ``dataset`` with its ``version``) and ``text``
(the citations formatted by ``citeproc-py`` in its bundled Harvard "Cite Them Right" style,
British English). Reference managers (Zotero, Mendeley, EndNote, JabRef) import the first three.

A source's kind (web page, news, legal text) is not a column of sources.csv: it is read from its
publisher and address (:func:`source_kind`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from urllib.parse import quote

import pandas as pd

from strategic_sites.core import text
from strategic_sites.data.atlas import Atlas
from strategic_sites.data.schema import split_list
from strategic_sites.outputs import tables
from strategic_sites.view.filters import View
from strategic_sites.view.language import names as names_of
from strategic_sites.view.timeline import events_of_site

TITLE = "Strategic Sites Atlas"
AUTHOR = "Strategic Sites Atlas contributors"  # LICENSE's copyright holder; the project names no one else
STYLE = "harvard-cite-them-right"  # bundled with citeproc-py
LOCALE = "en-GB"


@dataclass(frozen=True)
class Format:
    name: str  # ``fmt=``: a public interface (the data API takes it)
    label: str  # how the page names it
    media_type: str
    extension: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("text", "Formatted text (Harvard, Cite Them Right)", "text/plain; charset=utf-8", "txt"),
        Format("bibtex", "BibTeX", "application/x-bibtex; charset=utf-8", "bib"),
        Format("ris", "RIS", "application/x-research-info-systems; charset=utf-8", "ris"),
        Format("csl-json", "CSL-JSON", "application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
    )
}
SCOPES = ("view", "site", "control", "lease", "event")  # the first part of ``scope=``


class CiteError(ValueError):
    """A citation asked for with a format, scope or id that does not exist: the message says
    which, and what may be asked for."""


@dataclass(frozen=True)
class Citation:
    text: str
    media_type: str
    extension: str
    file_name: str  # ``cite_baikonur_def37359.bib``: what it holds, and the data's version


@dataclass(frozen=True)
class Fact:
    """One fact of a site that can be cited on its own."""

    scope: str  # ``lease:baikonur:2010-06-07``
    kind: str  # control, lease or event
    label: str  # ``Lease 2004-01-09: Kazakhstan → Russia, 2010-06-07 – 2050 (! disputed)``
    sources: tuple[str, ...]  # source ids of the value kept
    other_sources: tuple[str, ...] = ()  # a disputed fact: source ids of the other value
    other_value: str = ""  # ``annual rent usd: 150000000``


# --- what is cited ------------------------------------------------------------------------------


def _grade(confidence) -> str:
    graded = tables.grade(confidence)
    return f" ({graded})" if graded else ""


def _fact(kind: str, scope: str, label: str, row) -> Fact:
    column = text.disputed_column(row.confidence, row.dispute_field)
    other = tuple(split_list(str(row.dispute_source_id))) if column else ()
    return Fact(scope, kind, label + _grade(row.confidence), tuple(row.source_ids), other, f"{column}: {row.dispute_value}" if column else "")


def facts(atlas: Atlas, site_id: str) -> list[Fact]:
    """The site's control periods (oldest first), lease agreements (by the start of their terms)
    and events (at or about it, oldest first), each with its scope, label and sources."""
    names = names_of(atlas)
    found: list[Fact] = []
    for period in atlas.control[atlas.control["site_id"] == site_id].sort_values("start_date").itertuples():
        label = f"Control {text.period(period.start, period.end)}: {names.status(period.status)}"
        found.append(_fact("control", f"control:{site_id}:{period.start}", label, period))
    for lease in atlas.leases[atlas.leases["site_id"] == site_id].sort_values("start_date").itertuples():
        signed = f" signed {lease.signed}" if not text.blank(lease.signed) else ""
        label = f"Lease{signed}: {names.parties(lease.lessor, lease.lessee)}, {text.period(lease.start, lease.end)}"
        found.append(_fact("lease", f"lease:{site_id}:{lease.start}", label, lease))
    for event in events_of_site(atlas.events, site_id).itertuples():
        found.append(_fact("event", f"event:{event.id}", f"Event {event.date}: {event.title}", event))
    return found


def _site_of(atlas: Atlas, site_id: str) -> pd.Series:
    site = atlas.site(site_id)
    if site is None:
        raise CiteError(f"There is no site with id “{site_id}”.")
    return site


def fact(atlas: Atlas, scope: str) -> Fact:
    """The fact a scope names (``control:<site id>:<start>``, ``lease:<site id>:<start>``,
    ``event:<event id>``)."""
    kind, _, rest = scope.partition(":")
    if kind == "event":
        match = atlas.events[atlas.events["id"] == rest]
        if match.empty:
            raise CiteError(f"There is no event with id “{rest}”.")
        row = match.iloc[0]
        site_id = str(row["site_id"]) or (list(row["concern_ids"]) or [""])[0]
    else:
        site_id, _, start = rest.partition(":")
        if kind not in ("control", "lease") or not start:
            raise CiteError(_scope_help(scope))
        _site_of(atlas, site_id)
    for found in facts(atlas, site_id) if site_id else []:
        if found.scope == scope:
            return found
    if kind == "event":  # an event away from every site: not on any site's list
        return _fact("event", scope, f"Event {row['date']}: {row['title']}", next(match.itertuples()))
    what = "control period" if kind == "control" else "lease"
    raise CiteError(f"Site “{site_id}” has no {what} starting “{start}”.")


def _scope_help(scope: str) -> str:
    return (
        f"“{scope}” is not something to cite: use view, site:<site id>, control:<site id>:<start>, "
        "lease:<site id>:<start> or event:<event id>."
    )


def _site_sources(atlas: Atlas, site_id: str) -> list[str]:
    """The ids of the sources of every fact of a site, in the order first cited: its record,
    control periods, leases, drawn areas and events, with the other values of disputed facts."""
    site = _site_of(atlas, site_id)
    cited = list(site["source_ids"])
    for found in facts(atlas, site_id):
        cited += [*found.sources, *found.other_sources]
    for source_ids in atlas.areas.loc[atlas.areas["site_id"] == site_id, "source_ids"]:
        cited += list(source_ids)
    return list(dict.fromkeys(cited))


@dataclass(frozen=True)
class _Cited:
    what: str  # what the atlas's entry cites, in words (its note)
    sources: list[str]  # source ids, in order
    other: dict[str, str]  # source id -> the disputed value it gives, for a fact's other sources


def _view_in_words(atlas: Atlas, view: View | None) -> str:
    if view is None:
        raise CiteError("Citing a view needs the view.")
    from strategic_sites.outputs.export import describe  # the view in words, as the exports say it

    return "View: " + "; ".join(line for line in describe(atlas, view) if not line.startswith("Data version"))


def _cited(atlas: Atlas, view: View | None, scope: str) -> _Cited:
    kind, _, rest = (scope or "").partition(":")
    if kind == "view" and not rest:
        what = _view_in_words(atlas, view)
        shown = tables.bibliography(atlas, set(view.sites["id"]), set(view.events["id"]))
        return _Cited(what, list(shown["id"]), {})
    if kind == "site" and rest:
        site = _site_of(atlas, rest)
        return _Cited(f"Site: {site['name']}", _site_sources(atlas, rest), {})
    if kind in ("control", "lease", "event"):
        found = fact(atlas, scope)
        other = {source_id: found.other_value for source_id in found.other_sources if source_id not in found.sources}
        return _Cited(f"Fact: {found.label}", list(dict.fromkeys([*found.sources, *other])), other)
    raise CiteError(_scope_help(scope))


# --- the records: CSL items, from which every format is written ----------------------------------

_LEGAL = re.compile(r"legal|legislation|\blaws?\b|pravo|adilet|kodeks|zakon|lawmix", re.IGNORECASE)
_WEB = re.compile(
    r"wiki|pedia|mirror|\bcopy\b|forum|blog|kiwix|github|ipfs|encyclopedia|president|kremlin|ministry|"
    r"government|embassy|akorda|commission",
    re.IGNORECASE,
)
CSL_TYPES = {"legal": "legislation", "web": "webpage", "news": "article-newspaper", "atlas": "dataset"}
BIBTEX_TYPES = {"legislation": "legislation", "webpage": "online", "article-newspaper": "article", "dataset": "dataset"}
RIS_TYPES = {"legislation": "STAT", "webpage": "ELEC", "article-newspaper": "NEWS", "dataset": "DATA"}


def source_kind(publisher: str, url: str, published: str) -> str:
    """``legal`` (a legal database or a law's text), ``web`` (an encyclopedia, a copy of one, a
    forum, a blog, an official site, or any undated page) or ``news`` (a dated article of an
    outlet or agency): read from the source's publisher and address."""
    said = f"{publisher} {url}"
    if _LEGAL.search(said):
        return "legal"
    if _WEB.search(said) or text.blank(published):
        return "web"
    return "news"


def _date_parts(value) -> dict | None:
    """A partial ISO date (``2019``, ``2019-03``, ``2019-03-28``) as CSL date parts."""
    value = "" if text.blank(value) else str(value)
    if not re.fullmatch(r"\d{4}(-\d{2}){0,2}", value):
        return None
    return {"date-parts": [[int(part) for part in value.split("-")]]}


def _names(cell) -> list[dict]:
    """The authors of a source (``;``-separated), each as written: names are not split into
    given and family names, which the data does not say (``Kudrenok Tatyana``, ``EFE``)."""
    return [{"literal": name} for name in split_list("" if text.blank(cell) else str(cell))]


def _atlas_item(atlas: Atlas, link: str, what: str, accessed: date) -> dict:
    version = atlas.data_version
    code = version.code if version is not None else atlas.version[:8]
    item = {
        "id": f"strategic-sites-atlas-{code}",
        "type": "dataset",
        "title": TITLE,
        "author": [{"literal": AUTHOR}],
        "version": code,
        "accessed": _date_parts(accessed.isoformat()),
        "URL": link,
        "note": what,
    }
    issued = _date_parts(version.changed) if version is not None else None
    if issued:
        item["issued"] = issued
    return {k: v for k, v in item.items() if v}


def _source_item(row, other_value: str = "") -> dict:
    kind = source_kind(row.publisher, row.url, row.published)
    item: dict = {"id": row.id, "type": CSL_TYPES[kind], "title": row.title}
    authors = _names(row.author)
    if authors:
        item["author"] = authors
    if not text.blank(row.publisher):
        item["container-title"] = row.publisher
    issued = _date_parts(row.published)
    if issued:
        item["issued"] = issued
    if not text.blank(row.url):
        item["URL"] = row.url
    if other_value:
        item["note"] = f"Other value of a disputed fact: gives {other_value}, which the atlas does not keep"
    return item


def items(atlas: Atlas, view: View | None, link: str, scope: str = "view", accessed: date | None = None) -> list[dict]:
    """The CSL items of a citation: the atlas first, then the sources behind what ``scope``
    names, in the order the atlas lists them (a view: the Sources page's; a site or a fact: first
    cited first). A disputed fact's other sources carry a ``note`` saying so."""
    cited = _cited(atlas, view, scope)
    sources = atlas.sources.set_index("id", drop=False)
    found = [sources.loc[source_id] for source_id in cited.sources if source_id in sources.index]
    return [
        _atlas_item(atlas, link, cited.what, accessed or date.today()),
        *(_source_item(_Row(row), cited.other.get(row["id"], "")) for row in found),
    ]


class _Row:
    """A source row read by attribute, its blank cells as empty strings."""

    def __init__(self, row: pd.Series):
        self._row = row

    def __getattr__(self, name: str):
        value = self._row.get(name, "")
        return "" if text.blank(value) else value


# --- the formats ---------------------------------------------------------------------------------


def _iso(parts: dict | None) -> str:
    if not parts:
        return ""
    return "-".join(f"{n:04d}" if i == 0 else f"{n:02d}" for i, n in enumerate(parts["date-parts"][0]))


# BibTeX counts braces even when escaped (``\{``), so braces are written as commands; every
# other LaTeX special character is escaped, and all other Unicode is kept (biber and reference
# managers read UTF-8).
_LATEX = str.maketrans(
    {
        "\\": r"{\textbackslash}",
        "{": r"{\textbraceleft}",
        "}": r"{\textbraceright}",
        "%": r"\%",
        "&": r"\&",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "^": r"{\textasciicircum}",
        "~": r"{\textasciitilde}",
    }
)


def latex(value: str) -> str:
    """Text for a BibTeX field: LaTeX's special characters escaped, on one line."""
    return re.sub(r"\s+", " ", str(value)).strip().translate(_LATEX)


def _bib_url(url: str) -> str:
    """An address as a BibTeX ``url`` field (read verbatim): its non-ASCII characters, braces,
    backslashes and spaces percent-encoded, so that the field always balances."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")


def _bib_key(item_id: str, taken: set[str]) -> str:
    key = re.sub(r"[^A-Za-z0-9_:.\-]", "-", item_id) or "source"
    unique, n = key, 2
    while unique.casefold() in taken:
        unique, n = f"{key}-{n}", n + 1
    taken.add(unique.casefold())
    return unique


def to_bibtex(csl: list[dict]) -> str:
    """The items as biblatex entries (one per item, in order), written by ``bibtexparser``."""
    import bibtexparser
    from bibtexparser import model

    library = bibtexparser.Library()
    taken: set[str] = set()
    for item in csl:
        entry_type = BIBTEX_TYPES[item["type"]]
        fields = []
        if item.get("author"):
            fields.append(("author", " and ".join("{" + latex(name["literal"]) + "}" for name in item["author"])))
        fields.append(("title", "{" + latex(item["title"]) + "}"))  # braced: styles keep its capitals
        container = item.get("container-title")
        if container:
            fields.append(({"article": "journaltitle", "legislation": "publisher"}.get(entry_type, "organization"), latex(container)))
        if item.get("version"):
            fields.append(("version", latex(item["version"])))
        if item.get("issued"):
            fields.append(("date", _iso(item["issued"])))
        if item.get("URL"):
            fields.append(("url", _bib_url(item["URL"])))
        if item.get("accessed"):
            fields.append(("urldate", _iso(item["accessed"])))
        if item.get("note"):
            fields.append(("note", latex(item["note"])))
        library.add(model.Entry(entry_type, _bib_key(item["id"], taken), [model.Field(k, v) for k, v in fields]))
    return bibtexparser.write_string(library)


def _ris_date(parts: dict | None) -> str:
    """A RIS date, ``YYYY/MM/DD/`` with the parts not known left empty."""
    if not parts:
        return ""
    numbers = parts["date-parts"][0]
    said = [f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])]
    return "/".join(said + [""] * (3 - len(said))) + "/"


def ris_entries(csl: list[dict]) -> list[dict]:
    """The items as ``rispy`` entries."""
    entries = []
    for item in csl:
        entry = {"type_of_reference": RIS_TYPES[item["type"]], "id": item["id"], "title": item["title"]}
        if item.get("author"):
            entry["authors"] = [name["literal"] for name in item["author"]]
        if item.get("issued"):
            entry["year"] = str(item["issued"]["date-parts"][0][0])
            entry["date"] = _ris_date(item["issued"])
        if item.get("container-title"):
            entry["secondary_title"] = item["container-title"]
            entry["publisher"] = item["container-title"]
        if item.get("version"):
            entry["edition"] = item["version"]
        if item.get("URL"):
            entry["urls"] = [item["URL"]]
        if item.get("accessed"):
            entry["access_date"] = _ris_date(item["accessed"])
        if item.get("note"):
            entry["notes"] = [item["note"]]
        entries.append(entry)
    return entries


def to_ris(csl: list[dict]) -> str:
    """The items as RIS records, written by ``rispy`` (without its numbered line before each)."""
    import rispy
    from rispy.writer import RisWriter

    class Unnumbered(RisWriter):
        def set_header(self, count: int) -> str:
            return ""  # rispy leaves an empty header out

    return rispy.dumps(ris_entries(csl), implementation=Unnumbered)


@cache
def _style():
    from citeproc import CitationStylesStyle

    path = resources.files("citeproc").joinpath("data", "styles", f"{STYLE}.csl")
    return CitationStylesStyle(str(path), locale=LOCALE, validate=False)


def _as_styled(item: dict) -> dict:
    """An item as the style can write it. Cite Them Right (a CSL 1.0.1 style) has no
    ``dataset`` type: the atlas is written as its guide writes a data set, the title followed by
    ``[Data set, version …]``. A web page or legal text with no named author is written, as
    the guide says, under its publisher (the style would repeat its title in the author's place)."""
    if item["type"] == "dataset":
        item["type"] = "webpage"  # italic title, then ``medium`` in brackets
        item["medium"] = f"Data set, version {item['version']}" if item.get("version") else "Data set"
    elif item["type"] in ("webpage", "legislation") and not item.get("author") and item.get("container-title"):
        item["author"] = [{"literal": item.pop("container-title")}]
    return item


def formatted(csl: Iterable[dict]) -> list[str]:
    """The items as Cite Them Right (Harvard) references, plain text, in the style's order."""
    from citeproc import Citation as CiteprocCitation
    from citeproc import CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    csl = [_as_styled(json.loads(json.dumps(item))) for item in csl]  # citeproc-py changes what it is given
    if not csl:
        return []
    bibliography = CitationStylesBibliography(_style(), CiteProcJSON(csl), formatter.plain)
    for item in csl:
        bibliography.register(CiteprocCitation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def to_text(csl: list[dict]) -> str:
    """The atlas's citation, then its sources; a fact's other sources apart, under their own heading."""
    atlas, sources = csl[0], csl[1:]
    kept = [item for item in sources if not item.get("note")]
    other = [item for item in sources if item.get("note")]
    parts = [formatted([atlas])[0], atlas.get("note", "")]
    if kept:
        parts.append("Sources:\n" + "\n".join(formatted(kept)))
    if other:
        parts.append("Sources of the other value (disputed):\n" + "\n".join(formatted(other)))
    return "\n\n".join(part for part in parts if part) + "\n"


WRITERS = {
    "text": to_text,
    "bibtex": to_bibtex,
    "ris": to_ris,
    "csl-json": lambda csl: json.dumps(csl, ensure_ascii=False, indent=2) + "\n",
}


def file_name(scope: str, fmt: str, version: str) -> str:
    """``cite_view_def37359.bib``, ``cite_site-baikonur_def37359.ris``, ``cite_lease-baikonur-2010-06-07_def37359.json``."""
    said = re.sub(r"[^0-9A-Za-z]+", "-", scope).strip("-")[:80] or "view"
    return f"cite_{said}_{version}.{FORMATS[fmt].extension}"


def citation(atlas: Atlas, view: View | None, link: str, fmt: str = "text", scope: str = "view", accessed: date | None = None) -> Citation:
    """The citation of what ``scope`` names (module docstring) in format ``fmt`` (:data:`FORMATS`):
    the atlas, linked by ``link`` (the share link of the view, the site or the fact's site) and
    accessed on ``accessed`` (default today), then the sources behind it. ``view`` is needed for
    ``scope="view"`` only. Raises :class:`CiteError` for a format, scope or id that does not exist."""
    if fmt not in FORMATS:
        raise CiteError(f"“{fmt}” is not a citation format: use {', '.join(FORMATS)}.")
    csl = items(atlas, view, link, scope, accessed)
    made = FORMATS[fmt]
    return Citation(WRITERS[fmt](csl), made.media_type, made.extension, file_name(scope, fmt, csl[0]["version"]))


def reference(atlas: Atlas, view: View | None, link: str, scope: str = "view", accessed: date | None = None) -> str:
    """The atlas's own reference for ``scope``, formatted (one paragraph: the page shows it to
    copy), without the sources (the downloads hold them)."""
    what = _view_in_words(atlas, view) if scope == "view" else _cited(atlas, view, scope).what
    return formatted([_atlas_item(atlas, link, what, accessed or date.today())])[0]
