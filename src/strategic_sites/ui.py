"""The only module that imports Streamlit: cached loading, the shared sidebar and the map widget."""

from __future__ import annotations

import os
import re
import string
from dataclasses import astuple, replace
from datetime import date
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from strategic_sites import charts, language, layers, mapdata, published, tables, text, urlstate
from strategic_sites.data import FILES, Atlas, AtlasError, load_atlas
from strategic_sites.filters import FIRST_YEAR, LAYERS, Filters, View, apply, focus, site_only
from strategic_sites.timeline import events_of_site, lease_term_fraction
from strategic_sites.urlstate import Known
from strategic_sites.vocab import EVENT_KINDS, SITE_KINDS, STATUSES

ROOT = Path(__file__).resolve().parents[2]
DATA_ENV = "STRATEGIC_SITES_DATA"
MAP_KEY = "atlas-map"
MAP_HEIGHT = 640


def data_folder() -> Path:
    """The data folder: ``$STRATEGIC_SITES_DATA`` when set, else the shipped ``geodata/``."""
    return Path(os.environ.get(DATA_ENV) or ROOT / "geodata")


def _stamp(folder: Path) -> tuple:
    """Changes whenever a data file is edited, so an edit reloads the atlas."""
    stamp = []
    for name in FILES:
        try:
            info = (folder / name).stat()
            stamp.append((name, info.st_mtime_ns, info.st_size))
        except OSError:
            stamp.append((name, None, None))
    return tuple(stamp)


@st.cache_resource(show_spinner="Loading the atlas…", max_entries=4)
def _load(folder: str, stamp: tuple) -> Atlas:
    return load_atlas(folder)


@st.cache_resource
def _last_good() -> dict:
    return {}


def _current() -> tuple[str, tuple]:
    folder = data_folder()
    return str(folder), _stamp(folder)


def atlas() -> Atlas:
    """The validated atlas; on a data error, one clear message and the last good atlas if any."""
    folder, stamp = _current()
    try:
        loaded = _load(folder, stamp)
    except AtlasError as exc:
        previous = _last_good().get(folder)
        st.error(exc.report(), icon=":material/error:")
        if previous is None:
            st.stop()
        st.warning("Showing the last version of the data that loaded without problems.")
        return previous[1]
    _last_good()[folder] = (stamp, loaded)
    return loaded


@st.cache_resource(max_entries=8)
def _localised(version: str, lang: str, _data: Atlas) -> Atlas:
    return language.localise(_data, lang)


def prepare(data: Atlas, filters: Filters) -> tuple[Atlas, View]:
    """The atlas in the chosen language and the one filtered view of it, for every page of
    this run (app.py calls this once, after the sidebar)."""
    shown = data if filters.lang == data.lang else _localised(data.version, filters.lang, data)
    view = _view(shown.key, filters, shown)
    st.session_state["_current"] = (shown, view)
    return shown, view


@st.cache_resource(show_spinner=False, max_entries=64)
def _view(key: str, filters: Filters, _data: Atlas) -> View:
    """The filtered view; cached on the atlas key and the filters (a frozen dataclass)."""
    return apply(_data, filters)


def current() -> tuple[Atlas, View]:
    """The atlas (in the chosen language) and the filtered view of this run."""
    return st.session_state["_current"]


# --- sidebar and URL state --------------------------------------------------------------------

WIDGETS = {"countries": "f_country", "kinds": "f_kind", "statuses": "f_status", "asof": "f_asof", "q": "f_q", "lang": "f_lang"}
PERIOD = "f_period"


def _url_params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params.keys()}


def _seed(filters: Filters) -> None:
    """Put a view's filters into the widgets (before they are drawn)."""
    st.session_state[WIDGETS["countries"]] = list(filters.countries)
    st.session_state[WIDGETS["kinds"]] = list(filters.kinds)
    st.session_state[WIDGETS["statuses"]] = list(filters.statuses)
    st.session_state[WIDGETS["asof"]] = filters.asof
    st.session_state[WIDGETS["q"]] = filters.q
    st.session_state[WIDGETS["lang"]] = filters.lang
    st.session_state[PERIOD] = (filters.year_from, filters.year_to)
    st.session_state["site"] = filters.site
    st.session_state["layers"] = tuple(filters.layers)


