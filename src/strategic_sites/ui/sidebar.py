"""The sidebar: the filters every page shares, read from and written back to the URL, the
warning about a link's unusable parts, "Share this view" (the link and the view as data) and
"Cite this view" (:mod:`.cite`)."""

from __future__ import annotations

from dataclasses import astuple, replace
from datetime import date

import streamlit as st

from strategic_sites.view import language, urlstate
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.filters import CHOICES, FIRST_YEAR, LAYERS, Filters, compares
from strategic_sites.ui import state
from strategic_sites.ui.cite import cite_view
from strategic_sites.ui.links import links, share_link
from strategic_sites.ui.loading import current
from strategic_sites.view.links import API_ROOT
from strategic_sites.ui.publish import embed_box
from strategic_sites.core.text import plural
from strategic_sites.ui.widgets import md
from strategic_sites.view.urlstate import Known


def _url_params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params.keys()}


def read_link(known: Known, more_warnings: tuple[str, ...] = ()) -> Filters | None:
    """The link's view, read once per session, on its first run, for every page and the embed:
    its filters, the warnings naming what it asked for and did not get (and ``more_warnings``,
    the embed's), and the data version it was made with. None on later runs."""
    if state.URL_SEEDED in st.session_state:
        return None
    params = _url_params()
    parsed, warnings = urlstate.parse(params, known)
    held, held_warnings = urlstate.points_held(params)
    st.session_state[state.URL_SEEDED] = parsed
    st.session_state[state.URL_WARNINGS] = warnings + held_warnings + list(more_warnings)
    st.session_state[state.POINTS_GONE] = held  # the tab held points this new session has not (ui/points.py)
    st.session_state[state.URL_DATA] = urlstate.data_version(params)
    return parsed


def _seed(filters: Filters) -> None:
    """Put a view's filters into the widgets (before they are drawn)."""
    for choice in CHOICES:
        st.session_state[state.choice_key(choice)] = list(choice.chosen(filters))
    st.session_state[state.ASOF] = filters.asof.isoformat()
    st.session_state[state.VS] = filters.vs.isoformat() if filters.vs else ""
    st.session_state[state.QUERY] = filters.q
    st.session_state[state.LANG] = filters.lang
    st.session_state[state.PERIOD] = (filters.year_from, filters.year_to)
    st.session_state[state.SITE] = filters.site
    st.session_state[state.LAYERS] = tuple(filters.layers)
    st.session_state[state.MAP_AT] = filters.at


def _reset(known: Known) -> None:
    """Every filter and the selection back to the default; the language and layers stay."""
    kept = st.session_state[state.FILTERS]
    _seed(replace(known.defaults(), lang=kept.lang, layers=kept.layers, at=kept.at))


def sidebar_filters(data: Atlas) -> Filters:
    """The filters every page shares: the link's on a session's first run, then the values of
    the sidebar's widgets, read before the widgets are drawn (:func:`filter_widgets`, after the
    page), and written back to the URL (:func:`sync_url`)."""
    known = Known.of(data)
    parsed = read_link(known)  # first run of this session: the URL says what to show
    if parsed is not None:
        _seed(parsed)
    elif state.PERIOD not in st.session_state and state.FILTERS in st.session_state:
        # A page the app switched to (st.switch_page, "Go to site") starts with the widgets'
        # values gone: the last run's filters, with the site now selected, are put back.
        _seed(replace(st.session_state[state.FILTERS], site=st.session_state.get(state.SITE, "")))
    filters = _read(known)
    st.session_state[state.FILTERS] = filters
    return filters


def filter_widgets(data: Atlas, where) -> None:
    """Draw the filters' widgets in ``where`` (a place kept in the sidebar), after the page:
    their values were read before it (:func:`sidebar_filters`)."""
    with where:
        st.header("Filters")
        _widgets(data, Known.of(data))


COUNTRY_PILLS = 8  # host countries shown as pills; more go in a dropdown list


