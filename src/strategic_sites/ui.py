"""The only module that imports Streamlit: cached loading, the shared sidebar and the map widget."""

from __future__ import annotations

import os
from dataclasses import astuple
from datetime import date
from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

from strategic_sites import assets, layers, urlstate
from strategic_sites.data import FILES, Atlas, AtlasError, load_atlas
from strategic_sites.filters import FIRST_YEAR, LAYERS, Filters, View
from strategic_sites.urlstate import Known
from strategic_sites.vocab import SITE_KINDS, STATUSES, country_name

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


def _version(data: Atlas) -> tuple:
    """A cache key for this atlas: its folder and the file stamp it was loaded with."""
    stamp, loaded = _last_good().get(str(data.folder), (None, None))
    return str(data.folder), stamp if loaded is data else id(data)


# --- sidebar and URL state --------------------------------------------------------------------

WIDGETS = {"countries": "f_country", "kinds": "f_kind", "statuses": "f_status", "asof": "f_asof", "q": "f_q"}
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
    st.session_state[PERIOD] = (filters.year_from, filters.year_to)
    st.session_state["site"] = filters.site
    st.session_state["layers"] = tuple(filters.layers)


def _reset(known: Known) -> None:
    _seed(known.defaults())


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
    with st.sidebar:
        st.header("Filters")
        st.multiselect(
            "Host country",
            options=sorted(known.countries, key=country_name),
            format_func=lambda code: f"{country_name(code)} ({code})",
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
        st.subheader("Share this view")
        st.code(share_link(params, page_path), language=None, wrap_lines=True)
        st.caption("Copy the link (the button at its right): it opens exactly this view.")


def _same_view(a: Filters, b: Filters | None) -> bool:
    return b is not None and astuple(a) == astuple(b)


def share_link(params: dict[str, list[str]], page_path: str = "") -> str:
    """The full link to this view, from the address the user reached the app at."""
    return urlstate.share_url(st.context.url or "", st.get_option("server.baseUrlPath") or "", page_path, params)


# --- map ----------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def _base_map(version: tuple, bounds: tuple, _data: Atlas) -> folium.Map:
    data = _data
    fmap = layers.base_map(data.countries, [list(bounds[0]), list(bounds[1])])
    assets.localize(fmap)
    return fmap


@st.cache_data(show_spinner=False, max_entries=64)
def _data_layers(version: tuple, key: tuple, _data: Atlas, _view: View) -> list[folium.FeatureGroup]:
    """The filtered layers; cached on ``key`` (the filters and the ids shown), not on the frames."""
    data, view = _data, _view
    day = view.filters.asof
    groups = [
        layers.status_layer(view.sites, data.control, view.leases, data.events, data.sources, day),
        layers.lease_layer(view.areas, view.leases, view.sites, day),
        layers.events_layer(view.events, view.sites, data.sources),
        layers.countries_layer(data.countries),
    ]
    for group in groups:
        assets.localize(group)
    return groups


def atlas_map(data: Atlas, view: View) -> str | None:
    """Draw the map; return the id of a site the user just clicked, if any."""
    version = _version(data)
    # The view first fitted stays: later filter changes update the layers, not the view.
    bounds = st.session_state.setdefault("map_bounds", tuple(tuple(c) for c in layers.bounds_of(view.sites)))
    base = _base_map(version, bounds, data)
    # Everything the layers depend on: the date, and which sites and events passed the filters.
    key = (view.filters.asof, tuple(view.sites["id"]), tuple(view.events["id"]))
    groups = _data_layers(version, key, data, view)
    selected = data.site(view.filters.site) if view.filters.site else None
    result = st_folium(
        base,
        key=MAP_KEY,
        feature_group_to_add=groups,
        layer_control=layers.AtlasLayerControl(visible=view.filters.layers, collapsed=False, position="topright"),
        returned_objects=["last_object_clicked_tooltip", "last_object_clicked", "selected_layers"],
        center=(selected.geometry.y, selected.geometry.x) if selected is not None else None,
        width="stretch",
        height=MAP_HEIGHT,
    ) or {}
    reported = layers.overlays_reported(result.get("selected_layers"))
    if reported is not None and result.get("selected_layers") != st.session_state.get("_handled_layers"):
        st.session_state["_handled_layers"] = result.get("selected_layers")
        if reported != tuple(st.session_state.get("layers", LAYERS)):
            st.session_state["layers"] = reported
            st.rerun()
    click = result.get("last_object_clicked_tooltip"), result.get("last_object_clicked")
    if click == st.session_state.get("_handled_click") or click == (None, None):
        return None
    st.session_state["_handled_click"] = click
    return layers.site_at(view.sites, click[0], click[1])


# --- site detail ---------------------------------------------------------------------------------

_MD_SPECIAL = "\\`*_[]<>#|~$"


def md(text) -> str:
    """Escape text from the data for Streamlit markdown: shown as written, never as markup."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text or ""))


def site_detail(data: Atlas, view: View, site_id: str) -> None:
    """The panel under the map for the selected site."""
    from strategic_sites import tables
    from strategic_sites.popups import money, years
    from strategic_sites.vocab import SITE_KINDS, STATUSES, country_name

    if not site_id:
        st.info("Click a site on the map to see its history, lease terms, events and sources here.", icon=":material/touch_app:")
        return
    site = data.site(site_id)
    if site is None:
        st.warning(f"There is no site with id “{md(site_id)}”.")
        return
    day = view.filters.asof
    with st.container(border=True, key="site-detail"):
        top = st.columns([5, 1])
        top[0].subheader(md(site["name"]))
        if top[1].button("Close", key="close-site", icon=":material/close:"):
            st.session_state["site"] = ""
            st.rerun()
        line = f"{md(site['name_ru'])} · " if site["name_ru"] else ""
        line += f"{md(SITE_KINDS.get(site['kind'], site['kind']))} · {md(country_name(site['country']))} · {md(site['place'])}"
        if site["location_precision"] == "approximate":
            line += " · location approximate"
        st.caption(line)
        st.write(md(site["summary"]))

        status = view.status.loc[site_id] if site_id in view.status.index else None
        lease = view.in_force.loc[site_id] if site_id in view.in_force.index else None
        cols = st.columns(2)
        if status is not None:
            since = f"{status['start']} – {status['end']}" if status["end"] else f"since {status['start']}"
            cols[0].metric(f"Status on {day:%d %b %Y}", STATUSES[status["status"]], since, delta_color="off")
        else:
            cols[0].metric(f"Status on {day:%d %b %Y}", "No record", "no control period covers this date", delta_color="off")
        if lease is not None:
            cols[1].metric(
                "Lease",
                f"{lease['lessor']} → {lease['lessee']} to {lease['end'] or 'no end date'}",
                f"{years(lease['years_remaining'])}; {money(lease['annual_rent_usd'])}",
                delta_color="off",
            )
        else:
            cols[1].metric("Lease", "None in force", "on this date", delta_color="off")

        link = st.column_config.LinkColumn("Source", display_text="open")
        st.markdown("**Control history**")
        st.dataframe(tables.history_table(data, site_id), hide_index=True, column_config={"link": link})
        leases = tables.lease_table(data, site_id)
        if len(leases):
            st.markdown("**Lease agreements**")
            st.dataframe(
                leases,
                hide_index=True,
                column_config={
                    "link": link,
                    "rent_usd": st.column_config.NumberColumn("Rent (US$/year)", format="%,.0f"),
                    "area_km2": st.column_config.NumberColumn("Area (km²)", format="%,.1f"),
                },
            )
        events = tables.site_events_table(data, site_id)
        st.markdown(f"**Events** ({len(events)})")
        st.dataframe(events, hide_index=True, column_config={"link": link})
        st.markdown("**Sources**")
        st.dataframe(
            tables.sources_table(data, tables.sources_of_site(data, site_id)),
            hide_index=True,
            column_config={"url": st.column_config.LinkColumn("Link"), "id": None},
        )


def filters() -> Filters:
    """The filters of this run, as the shared sidebar set them (app.py draws it first)."""
    return st.session_state["_filters"]


def select_site(site_id: str) -> None:
    """Select a site (map click, table row): it goes into the URL and the detail panel."""
    if site_id and site_id != st.session_state.get("site"):
        st.session_state["site"] = site_id
        st.rerun()


# --- tables --------------------------------------------------------------------------------------


def tables_section(data: Atlas, view: View) -> None:
    """Sites, events and leases of the view, each downloadable exactly as shown."""
    from strategic_sites import tables

    f = view.filters
    link = st.column_config.LinkColumn("Source", display_text="open ↗", width="small")
    sites_tab, events_tab, leases_tab = st.tabs(
        [f"Sites ({len(view.sites)})", f"Events ({len(view.events)})", f"Leases ({len(view.leases)})"]
    )
    with sites_tab:
        table = tables.sites_table(data, f.asof, view.sites, view.status, view.in_force)
        st.caption(f"Status and leases as of {f.asof:%d %B %Y}. Select a row to select the site.")
        event = st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            key="sites-table",
            column_order=["name", "kind", "country", "status", "since", "lessee", "lease_end", "years_left", "sources", "source", "name_ru"],
            column_config={
                "name": st.column_config.TextColumn("Site", width="medium", pinned=True),
                "name_ru": st.column_config.TextColumn("Name (Russian)", width="medium"),
                "kind": "Kind",
                "country": "Host country",
                "status": "Status",
                "since": "Since",
                "lessee": "Lessee",
                "lease_end": "Lease ends",
                "years_left": st.column_config.ProgressColumn("Years left", min_value=0, max_value=50, format="%.1f"),
                "sources": st.column_config.NumberColumn("Sources", help="How many sources the site cites; the link opens the first."),
                "source": link,
            },
        )
        rows = event.selection.rows if event else []
        picked = table.iloc[rows[0]]["id"] if rows else None
        if picked and picked != st.session_state.get("_handled_row"):
            st.session_state["_handled_row"] = picked
            select_site(picked)
        cols = st.container(horizontal=True)
        cols.download_button("Download CSV", table.drop(columns=["id"]).to_csv(index=False), tables.download_name("sites", f, "csv"), "text/csv", icon=":material/download:", key="dl-sites-csv")
        cols.download_button("Download GeoJSON", tables.sites_geojson(view.sites, table), tables.download_name("sites", f, "geojson"), "application/geo+json", icon=":material/download:", key="dl-sites-geojson")
    with events_tab:
        table = tables.events_table(data, view.events)
        st.caption(f"Events {f.year_from}–{f.year_to}.")
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            key="events-table",
            column_order=["date", "site", "kind", "title", "countries", "source"],
            column_config={"date": "Date", "site": "Site", "kind": "Kind", "title": st.column_config.TextColumn("Event", width="large"), "countries": "Countries", "source": link},
        )
        cols = st.container(horizontal=True)
        cols.download_button("Download CSV", table.to_csv(index=False), tables.download_name("events", f, "csv"), "text/csv", icon=":material/download:", key="dl-events-csv")
        cols.download_button("Download GeoJSON", tables.events_geojson(view.events, table), tables.download_name("events", f, "geojson"), "application/geo+json", icon=":material/download:", key="dl-events-geojson")
    with leases_tab:
        table = tables.leases_table(data, view.leases)
        st.caption("Every lease agreement of the sites shown; the one in force on the as-of date governs.")
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            key="leases-table",
            column_order=["site", "parties", "signed", "start", "end", "rent_usd", "area_km2", "source"],
            column_config={
                "site": "Site",
                "parties": "Lessor → lessee",
                "signed": "Signed",
                "start": "In force from",
                "end": "Ends",
                "rent_usd": st.column_config.NumberColumn("Rent (US$/year)", format="%,.0f"),
                "area_km2": st.column_config.NumberColumn("Area (km²)", format="%,.1f"),
                "source": link,
            },
        )
        st.download_button("Download CSV", table.drop(columns=["site_id"]).to_csv(index=False), tables.download_name("leases", f, "csv"), "text/csv", icon=":material/download:", key="dl-leases-csv")