def _reset(known: Known) -> None:
    """Every filter and the selection back to the default; the language and layers stay."""
    kept = st.session_state["_filters"]
    _seed(replace(known.defaults(), lang=kept.lang, layers=kept.layers))


def sidebar(data: Atlas) -> Filters:
    """The filters every page shares, read from and written to the URL."""
    known = Known.of(data)
    if "url_seeded" not in st.session_state:
        # First run of this session: the URL says what to show.
        parsed, warnings = urlstate.parse(_url_params(), known)
        _seed(parsed)
        st.session_state["url_seeded"] = parsed
        st.session_state["url_warnings"] = warnings

    kinds_present = [k for k in SITE_KINDS if k in set(data.sites["kind"])]
    names = language.names(data)
    with st.sidebar:
        st.header("Filters")
        st.multiselect(
            "Host country",
            options=sorted(known.countries, key=names.country),
            format_func=names.country_with_code,
            key=WIDGETS["countries"],
            placeholder="All countries",
        )
        st.multiselect("Site kind", options=kinds_present, format_func=SITE_KINDS.get, key=WIDGETS["kinds"], placeholder="All kinds")
        st.multiselect(
            "Status on the as-of date",
            options=list(STATUSES),
            format_func=STATUSES.get,
            key=WIDGETS["statuses"],
            placeholder="Any status",
        )
        st.date_input(
            "As of",
            min_value=date(FIRST_YEAR, 1, 1),
            max_value=known.today,
            help="Control status and lease terms on this date.",
            key=WIDGETS["asof"],
            format="YYYY-MM-DD",
        )
        st.slider(
            "Events from – to",
            min_value=known.first_year,
            max_value=known.today.year,
            key=PERIOD,
            help="Which years of events the map and tables show.",
        )
        st.text_input(
            "Search",
            key=WIDGETS["q"],
            max_chars=urlstate.MAX_QUERY_LENGTH,
            placeholder="Name (English or Russian), place, event",
        )
        st.radio(
            "Names",
            options=list(language.LANGUAGES),
            format_func=language.LANGUAGES.get,
            key=WIDGETS["lang"],
            horizontal=True,
            help="Site and country names in English or Russian.",
        )
        st.button("Reset filters", on_click=_reset, args=(known,), icon=":material/restart_alt:", key="reset-filters")

    year_from, year_to = st.session_state[PERIOD]
    filters = Filters(
        countries=tuple(sorted(st.session_state[WIDGETS["countries"]])),
        kinds=tuple(k for k in SITE_KINDS if k in st.session_state[WIDGETS["kinds"]]),
        statuses=tuple(s for s in STATUSES if s in st.session_state[WIDGETS["statuses"]]),
        asof=st.session_state[WIDGETS["asof"]] or known.today,
        year_from=year_from,
        year_to=year_to,
        q=st.session_state[WIDGETS["q"]].strip(),
        site=st.session_state.get("site", "") if st.session_state.get("site", "") in known.sites else "",
        layers=tuple(st.session_state.get("layers", LAYERS)),
        lang=st.session_state[WIDGETS["lang"]] or language.DEFAULT,
    )
    st.session_state["_filters"] = filters
    return filters


def link_warning() -> None:
    """One warning naming what the opened link asked for and did not get, shown above the
    page until the user changes the view."""
    warnings = st.session_state.get("url_warnings") or []
    if not warnings:
        return
    if not _same_view(st.session_state["_filters"], st.session_state.get("url_seeded")):
        st.session_state["url_warnings"] = []
        return
    st.warning(
        "The link had parts this atlas cannot show; the rest of the view is as linked.\n\n"
        + "\n".join(f"- {md(w)}" for w in warnings),
        icon=":material/link_off:",
    )