def _widgets(data: Atlas, known: Known) -> None:
    """The filter widgets, each holding its value under its key in :mod:`state`."""
    for choice in CHOICES:
        _choice_widget(choice, data, known)
    # Dates are typed (Enter or leaving the field applies them): the calendar picker applies
    # neither a typed date on Enter nor one typed into an empty field, and 35 years of
    # months are quicker typed than paged through.
    st.text_input(
        "As of",
        key=state.ASOF,
        max_chars=10,
        placeholder="YYYY-MM-DD",
        help=f"Control status and lease terms on this date: year-month-day, from {FIRST_YEAR}-01-01 to today. "
        "Enter applies it; empty: today.",
    )
    _date_problem(state.ASOF)
    st.text_input(
        "Compare with",
        key=state.VS,
        max_chars=10,
        placeholder="YYYY-MM-DD (none)",
        help="A second date, year-month-day: the map marks every site whose status, operator or lease differs "
        "between the two dates, and a table lists the changes. Enter applies it; empty it to stop comparing.",
    )
    _date_problem(state.VS)
    st.slider(
        "Events from – to",
        min_value=known.first_year,
        max_value=known.today.year,
        key=state.PERIOD,
        help="Which years of events the map and tables show.",
    )
    st.text_input(
        "Search",
        key=state.QUERY,
        max_chars=urlstate.MAX_QUERY_LENGTH,
        placeholder="Any name of a site (Tyuratam, Leninsk…), place, event",
    )
    st.radio(
        "Names",
        options=list(language.LANGUAGES),
        format_func=language.LANGUAGES.get,
        key=state.LANG,
        horizontal=True,
        help="Site and country names in English or Russian.",
    )
    st.button("Reset filters", on_click=_reset, args=(known,), icon=":material/restart_alt:", key=state.RESET)


def _choice_widget(choice, data: Atlas, known: Known) -> None:
    """A registered filter's widget: pills when its few values fit in sight (the host countries
    of this atlas), else a list to search; the values the data has, and any the link chose."""
    names = language.names(data)
    key = state.choice_key(choice)
    offered = set(choice.shown_values(data)) if choice.shown_values else None
    chosen = set(st.session_state.get(key) or ())
    options = [v for v in choice.values(known) if offered is None or v in offered or v in chosen]
    if choice.param == "country":
        options = sorted(options, key=names.country)  # by name, as read
    label = lambda value: choice.word(names, value)  # noqa: E731
    if choice.param == "country" and len(options) <= COUNTRY_PILLS:  # each a click away, all in sight
        st.pills(choice.label, options, format_func=label, key=key, selection_mode="multi", help=choice.help or None)
    else:
        st.multiselect(choice.label, options=options, format_func=label, key=key, placeholder=choice.placeholder, help=choice.help or None)


DATE_PROBLEMS = "_date_problems"  # a typed date that is not one: field key -> what is wrong with it


def _typed_day(key: str, known: Known, kept: date | None) -> date | None:
    """The date typed in the field ``key`` (None: empty); one that is not a date keeps
    ``kept`` (the view's date until now) and is said under the field."""
    problems = st.session_state.setdefault(DATE_PROBLEMS, {})
    problems.pop(key, None)
    value = st.session_state.get(key)
    if not value or not str(value).strip():
        return None
    day, why = urlstate.read_day(str(value), known.today)
    if day is None:
        problems[key] = f"“{str(value).strip()}” is {why}; the view keeps {kept.isoformat() if kept else 'none'}."
        return kept
    return day


def _date_problem(key: str) -> None:
    problem = st.session_state.get(DATE_PROBLEMS, {}).get(key)
    if problem:
        st.warning(md(problem), icon=":material/event_busy:")


def _read(known: Known) -> Filters:
    """The Filters the widgets and the selection now hold."""
    values = st.session_state
    year_from, year_to = values[state.PERIOD]
    site = values.get(state.SITE, "")
    before = values.get(state.FILTERS)
    asof = _typed_day(state.ASOF, known, before.asof if before else known.today) or known.today
    vs = _typed_day(state.VS, known, before.vs if before else None)
    return Filters(
        **{choice.field: choice.ordered(values.get(state.choice_key(choice)) or (), known) for choice in CHOICES},
        asof=asof,
        vs=vs if compares(Filters(asof=asof, vs=vs)) else None,
        year_from=year_from,
        year_to=year_to,
        q=values[state.QUERY].strip(),
        site=site if site in known.sites else "",
        layers=tuple(values.get(state.LAYERS, LAYERS)),
        lang=values[state.LANG] or language.DEFAULT,
        at=values.get(state.MAP_AT),
    )


def link_warning(data: Atlas | None = None) -> None:
    """One warning naming what the opened link asked for and did not get, and a notice when
    the link was made with other data, shown above the page until the user changes the view."""
    warnings = st.session_state.get(state.URL_WARNINGS) or []
    made_with = st.session_state.get(state.URL_DATA)
    if not warnings and not made_with:
        return
    if not _same_view(st.session_state[state.FILTERS], st.session_state.get(state.URL_SEEDED)):
        st.session_state[state.URL_WARNINGS] = []
        st.session_state[state.URL_DATA] = None
        return
    if made_with and data is not None and data.data_version is not None:
        _data_notice(data.data_version, made_with)
    if not warnings:
        return
    st.warning(
        "The link had parts this atlas cannot show; the rest of the view is as linked.\n\n"
        + "\n".join(f"- {md(w)}" for w in warnings),
        icon=":material/link_off:",
    )


