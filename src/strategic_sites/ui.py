"""The only module that imports Streamlit: cached loading, the shared sidebar and the map widget."""

from __future__ import annotations

import os
from dataclasses import astuple
from datetime import date
from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

from strategic_sites import assets, layers
from strategic_sites.data import FILES, Atlas, AtlasError, load_atlas
from strategic_sites.filters import FIRST_YEAR, Filters, View

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


# --- sidebar ------------------------------------------------------------------------------------


def sidebar(data: Atlas) -> Filters:
    """The filters every page shares."""
    today = date.today()
    with st.sidebar:
        st.header("View")
        asof = st.date_input(
            "As of",
            value=today,
            min_value=date(FIRST_YEAR, 1, 1),
            max_value=today,
            help="Control status and lease terms on this date.",
            key="asof",
        )
        first = min(FIRST_YEAR, int(data.events["date_first"].dt.year.min()))
        year_from, year_to = st.slider(
            "Events from – to", min_value=first, max_value=today.year, value=(FIRST_YEAR, today.year), key="period",
            help="Which years of events the map and tables show.",
        )
    return Filters(asof=asof, year_from=year_from, year_to=year_to, site=st.session_state.get("site", ""))


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
    key = (astuple(view.filters)[:3], tuple(view.sites["id"]), tuple(view.events["id"]))
    groups = _data_layers(version, key, data, view)
    result = st_folium(
        base,
        key=MAP_KEY,
        feature_group_to_add=groups,
        layer_control=folium.LayerControl(collapsed=False, position="topright"),
        returned_objects=["last_object_clicked_tooltip", "last_object_clicked"],
        use_container_width=True,
        height=MAP_HEIGHT,
    )
    click = (result or {}).get("last_object_clicked_tooltip"), (result or {}).get("last_object_clicked")
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