def sync_url(data: Atlas, filters: Filters, page_path: str = "") -> None:
    """Write the view to the URL and offer the share link."""
    known = Known.of(data)
    params = urlstate.serialise(filters, known)
    if params != {k: v for k, v in _url_params().items() if k in urlstate.PARAMS}:
        st.query_params.from_dict(params)
    with st.sidebar:
        # In a popover: the code box's highlighter (1.5 MB of the browser's first download)
        # is fetched only when the user opens it, not before the map.
        with st.popover("Share this view", icon=":material/share:", width="stretch"):
            st.code(share_link(urlstate.share_params(filters, known), page_path), language=None, wrap_lines=True)
            st.caption("Copy the link (the button at its right): it opens exactly this view, on this date.")


def _same_view(a: Filters, b: Filters | None) -> bool:
    return b is not None and astuple(a) == astuple(b)


def share_link(params: dict[str, list[str]], page_path: str = "") -> str:
    """The full link to this view, from the address the user reached the app at."""
    return urlstate.share_url(st.context.url or "", st.get_option("server.baseUrlPath") or "", page_path, params)


# --- map ----------------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Preparing the map…", max_entries=8)
def _map_sources(key: str, _data: Atlas) -> tuple[dict, str]:
    """Where the map's heavy data comes from for this atlas and language: files written once
    and fetched by the browser, or (when they cannot be written) the data inline."""
    try:
        return published.map_sources(_data), ""
    except published.NotPublished as exc:
        return layers.inline_sources(_data), str(exc)


@st.cache_resource(show_spinner=False, max_entries=64)
def _view_data(key: str, filters: str, _data: Atlas, _view: View) -> dict:
    """What a view's layers hold; cached on the atlas key and the filters that shape it."""
    return mapdata.view_data(_data, _view)


def map_parts(data: Atlas, view: View, bounds=None) -> layers.AtlasMap:
    """The composed map of this view, from the cached sources and view data."""
    sources, problem = _map_sources(data.key, data)
    if problem:
        st.caption(f"The map's data is sent with the page ({md(problem)}); it works, but more slowly.")
    vdata = _view_data(data.key, repr(mapdata.data_filters(view)), data, view)
    return layers.compose(data, view, sources, data=vdata, bounds=bounds)


RETURNED = ("last_active_drawing", "last_object_clicked", "last_object_clicked_count", "selected_layers")


def folium_args(parts: layers.AtlasMap, height: int = MAP_HEIGHT, width=None, returned=RETURNED, key: str = MAP_KEY) -> dict:
    """The arguments ``st_folium`` would send for this map, worked out once so that a rerun
    with the same view sends them without rendering the map again (tests/test_map_widget.py
    checks them against streamlit-folium's own)."""
    import streamlit_folium as sf

    fmap = parts.base
    fmap.get_root().render()
    fmap.render()
    html, header, script = sf._get_html(fmap), sf._get_header(fmap), sf._get_map_string(fmap)
    try:
        (south, west), (north, east) = fmap.get_bounds()
    except AttributeError:
        south = west = north = east = None
    defaults = {
        "last_active_drawing": None,
        "last_object_clicked": None,
        "last_object_clicked_count": None,
        "selected_layers": None,
    }
    groups = "".join(sf._get_feature_group_string(group, map=fmap, idx=idx) for idx, group in enumerate(parts.groups))
    control = sf._get_layer_control_string(parts.control, fmap)
    css, js = [], []
    stack = [fmap]
    while stack:  # streamlit-folium's walk: every JS/CSS link of the map and its layers, in order
        element = stack.pop(0)
        css += [href for _, href in getattr(element, "default_css", [])]
        js += [src for _, src in getattr(element, "default_js", [])]
        stack[:0] = list(getattr(element, "_children", {}).values())
    return {
        "script": script,
        "header": header,
        "html": html,
        "id": sf.get_full_id(fmap),
        "key": sf.generate_js_hash(script, key, False),
        "height": height,
        "width": width,
        "returned_objects": list(returned),
        "default": {k: v for k, v in defaults.items() if k in returned},
        "zoom": None,
        "feature_group": groups,
        "return_on_hover": False,
        "layer_control": control,
        "pixelated": False,
        "css_links": list(dict.fromkeys(css)),
        "js_links": list(dict.fromkeys(js)),
        "wrap_longitude": False,
    }


