"""The filter state of a view and the one function that applies it to the atlas.

The map, the tables, the charts, the site panel and the counts above them all come from
:func:`apply`, called once per rerun, so they always agree. The :class:`View` answers every
question about what it shows (a site's status and lease on the as-of date, the events at
the sites shown); nothing downstream works them out again. A site selected from outside
the filters is answered by :func:`focus`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import pandas as pd

from strategic_sites.core import layerset
from strategic_sites.core.vocab import CONFIDENCE, CONFIDENCE_MEANING, OPERATORS, SITE_KINDS, STATUSES
from strategic_sites.data.atlas import Atlas
from strategic_sites.view import compare, search
from strategic_sites.view.language import Names
from strategic_sites.view.language import names as names_of
from strategic_sites.view.timeline import events_in_years, leases_in_force, status_as_of

FIRST_YEAR = 1991
LAYERS = layerset.ids()


def _today() -> date:
    return date.today()


@dataclass(frozen=True)
class Filters:
    """Everything that defines a view; the URL holds exactly this (see :mod:`urlstate`)."""

    countries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()  # who ran the site on the as-of date (control.csv operator_group)
    asof: date = field(default_factory=_today)
    year_from: int = FIRST_YEAR
    year_to: int = field(default_factory=lambda: _today().year)
    q: str = ""
    site: str = ""
    layers: tuple[str, ...] = LAYERS
    lang: str = "en"  # names in English or Russian (display only: never changes what is shown)
    confidence: tuple[str, ...] = ()  # facts of these grades only (none chosen: all)
    vs: date | None = None  # compare the as-of date with this one (None: no comparison)
    at: tuple[float, float, float] | None = None  # where the map is, (lat, lon, zoom); None: fitted to the sites (display only)


# --- the filters that choose sites: a registry ----------------------------------------------
#
# Each filter of the sites by chosen values of one of their properties is declared once, below:
# its field of Filters, its URL parameter, its widget, its values, how it narrows the sites (and
# the events and the user's own points), and how it reads in words and in file names. The URL
# (urlstate), the sidebar, apply, the downloads' names, the image and the export's note, the
# embed and the user's points all read CHOICES. To add one: CONTRIBUTING.md, "Add a filter".


@dataclass(frozen=True)
class Facts:
    """What a filter may look at to choose sites: the atlas, and each site's control period on
    the as-of date (of the chosen confidence grades)."""

    atlas: Atlas
    status: pd.DataFrame  # timeline.status_as_of: one row per site with one, indexed by site id


@dataclass(frozen=True)
class Choice:
    """A filter of the sites by chosen values of one property (none chosen: every site)."""

    field: str  # its field of Filters: a tuple of the chosen values, in the order of `values`
    param: str  # its URL parameter (a public interface: never renamed)
    label: str  # the widget's label
    heading: str  # in words: "Host countries: Kazakhstan (KAZ)"
    noun: str  # one value, as a link's warning names one it cannot use
    placeholder: str  # the widget's text when nothing is chosen
    values: Callable[[object], Sequence[str]]  # every value a link may name, in order (given urlstate.Known)
    word: Callable[[Names, str], str]  # a value in words
    keep: Callable[[Facts, pd.DataFrame, frozenset], pd.Series]  # of the sites frame: those that pass
    help: str = ""
    shown_values: Callable[[Atlas], set] | None = None  # the values the widget offers (None: all)
    normalise: Callable[[str], str] = str.lower
    # Events away from any site (a treaty signed in Moscow) stay while this filter is on when
    # this says so of them; None: they go (the filter is about sites, and they are at none).
    away_events: Callable[[pd.DataFrame, frozenset], pd.Series] | None = None
    narrows_events: bool = True  # whether choosing drops events not at or about the sites shown
    grades_facts: bool = False  # the confidence filter: keeps the facts of the chosen grades only
    points: Callable[[pd.DataFrame, frozenset], pd.Series] | None = None  # the user's points kept (None: all)
    file_default: str = ""  # what a file name says when none is chosen ("" : nothing)
    meaning: str = ""  # the README's table of parameters

    def chosen(self, filters: Filters) -> tuple[str, ...]:
        return getattr(filters, self.field)

    def ordered(self, values, known) -> tuple[str, ...]:
        """``values`` in this filter's canonical order (for the URL, the widgets, the cache key)."""
        wanted = set(values)
        return tuple(v for v in self.values(known) if v in wanted)