def _same_view(a: Filters, b: Filters | None) -> bool:
    """The same view, wherever the map is (moving it keeps the link's notices)."""
    return b is not None and astuple(replace(a, at=None)) == astuple(replace(b, at=None))


def sync_url(data: Atlas, filters: Filters, page_path: str = "", where=None) -> None:
    """Write the view to the URL and offer the share link with the view as data, "Cite this
    view" and "Embed this view", in ``where`` (a place kept at the top of the sidebar, where it is seen; the sidebar's
    foot when there is none)."""
    known = Known.of(data)
    params = urlstate.serialise(filters, known)
    points = st.session_state.get(state.POINTS)
    if points is not None:  # the address bar says the tab holds points (not the share link: urlstate.points_held)
        params[urlstate.POINTS] = [str(len(points.frame))]
    if params != {k: v for k, v in _url_params().items() if k in urlstate.PARAMS or k == urlstate.POINTS}:
        st.query_params.from_dict(params)
    with where if where is not None else st.sidebar:
        # In a popover: the code box's highlighter (1.5 MB of the browser's first download)
        # is fetched only when the user opens it, not before the map.
        with st.popover("Share this view", icon=":material/share:", width="stretch"):
            st.code(share_link(filters, known, page_path), language=None, wrap_lines=True)
            st.caption("Copy the link (the button at its top right): it opens exactly this view, on this date, with the map where it is.")
            st.markdown(_as_data(filters, known))
            if st.session_state.get(state.POINTS) is not None:
                st.caption("Your own points are not part of the link: whoever opens it sees the atlas's data only.")
        # Beside the popover, not in it: a popover's content is out of the keyboard's reach
        # (it comes after the whole page in the tab order), an expander's follows its header.
        shown, view = current()
        cite_view(shown, view, share_link(filters, known, page_path))
        embed_box(share_link(filters, known), f"Strategic Sites Atlas: {filters.asof:%d %B %Y}")


def _as_data(filters: Filters, known: Known) -> str:
    """"This view as data": the data API's answers for the view, as links (README, "Data API")."""
    made = links()
    parts = [
        f"[{label}]({made.api(endpoint, filters, known)})"
        for label, endpoint in (("sites, GeoJSON", "sites.geojson"), ("sites, CSV", "sites.csv"), ("events, CSV", "events.csv"))
    ]
    return "**This view as data:** " + " · ".join(parts) + f" · [every endpoint (OpenAPI)]({made.origin}{API_ROOT}/openapi.json)"


def page_drawn(page_path: str) -> None:
    """Note the page this run draws, and the one the run before drew (a map drawn anew on
    coming back to the map page opens where the view says: :mod:`.map_widget`)."""
    st.session_state[state.PAGE_BEFORE] = st.session_state.get(state.PAGE_NOW)
    st.session_state[state.PAGE_NOW] = page_path


def skip_links(where, page_path: str) -> None:
    """On the map page, the first links of the sidebar: past the filters to the map, or to the tables."""
    if page_path == "":
        where.markdown("[Skip to the map](#map) · [Skip to the tables](#tables)")


CHANGES_LISTED = 10  # changes a notice lists; the About page lists them all


def _data_notice(version, made_with: str) -> None:
    """When a link was made with another version of the data: which, and what changed since."""
    if made_with == version.code:
        return
    since = version.since(made_with)
    if since is None:
        st.info(
            f"This link was made with data version {md(made_with)}, which this atlas's changelog does not record. "
            f"The view opens on the data served now, version {md(version.label)}; the About page lists the changes.",
            icon=":material/history:",
        )
        return
    lines = [f"- {md(change.day)}: {md(change.what)}" for change in since[-CHANGES_LISTED:]]
    more = f"\n\n{plural(len(since) - CHANGES_LISTED, 'earlier change is', 'earlier changes are')} listed on the About page." if len(since) > CHANGES_LISTED else ""
    st.info(
        f"This link was made with data version {md(made_with)}; the data has changed since (now {md(version.label)}). "
        f"The view opens as linked, on today's data. Changes since:\n\n" + "\n".join(lines) + more,
        icon=":material/history:",
    )


def footer(data: Atlas) -> None:
    """The data's version at the foot of every page."""
    version = data.data_version
    if version is not None:
        st.caption(
            f"Strategic Sites Atlas · data version {md(version.label)} · every fact cites its sources · "
            "country outlines: Natural Earth",
            help="Shared links carry this version (data=); the About page lists the changes to the data.",
        )