@st.cache_resource(show_spinner=False, max_entries=64)
def _map_args(key: str, filters: str, visible: tuple, bounds: tuple, _data: Atlas, _view: View) -> dict:
    return folium_args(map_parts(_data, _view, [list(bounds[0]), list(bounds[1])]), width="stretch")


def atlas_map(data: Atlas, view: View) -> str | None:
    """Draw the map; return the id of a site the user just clicked, if any.

    The map's arguments are cached on the view: a rerun that changes nothing on the map
    costs no rendering, and one that changes the filters sends only the new layers."""
    import streamlit_folium as sf

    # The view first fitted stays: later filter changes update the layers, not the view.
    bounds = st.session_state.setdefault("map_bounds", tuple(tuple(c) for c in layers.bounds_of(view.sites)))
    args = _map_args(data.key, repr(mapdata.data_filters(view)), tuple(view.filters.layers), bounds, data, view)
    selected = data.site(view.filters.site) if view.filters.site else None
    center = (selected.geometry.y, selected.geometry.x) if selected is not None else None
    result = sf._component_func(**args, center=center, on_change=None) or {}
    reported = layers.overlays_reported(result.get("selected_layers"))
    if reported is not None and result.get("selected_layers") != st.session_state.get("_handled_layers"):
        st.session_state["_handled_layers"] = result.get("selected_layers")
        if reported != tuple(st.session_state.get("layers", LAYERS)):
            st.session_state["layers"] = reported
            st.rerun()
    # The click count makes a second click on the same marker (after closing it) a new click.
    click = result.get("last_object_clicked"), result.get("last_object_clicked_count")
    if click == st.session_state.get("_handled_click") or click[0] is None:
        return None
    st.session_state["_handled_click"] = click
    return layers.clicked_site(result.get("last_active_drawing"))


def map_download(data: Atlas, view: View) -> None:
    """"Download map (HTML)": this view as one self-contained file that opens with no network."""
    from strategic_sites import export

    link = share_link(urlstate.share_params(view.filters, Known.of(data)))
    st.download_button(
        "Download map (HTML)",
        data=lambda: export.export_view(data, view, link),  # built on click, not on every rerun
        file_name=tables.download_name("map", view.filters, "html"),
        mime="text/html",
        icon=":material/download:",
        on_click="ignore",
        key="map-html",
        help="The map as it is now (layers, filters, date, legend, popups and sources) in one HTML file "
        "that opens by double-click in any browser, with no internet access.",
    )


# --- site detail ---------------------------------------------------------------------------------

def md(text) -> str:
    """Escape text from the data or a URL for Streamlit markdown: shown as written, on one line,
    never as markup (every ASCII punctuation mark is escaped, so no emphasis, link, list,
    heading, icon code or autolink can start)."""
    flat = re.sub(r"[\x00-\x1f\x7f]+", " ", str(text or ""))
    return "".join("\\" + ch if ch in string.punctuation else ch for ch in flat)