def _status_in(column: str):
    def keep(facts: Facts, sites: pd.DataFrame, chosen: frozenset) -> pd.Series:
        status = facts.status
        return sites["id"].isin(set(status.index[status[column].isin(chosen)]))

    return keep


CHOICES: tuple[Choice, ...] = (
    Choice(
        field="countries",
        param="country",
        label="Host country",
        heading="Host countries",
        noun="host country code (ISO 3166-1 alpha-3 of a country in the atlas)",
        placeholder="All countries",
        values=lambda known: sorted(known.countries),
        word=Names.country_with_code,
        keep=lambda facts, sites, chosen: sites["country"].isin(chosen),
        normalise=str.upper,
        away_events=lambda events, chosen: _any_in(events["country_list"], set(chosen)),
        points=lambda points, chosen: points["country"].isin(chosen),
        file_default="all",
        meaning="ISO3 host countries; repeat or comma-separate",
    ),
    Choice(
        field="kinds",
        param="kind",
        label="Site kind",
        heading="Kinds",
        noun="site kind",
        placeholder="All kinds",
        values=lambda known: tuple(SITE_KINDS),
        word=Names.kind,
        keep=lambda facts, sites, chosen: sites["kind"].isin(chosen),
        shown_values=lambda atlas: set(atlas.sites["kind"]),
        meaning="site kinds",
    ),
    Choice(
        field="statuses",
        param="status",
        label="Status on the as-of date",
        heading="Status",
        noun="control status",
        placeholder="Any status",
        values=lambda known: tuple(STATUSES),
        word=Names.status,
        keep=_status_in("status"),
        meaning="control status on the as-of date",
    ),
    Choice(
        field="operators",
        param="operator",
        label="Operator on the as-of date",
        heading="Operator",
        noun="operator",
        placeholder="Any operator",
        values=lambda known: tuple(OPERATORS),
        word=lambda names, value: OPERATORS.get(value, value),
        keep=_status_in("operator_group"),
        shown_values=lambda atlas: set(atlas.control["operator_group"]) - {""},
        help="Who ran the site on the as-of date, grouped from each control period's operator "
        "(the site's history gives the operator in full).",
        meaning="who ran the site on the as-of date",
    ),
    Choice(
        field="confidence",
        param="conf",
        label="Confidence",
        heading="Confidence",
        noun=f"confidence grade ({', '.join(CONFIDENCE)})",
        placeholder="Any confidence",
        values=lambda known: tuple(CONFIDENCE),
        word=lambda names, grade: CONFIDENCE[grade].lower(),
        keep=lambda facts, sites, chosen: sites["id"].isin(set(facts.status.index)),
        help="Only facts graded so: events, leases, and sites whose status on the as-of date is. "
        + "; ".join(f"{CONFIDENCE[g]}: {CONFIDENCE_MEANING[g]}" for g in CONFIDENCE)
        + ".",
        narrows_events=False,
        grades_facts=True,
        meaning="facts of these confidence grades only (events, leases, and sites whose status on the as-of date is so graded)",
    ),
)
CHOICE_BY_PARAM = {choice.param: choice for choice in CHOICES}


def in_words(atlas: Atlas, filters: Filters) -> list[str]:
    """The chosen values of every filter, a line each: ``Host countries: Kazakhstan (KAZ)``."""
    names = names_of(atlas)
    return [f"{c.heading}: " + ", ".join(c.word(names, v) for v in c.chosen(filters)) for c in CHOICES if c.chosen(filters)]