def site_detail(data: Atlas, view: View, site_id: str, full: bool = False) -> None:
    """The selected site: names, status and lease on the as-of date, history, leases, events
    and the sources behind each fact. ``full`` (the Sites page) adds a small map, the status
    timeline and the lease countdown."""
    if not site_id:
        st.info("Click a site on the map to see its history, lease terms, events and sources here.", icon=":material/touch_app:")
        return
    site = data.site(site_id)
    if site is None:
        st.warning(f"There is no site with id “{md(site_id)}”.")
        return
    day = view.filters.asof
    names = language.names(data)
    answer = focus(data, view, site_id)  # the view, or the site alone when outside the filters
    with st.container(border=True, key="site-detail"):
        top = st.columns([5, 1])
        top[0].subheader(md(site["name"]))
        if top[1].button("Close", key="close-site", icon=":material/close:"):
            st.session_state["site"] = ""
            st.rerun()
        line = f"{md(site['name_ru'])} · " if site["name_ru"] else ""
        line += f"{md(names.kind(site['kind']))} · {md(names.country(site['country']))} · {md(site['place'])}"
        if site["location_precision"] == "approximate":
            line += " · location approximate"
        st.caption(line)
        if answer is not view:
            st.caption("This site is outside the current filters; it is shown because it is selected.")
        period = answer.status_of(site_id)
        lease = answer.lease_of(site_id)

        if full:
            left, right = st.columns([2, 3])
            with left:
                st_folium(
                    layers.site_map(data, site_id, day, _map_sources(data.key, data)[0]),
                    key="site-map",
                    height=300,
                    width="stretch",
                    returned_objects=[],
                )
            body = right
        else:
            body = st.container()
        with body:
            st.write(md(site["summary"]))
            cols = st.columns(2)
            if period is not None:
                since = text.since(period["start"], period["end"])
                cols[0].metric(f"Status on {text.day(day)}", names.status(period["status"]), since, delta_color="off")
            else:
                cols[0].metric(f"Status on {text.day(day)}", "No record", "no control period covers this date", delta_color="off")
            if lease is not None:
                cols[1].metric(
                    f"Lease: {names.parties(lease['lessor'], lease['lessee'])}",
                    text.lease_end(lease),
                    f"{text.years_left(lease['years_remaining'])}; {text.money(lease['annual_rent_usd'])}",
                    delta_color="off",
                )
                fraction = lease_term_fraction(lease, day)
                if full and fraction is not None:
                    st.progress(
                        fraction,
                        text=f"Lease term: {fraction:.0%} passed on {text.day(day)}; ends {lease['end']} ({text.years_left(lease['years_remaining'])})",
                    )
            else:
                cols[1].metric("Lease", "None in force", "on this date", delta_color="off")

        if full:
            alone = site_only(data, site_id, day)  # this site's rows only, on the same date
            bars = charts.periods_frame(data, alone, date.today())
            points = charts.event_points(data, alone, events_of_site(data.events, site_id))
            st.markdown("**Status timeline**")
            chart = charts.timeline_chart(bars, points, [site["name"]], day, selectable=False, legend=False)
            st.altair_chart(
                chart,
                width="stretch",
                height=charts.timeline_height(1) - 60,
                key="site-timeline",
                alt=f"Control periods and leases of {site['name']} over time, with its events.",
            )

        link = st.column_config.LinkColumn("Source", display_text="open ↗")
        st.markdown("**Control history**")
        st.dataframe(tables.history_table(data, site_id), hide_index=True, column_config={"link": link})
        leases = tables.lease_table(data, site_id)
        if len(leases):
            st.markdown("**Lease agreements**")
            st.dataframe(
                leases,
                hide_index=True,
                column_config={
                    "parties": "Lessor → lessee",
                    "source": link,
                    "rent_usd": st.column_config.NumberColumn("Rent (US$/year)", format="%,.0f"),
                    "area_km2": st.column_config.NumberColumn("Area (km²)", format="%,.1f"),
                },
            )
        events = tables.site_events_table(data, site_id)
        st.markdown(f"**Events** ({len(events)}, oldest first)")
        st.dataframe(events, hide_index=True, column_config={"link": link})
        st.markdown("**Sources behind each fact**")
        st.dataframe(
            tables.site_facts(data, site_id),
            hide_index=True,
            column_config={
                "fact": "Fact",
                "what": st.column_config.TextColumn("What", width="large"),
                "source": st.column_config.TextColumn("Source", width="large"),
                "publisher": "Publisher",
                "published": "Published",
                "url": st.column_config.LinkColumn("Link", display_text="open ↗"),
            },
        )


def select_site(site_id: str) -> None:
    """Select a site (map click, table row, chart): it goes into the URL and the detail panel."""
    if site_id and site_id != st.session_state.get("site"):
        st.session_state["site"] = site_id
        st.rerun()


def _digest(*parts) -> str:
    """A short stable fingerprint of ``parts``, for widget keys that must change with them."""
    import hashlib

    return hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()[:10]


def pick_site(source: str, site_id: str | None) -> None:
    """Select the site a widget (``source``) reports as picked, once per new pick: a
    selection that stays in the widget does not re-select a site the user has closed."""
    handled = st.session_state.setdefault("_picked", {})
    if site_id and site_id != handled.get(source):
        handled[source] = site_id
        select_site(site_id)
    elif not site_id:
        handled.pop(source, None)


# --- tables --------------------------------------------------------------------------------------

_LINK = {"display_text": "open ↗", "width": "small"}


def _downloads(*buttons: tuple) -> None:
    """Download buttons whose files are built when clicked (``payload`` a function), so a
    rerun never pays for a file nobody asked for."""
    row = st.container(horizontal=True)
    for label, payload, name, mime, key in buttons:
        row.download_button(label, payload, name, mime, icon=":material/download:", key=key, on_click="ignore")


EVENT_ROWS_SHOWN = 1_000  # rows of the events table sent to the page; the downloads hold all


@st.cache_resource(show_spinner=False, max_entries=32)
def _tables(key: str, filters: str, _data: Atlas, _view: View) -> dict:
    """The sites, events and leases tables of a view, cached on the view."""
    f = _view.filters
    return {
        "sites": tables.sites_table(_data, _view),
        "events": tables.events_table(_data, _view.events.head(EVENT_ROWS_SHOWN)),  # the rest on download
        "leases": tables.leases_table(_data, _view.leases),
    }


def _view_tables(data: Atlas, view: View) -> dict:
    return _tables(data.key, repr(view.filters), data, view)


def sites_table(data: Atlas, view: View, key: str = "sites-table") -> None:
    """The sites shown, with status and lease on the as-of date; a row selects its site."""
    f = view.filters
    table = _view_tables(data, view)["sites"]
    st.caption(f"Status and leases as of {f.asof:%d %B %Y}. Select a row to select the site.")
    event = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        # A new key when the rows or the selected site change: a row selected before must not
        # point at another site (or past the end) after filtering, and a closed site's row
        # can be selected again.
        key=f"{key}-{_digest(tuple(table['id']), f.site)}",
        column_order=["name", "kind", "country", "status", "since", "lessee", "lease_end", "years_left", "sources", "source", "name_ru"],
        column_config={
            "name": st.column_config.TextColumn("Site", width="medium", pinned=True),
            "name_ru": st.column_config.TextColumn(language.names(data).other_name, width="medium"),
            "kind": "Kind",
            "country": "Host country",
            "status": "Status",
            "since": "Since",
            "lessee": "Lessee",
            "lease_end": "Lease ends",
            "years_left": st.column_config.ProgressColumn("Years left", min_value=0, max_value=50, format="%.1f"),
            "sources": st.column_config.NumberColumn("Sources", help="How many sources the site cites; the link opens the first."),
            "source": st.column_config.LinkColumn("Source", **_LINK),
        },
    )
    rows = [row for row in (event.selection.rows if event else []) if 0 <= row < len(table)]
    pick_site(key, table.iloc[rows[0]]["id"] if rows else None)
    _downloads(
        ("Download CSV", lambda: table.drop(columns=["id"]).to_csv(index=False), tables.download_name("sites", f, "csv"), "text/csv", f"{key}-csv"),
        ("Download GeoJSON", lambda: tables.sites_geojson(view.sites, table), tables.download_name("sites", f, "geojson"), "application/geo+json", f"{key}-geojson"),
    )


def events_table(data: Atlas, view: View, key: str = "events-table") -> None:
    """The events shown (event period and filters), each with its source."""
    f = view.filters
    shown = _view_tables(data, view)["events"]
    more = f" The first {len(shown):,} of {len(view.events):,} are listed; the downloads hold them all." if len(shown) < len(view.events) else ""
    st.caption(f"Events {f.year_from}–{f.year_to}, oldest first.{more}")
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key=key,
        column_order=["date", "site", "kind", "title", "countries", "source"],
        column_config={
            "date": "Date",
            "site": "Site",
            "kind": "Kind",
            "title": st.column_config.TextColumn("Event", width="large"),
            "countries": "Countries",
            "source": st.column_config.LinkColumn("Source", **_LINK),
        },
    )
    _downloads(
        ("Download CSV", lambda: tables.events_table(data, view.events).to_csv(index=False), tables.download_name("events", f, "csv"), "text/csv", f"{key}-csv"),
        ("Download GeoJSON", lambda: tables.events_geojson(view.events, tables.events_table(data, view.events)), tables.download_name("events", f, "geojson"), "application/geo+json", f"{key}-geojson"),
    )