def in_file_name(filters: Filters) -> list[str]:
    """The chosen values of every filter, a part each, for a file name: ``KAZ-KGZ``, ``air_base``."""
    parts = []
    for choice in CHOICES:
        chosen = choice.chosen(filters)
        if chosen or choice.file_default:
            parts.append("-".join(chosen) or choice.file_default)
    return parts


def points_shown(points: pd.DataFrame, filters: Filters) -> pd.Series:
    """Of a user's own points: those every filter that applies to them keeps."""
    keep = pd.Series(True, index=points.index)
    for choice in CHOICES:
        chosen = choice.chosen(filters)
        if chosen and choice.points is not None:
            keep &= choice.points(points, frozenset(chosen))
    return keep


@dataclass(frozen=True)
class View:
    """What one set of filters shows."""

    filters: Filters
    sites: gpd.GeoDataFrame
    events: gpd.GeoDataFrame
    leases: pd.DataFrame  # all lease rows of the sites shown
    areas: gpd.GeoDataFrame
    status: pd.DataFrame  # status on the as-of date of the sites shown (those with one)
    in_force: pd.DataFrame  # governing leases on the as-of date of the sites shown
    found_as: dict[str, str] = field(default_factory=dict)  # site id -> the other name a search found it by
    changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=compare.COLUMNS))  # Compare mode: what differs (compare.changes)

    @property
    def compared(self) -> tuple[date, date] | None:
        """The two dates compared, earlier first (None: not comparing)."""
        return tuple(sorted((self.filters.asof, self.filters.vs))) if compares(self.filters) else None

    def changes_of(self, site_id: str) -> pd.DataFrame:
        """The site's rows of :attr:`changes` (none: unchanged, or not comparing)."""
        return self.changes[self.changes["site_id"] == site_id]

    @property
    def counts(self) -> dict[str, int]:
        return {"sites": len(self.sites), "events": len(self.events), "leases": len(self.in_force)}

    def shows(self, site_id: str) -> bool:
        return site_id in set(self.sites["id"])

    def status_of(self, site_id: str) -> pd.Series | None:
        """The site's control period on the as-of date (None: no record covers it)."""
        return _row(self.status, site_id)

    def lease_of(self, site_id: str) -> pd.Series | None:
        """The lease governing the site on the as-of date, with ``years_remaining``."""
        return _row(self.in_force, site_id)

    def site_events(self, events: pd.DataFrame | None = None) -> pd.DataFrame:
        """The events of the view (or ``events``) that belong to a site shown (at it, or
        about it), each with ``row_site``: the site whose row it goes on (where it happened,
        else the first site it concerns)."""
        events = self.events if events is None else events
        first = events["concern_ids"].map(lambda ids: ids[0] if len(ids) else "")
        row_site = events["site_id"].astype(str).where(events["site_id"] != "", first)
        events = events.assign(row_site=row_site)
        return events[events["row_site"].isin(set(self.sites["id"]))]


def compares(filters: Filters) -> bool:
    """Whether a view compares two dates: a compare date that is not the as-of date. (The one
    place that decides it: a compare date equal to the as-of date is no comparison.)"""
    return filters.vs is not None and filters.vs != filters.asof


def _row(frame: pd.DataFrame, key: str) -> pd.Series | None:
    """The row of ``key`` in a frame indexed by site id, or None."""
    return frame.loc[key] if key in frame.index else None


def _matches(series: pd.Series, text: str) -> pd.Series:
    return series.fillna("").str.casefold().str.contains(text.casefold(), regex=False)


def _any_in(lists: pd.Series, wanted: set[str]) -> pd.Series:
    """For a column of lists: whether each list holds one of ``wanted`` (vectorised)."""
    items = lists.explode()
    return items.isin(wanted).groupby(level=0).any().reindex(lists.index, fill_value=False).astype(bool)


def _touches(events: pd.DataFrame, ids: set[str]) -> pd.Series:
    """Events at one of the sites, or concerning one of them."""
    return events["site_id"].isin(ids) | _any_in(events["concern_ids"], ids)