def leases_table(data: Atlas, view: View, key: str = "leases-table") -> None:
    """Every lease agreement of the sites shown."""
    f = view.filters
    table = _view_tables(data, view)["leases"]
    st.caption("Every lease agreement of the sites shown; the one in force on the as-of date governs.")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key=key,
        column_order=["site", "parties", "signed", "start", "end", "rent_usd", "area_km2", "source", "note"],
        column_config={
            "site": "Site",
            "parties": "Lessor → lessee",
            "signed": "Signed",
            "start": "In force from",
            "end": "Ends",
            "rent_usd": st.column_config.NumberColumn("Rent (US$/year)", format="%,.0f"),
            "area_km2": st.column_config.NumberColumn("Area (km²)", format="%,.1f"),
            "source": st.column_config.LinkColumn("Source", **_LINK),
            "note": st.column_config.TextColumn("Note", width="large"),
        },
    )
    _downloads(("Download CSV", lambda: table.drop(columns=["site_id"]).to_csv(index=False), tables.download_name("leases", f, "csv"), "text/csv", f"{key}-csv"))


def tables_section(data: Atlas, view: View) -> None:
    """Sites, events and leases of the view, each downloadable exactly as shown."""
    sites_tab, events_tab, leases_tab = st.tabs(
        [f"Sites ({len(view.sites)})", f"Events ({len(view.events)})", f"Leases ({len(view.leases)})"]
    )
    with sites_tab:
        sites_table(data, view)
    with events_tab:
        events_table(data, view)
    with leases_tab:
        leases_table(data, view)


# --- counts, charts and the bibliography ----------------------------------------------------------


def counts(view: View) -> None:
    """Sites shown, events in the period and leases in force: the same on every page."""
    f = view.filters
    cols = st.columns(3)
    cols[0].metric("Sites shown", view.counts["sites"])
    cols[1].metric(f"Events {f.year_from}–{f.year_to}", view.counts["events"])
    cols[2].metric(f"Leases in force on {f.asof:%d %b %Y}", view.counts["leases"])


def timeline(data: Atlas, view: View) -> None:
    """The Gantt chart of the sites shown; clicking a bar selects its site."""
    f = view.filters
    site_ids = list(view.sites["id"])
    if not site_ids:
        st.info("No site matches the filters.", icon=":material/filter_alt_off:")
        return
    bars = charts.periods_frame(data, view, date.today())
    points = charts.event_points(data, view)
    order = charts.site_order(bars, site_ids, dict(zip(view.sites["id"], view.sites["name"])))
    chart = charts.timeline_chart(bars, points, order, f.asof).interactive(bind_y=False)
    event = st.altair_chart(
        chart,
        width="stretch",
        height=charts.timeline_height(len(order)),
        on_select="rerun",
        selection_mode=charts.PICK,
        key=f"timeline-chart-{_digest(tuple(site_ids), f.site)}",  # as for the sites table
        alt=f"Timeline of {len(order)} sites: control periods, lease terms and events, as of {f.asof:%d %B %Y}.",
    )
    picked = (event.selection.get(charts.PICK) or [{}]) if event else [{}]
    pick_site("timeline-chart", picked[0].get("site_id") if picked else None)


def events_chart(view: View) -> None:
    """Events per year and kind, for the events shown."""
    if view.events.empty:
        st.info("No events in these years for the sites shown.", icon=":material/event_busy:")
        return
    st.altair_chart(
        charts.events_per_year_chart(charts.events_per_year(view.events)),
        width="stretch",
        key="events-chart",
        alt=f"Events per year and kind, {view.filters.year_from} to {view.filters.year_to}.",
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def _bibliography(key: str, filters: str, _data: Atlas, _view: View | None):
    if _view is None:
        return tables.bibliography(_data)
    return tables.bibliography(_data, set(_view.sites["id"]), set(_view.events["id"]))


def bibliography(data: Atlas, view: View) -> None:
    """Every source cited by the sites and events shown (or all of them), with what cites it."""
    everything = st.toggle("All sources, whatever the filters", key="all-sources")
    table = _bibliography(data.key, "" if everything else repr(view.filters), data, None if everything else view)
    st.caption(
        f"{len(table)} of {len(data.sources)} sources. “Sites” lists the sites each source documents "
        "(location, control, leases or areas); “Events” counts the events it is cited for."
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="sources-table",
        column_order=["title", "publisher", "published", "author", "url", "sites", "events", "note"],
        column_config={
            "title": st.column_config.TextColumn("Title", width="large", pinned=True),
            "publisher": "Publisher",
            "published": "Published",
            "author": "Author",
            "url": st.column_config.LinkColumn("Link", display_text="open ↗", width="small"),
            "sites": st.column_config.TextColumn("Sites", width="large"),
            "events": st.column_config.NumberColumn("Events"),
            "note": st.column_config.TextColumn("Note", width="large"),
        },
    )
    name = "sources_all.csv" if everything else tables.download_name("sources", view.filters, "csv")
    _downloads(("Download CSV", lambda: table.to_csv(index=False), name, "text/csv", "sources-table-csv"))


def about(data: Atlas) -> None:
    """What the atlas covers and does not, how facts are sourced, licences and how to contribute."""
    c = data.counts
    first = data.events["date_first"].min()
    last = data.events["date_last"].max()
    hosts = ", ".join(sorted(language.names(data).country(code) for code in set(data.sites["country"])))
    kinds = ", ".join(label.lower() for label in EVENT_KINDS.values())
    st.markdown(
        f"""
The atlas maps **Russia's strategic sites in and around Central Asia**: cosmodromes, missile and
naval test ranges, air and military bases, radar, space-surveillance, seismic and communications
stations, and Russian-backed industrial projects. For each site it keeps who controlled it when,
on what lease terms, what happened there, and the source behind every fact.

**In the data now:** {c.get('sites', 0)} sites in {hosts}; {c.get('control', 0)} control periods,
{c.get('leases', 0)} lease agreements, {c.get('events', 0)} events from {first:%Y} to {last:%Y},
{c.get('areas', 0)} drawn areas, and {c.get('sources', 0)} sources.

#### What it does not cover
- Sites outside the region, and Russian military presence that is not tied to a site (advisers,
  exercises, arms deliveries).
- Military exercises: they are not an event kind yet (the kinds recorded are {kinds}).
- Classified or unpublished terms: where a rent, area, date or position is not published, it is
  left blank and the note says so. Positions marked *approximate* are the site's town.
- It is not a live feed: the data is curated by hand and versioned with the code.

#### How facts are sourced
Every row of every data file cites at least one source from the bibliography (the **Sources**
page); the popups, site pages and tables link to them. Nothing is invented: an unknown figure stays
blank. Where sources disagree, the best-sourced value is kept and the disagreement is recorded in
the row's note. A claim made by a single article is entered as an event citing it, not as a change
of status. Control periods, leases and events are dated to the day, month or year the sources give.

#### Licences and credits
- The dataset's compilation: CC BY 4.0. Each source remains its publisher's.
- Code: MIT.
- Country outlines: made with Natural Earth. Free vector and raster map data @ naturalearthdata.com
  (public domain), via the npm package world-atlas (ISC).
- Basemap tiles: © OpenStreetMap contributors (ODbL); light basemap © CARTO. The map works without
  them: every script and style sheet is served by the app, and Natural Earth land is drawn beneath.
- Map libraries served from the app: Leaflet, supercluster (clustering in the browser), leaflet.fullscreen,
  leaflet-minimap and leaflet-measure, each under its own licence; folium and streamlit-folium.

#### How to contribute data
1. Add the source to `geodata/sources.csv` (id, title, publisher, date, URL as published).
2. Add the site to `geodata/sites.geojson`, its control history to `control.csv`, any lease to
   `leases.csv`, and events to `events.csv`, each citing the source id.
3. Check it: `python -m strategic_sites validate geodata` (or `make validate`) names every problem
   by file, line and column, and the dashboard shows the same message instead of a half-loaded map.
"""
    )