def graded(frame: pd.DataFrame, confidence: tuple[str, ...]) -> pd.DataFrame:
    """The rows of a frame of facts (control periods, leases, events) of the chosen grades."""
    return frame[frame["confidence"].isin(confidence)] if confidence else frame


def apply(atlas: Atlas, filters: Filters) -> View:
    """Filter the atlas.

    Sites: by host country, kind, status on the as-of date, and search text (any name of the
    site: :mod:`strategic_sites.view.search`; the best hits first). Events: by period; when sites
    are filtered, those at or about the sites that pass, plus events away from any site that
    involve a chosen country (unless a kind or status is chosen); search text also finds events
    by title. A confidence filter keeps the facts of the chosen grades: the events, the lease
    agreements, and the sites whose status on the as-of date is one of them.
    """
    control = graded(atlas.control, filters.confidence)
    status_all = status_as_of(control, filters.asof)
    facts = Facts(atlas, status_all)
    sites = atlas.sites
    for choice in CHOICES:
        chosen = choice.chosen(filters)
        if chosen:
            sites = sites[choice.keep(facts, sites, frozenset(chosen))]
    structural_ids = set(sites["id"])
    q = filters.q.strip()
    found_as = {}
    if q:
        hits = [hit for hit in search.finder(atlas).find(q) if hit.site_id in structural_ids]
        order = {hit.site_id: rank for rank, hit in enumerate(hits)}
        sites = sites[sites["id"].isin(order)]
        sites = sites.iloc[sites["id"].map(order).argsort(kind="stable")]
        found_as = {hit.site_id: said for hit in hits if (said := search.matched_name(hit))}
    shown = set(sites["id"])

    events = graded(events_in_years(atlas.events, filters.year_from, filters.year_to), filters.confidence)
    narrowing = [c for c in CHOICES if c.narrows_events and c.chosen(filters)]
    if narrowing:
        # Events at or about the sites that pass, and events away from any site that every
        # filter chosen keeps (a chosen country keeps those involving it; a kind drops them).
        loose = (events["site_id"] == "") & events["concern_ids"].str.len().eq(0)
        for choice in narrowing:
            loose &= choice.away_events(events, frozenset(choice.chosen(filters))) if choice.away_events else False
        events = events[_touches(events, structural_ids) | loose]
    if q:
        events = events[_matches(events["title"], q) | _matches(events["title"], search.fold(q)) | _touches(events, shown)]

    leases = graded(atlas.leases[atlas.leases["site_id"].isin(shown)], filters.confidence)
    changes = None
    if compares(filters):
        changes = compare.changes(control, leases, list(sites["id"]), filters.asof, filters.vs, names_of(atlas))
    return View(
        filters=filters,
        sites=sites,
        events=events,
        leases=leases,
        areas=atlas.areas[atlas.areas["site_id"].isin(shown)],
        status=status_all[status_all["site_id"].isin(shown)],
        in_force=leases_in_force(leases, filters.asof),
        found_as=found_as,
        **({"changes": changes} if changes is not None else {}),
    )


def focus(atlas: Atlas, view: View, site_id: str) -> View:
    """The view that answers for one selected site: ``view`` itself when it shows the site,
    else the site alone on the view's as-of date (a site opened by link or picked outside
    the filters is still shown, with its status and lease on that date)."""
    if view.shows(site_id):
        return view
    return site_only(atlas, site_id, view.filters.asof)


def site_only(atlas: Atlas, site_id: str, day: date) -> View:
    """The view of one site alone on ``day`` (its status, leases and areas; no events),
    whatever the filters: the site page's small map."""
    sites = atlas.sites[atlas.sites["id"] == site_id]
    leases = atlas.leases[atlas.leases["site_id"] == site_id]
    return View(
        filters=Filters(asof=day, site=site_id, layers=("status", "leases", "countries")),
        sites=sites,
        events=atlas.events.iloc[:0],
        leases=leases,
        areas=atlas.areas[atlas.areas["site_id"] == site_id],
        status=status_as_of(atlas.control[atlas.control["site_id"] == site_id], day),
        in_force=leases_in_force(leases, day),
    )
