"""The selected site's panel: its names, status and lease on the as-of date, history,
leases, events and the source behind each fact; on the Sites page, also a small map, its
timeline and the lease countdown.

The panel asks the view (or, for a site outside the filters, :func:`filters.focus`) for the
site's status and lease: it works out nothing itself.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from strategic_sites.outputs import charts, tables
from strategic_sites.view import language
from strategic_sites.map import layers, popups
from strategic_sites.data import lookup
from strategic_sites.core import text
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.filters import View, focus, site_only
from strategic_sites.view.timeline import events_of_site, lease_term_fraction
from strategic_sites.ui import state
from strategic_sites.data.schema import split_list
from strategic_sites.ui.cite import cite_site
from strategic_sites.ui.links import share_link
from strategic_sites.ui.map_widget import map_sources
from strategic_sites.view.urlstate import Known
from strategic_sites.ui.tables import CONFIDENCE_HELP, DATE, LEASE_COLUMNS, UNKNOWN, confidence_column, lease_columns
from strategic_sites.ui.widgets import md

_SOURCE = st.column_config.LinkColumn("Source", display_text="open ↗", width="small")


def site_detail(data: Atlas, view: View, full: bool = False, prompt: str = "") -> None:
    """The selected site's panel (``full`` on the Sites page), or ``prompt`` when none is."""
    site_id = view.filters.site
    if not site_id:
        if prompt:
            st.info(prompt, icon=":material/touch_app:")
        return
    site = data.site(site_id)
    if site is None:
        st.warning(f"There is no site with id “{md(site_id)}”.")
        return
    day = view.filters.asof
    answer = focus(data, view, site_id)  # the view, or the site alone when outside the filters
    with st.container(border=True, key=state.SITE_DETAIL):
        _header(data, site, outside=answer is not view)
        with _beside_small_map(data, site_id, day) if full else st.container():
            st.write(md(site["summary"]))
            _status_and_lease(data, answer, site_id, day, countdown=full)
        if full:
            _timeline(data, site, site_id, day)
        _history_and_leases(data, site_id)
        _events_and_sources(data, site_id)
        page = st.session_state.get(state.PAGE_NOW) or ""
        cite_site(data, site_id, share_link(view.filters, Known.of(data), page))  # the link opens this site


def _header(data: Atlas, site: pd.Series, outside: bool) -> None:
    """The site's name, a Close button, a line of its other name, kind, country and place, and
    the names it is also known by."""
    names = language.names(data)
    top = st.columns([5, 1])
    top[0].subheader(md(site["name"]))
    if top[1].button("Close", key=state.CLOSE_SITE, icon=":material/close:"):
        state.close_site()
    line = f"{md(site['name_ru'])} · " if site["name_ru"] else ""
    line += f"{md(names.kind(site['kind']))} · {md(names.country(site['country']))} · {md(site['place'])}"
    if site["location_precision"] == "approximate":
        line += " · location approximate"
    st.caption(line)
    aliases = site["alias_list"]
    if aliases:
        st.caption("Also known as: " + ", ".join(md(alias) for alias in aliases), help="Former, local and transliterated names and "
                   "designations, each from a source the site cites; the search and “Go to site” find the site under any of them.")  # fmt: skip
    if outside:
        st.caption("This site is outside the current filters; it is shown because it is selected.")


def _beside_small_map(data: Atlas, site_id: str, day: date):
    """A small map of the site on the left; returns the column to its right."""
    left, right = st.columns([2, 3])
    with left:
        st_folium(
            layers.site_map(data, site_id, day, map_sources(data)),
            key=state.SITE_MAP,
            height=300,
            width="stretch",
            returned_objects=[],
        )
    return right


def _status_and_lease(data: Atlas, answer: View, site_id: str, day: date, countdown: bool) -> None:
    """Two metrics: the status on the as-of date and the lease in force (its end, years left and
    rent), with (``countdown``) how much of the lease's term has passed. A headline figure the
    sources disagree on says so beside it, with the other value."""
    names = language.names(data)
    period, lease = answer.status_of(site_id), answer.lease_of(site_id)
    cols = st.columns(2)
    label = f"Status on {text.day(day)}"
    if period is not None:
        since = text.since(period["start"], period["end"])
        cols[0].metric(label, names.status(period["status"]), since, delta_color="off", delta_arrow="off")
        for field, figure in (("status", "Status"), ("start", "From"), ("end", "To")):
            kept = names.status(period["status"]) if field == "status" else text.end(period[field])
            if _disputed(period, field):
                cols[0].caption(md(f"{figure}: {disputed(period, field, kept, data)}"))
    else:
        cols[0].metric(label, "No record", "no control period covers this date", delta_color="off", delta_arrow="off")
    if lease is None:
        cols[1].metric("Lease", "Not leased", "no lease in force on this date", delta_color="off", delta_arrow="off")
        _confidence_line(data, period, None)
        return
    cols[1].metric(
        f"Lease: {names.parties(lease['lessor'], lease['lessee'])}",
        text.lease_end(lease),
        text.years_left(lease["years_remaining"]),
        delta_color="off",
        delta_arrow="off",
    )
    if _disputed(lease, "end"):
        cols[1].caption(md(f"Ends: {disputed(lease, 'end', text.end(lease['end']), data)}"))
    cols[1].caption(md(f"Rent: {disputed(lease, 'annual_rent_usd', text.money(lease['annual_rent_usd']), data)}"))
    fraction = lease_term_fraction(lease, day)
    _confidence_line(data, period, lease)
    if countdown and fraction is not None:
        st.progress(
            fraction,
            text=f"Lease term: {fraction:.0%} passed on {text.day(day)}; ends {text.end(lease['end'])} "
            f"({text.years_left(lease['years_remaining'])})",
        )


def _disputed(row, field: str) -> bool:
    """Whether the sources of ``row`` (a control period or lease) disagree on its ``field``."""
    return bool(text.disputed_column(row["confidence"], row["dispute_field"])) and row["dispute_field"] == field


def disputed(row, field: str, kept: str, data: Atlas) -> str:
    """``kept`` (how the panel words ``row``'s ``field``), and when the sources disagree on that
    field, what the other value is: ``US$115 m a year (disputed: another source gives US$150 m)``.
    Plain text: escape it to show it as Markdown."""
    if not _disputed(row, field):
        return kept
    cited = split_list(str(row["dispute_source_id"]))
    who = "another source gives" if len(cited) <= 1 else "other sources give"
    return f"{kept} (disputed: {who} {_other_value(field, row['dispute_value'], data)})"


def _other_value(field: str, value, data: Atlas) -> str:
    """A disputed fact's other value, worded as the panel words the kept one."""
    if field == "status":
        return language.names(data).status(str(value))
    if field == "annual_rent_usd":
        try:
            return text.money(float(value)).removesuffix(" a year")
        except (TypeError, ValueError):
            return str(value)
    return _shown(value)


def _confidence_line(data: Atlas, period, lease) -> None:
    """How sure the status and the lease on the date are; a disputed one with both values."""
    said = []
    if period is not None:
        said.append(f"Status: {tables.grade(period['confidence'])}")
    if lease is not None:
        said.append(f"lease: {tables.grade(lease['confidence'])}")
    if said:
        st.caption("Confidence — " + md(" · ".join(said)), help=CONFIDENCE_HELP)
    for row, what in ((period, "status"), (lease, "lease")):
        if row is not None and text.disputed_column(row["confidence"], row["dispute_field"]):
            _dispute(data, row, what)


def _dispute(data: Atlas, row, what: str) -> None:
    """A disputed fact's two values side by side, each with its sources."""
    links = lookup.of(data)
    field_name = str(row["dispute_field"])
    with st.container(border=True, key=f"dispute-{what}"):
        st.markdown(f"**Sources disagree on the {md(what)}'s {md(text.disputed_column(row['confidence'], field_name))}**")
        kept, other = st.columns(2)
        kept.caption("Kept (best sourced)")
        kept.markdown(md(_shown(row[field_name])))
        kept.caption(_cited(links, popups.kept_sources(row)))
        other.caption("Other value")
        other.markdown(md(str(row["dispute_value"])))
        other.caption(_cited(links, split_list(str(row["dispute_source_id"]))))


def _cited(links, source_ids) -> str:
    """The publishers of ``source_ids``, each linked to its source where it has a URL."""
    said = []
    for source_id in source_ids:
        publisher, url = md(links.source_publishers.get(source_id, source_id)), links.source_urls.get(source_id, "")
        said.append(f"[{publisher}]({url.replace('(', '%28').replace(')', '%29')})" if url else publisher)
    return " · ".join(said)


def _shown(value) -> str:
    if text.blank(value):
        return "(blank)"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,}"
    return str(value)


def _timeline(data: Atlas, site: pd.Series, site_id: str, day: date) -> None:
    """The site's control periods and leases over time, with its events."""
    alone = site_only(data, site_id, day)  # this site's rows only, on the same date
    bars = charts.periods_frame(data, alone, date.today())
    points = charts.event_points(data, alone, events_of_site(data.events, site_id))
    st.markdown("**Status timeline**")
    chart = charts.timeline_chart(bars, points, [site["name"]], day, selectable=False, legend=False)
    st.altair_chart(
        chart,
        width="stretch",
        height=charts.timeline_height(1) - 60,
        key=state.SITE_TIMELINE,
        alt=f"Control periods and leases of {site['name']} over time, with its events.",
    )


def _history_and_leases(data: Atlas, site_id: str) -> None:
    st.markdown("**Control history**")
    st.dataframe(
        tables.history_table(data, site_id),
        hide_index=True,
        placeholder=UNKNOWN,
        column_order=["status", "from", "to", "operator", "confidence", "other_value", "sources", "link", "note"],
        column_config={
            "status": st.column_config.TextColumn("Status", width=240),
            "from": st.column_config.TextColumn("From", width=DATE),
            "to": st.column_config.TextColumn("To", width=DATE),
            "operator": st.column_config.TextColumn("Operator", width=260),
            "confidence": confidence_column(),
            "other_value": st.column_config.TextColumn("Other value (disputed)", width="medium"),
            "sources": st.column_config.TextColumn("Sources", width="medium"),
            "link": _SOURCE,
            "note": st.column_config.TextColumn("Note", width="large"),
        },
    )
    leases = tables.lease_table(data, site_id)
    if len(leases):
        st.markdown("**Lease agreements**")
        st.dataframe(
            leases,
            hide_index=True,
            placeholder=UNKNOWN,
            column_order=[c for c in LEASE_COLUMNS if c != "site"],
            column_config=lease_columns(),
        )


def _events_and_sources(data: Atlas, site_id: str) -> None:
    events = tables.site_events_table(data, site_id)
    st.markdown(f"**Events** ({len(events):,}, oldest first)")
    st.dataframe(
        events,
        hide_index=True,
        placeholder=UNKNOWN,
        column_order=["date", "title", "kind", "confidence", "summary", "link"],
        column_config={
            "date": st.column_config.TextColumn("Date", width=DATE),
            "title": st.column_config.TextColumn("Event", width=250),
            "kind": st.column_config.TextColumn("Kind", width=120),
            "confidence": confidence_column(),
            "summary": st.column_config.TextColumn("Summary", width="large"),
            "link": _SOURCE,
        },
    )
    sources = tables.site_sources(data, site_id)
    st.markdown(f"**Sources** ({len(sources):,}, each with the facts it supports)")
    st.dataframe(
        sources,
        hide_index=True,
        placeholder=UNKNOWN,
        column_order=["source", "supports", "publisher", "published", "facts", "url"],
        column_config={
            "source": st.column_config.TextColumn("Source", width=200),
            "supports": st.column_config.TextColumn("What it supports", width="large"),
            "publisher": st.column_config.TextColumn("Publisher", width=160),
            "published": st.column_config.TextColumn("Published", width=DATE),
            "facts": st.column_config.NumberColumn("Facts", width=60, help="How many of the site's facts cite this source"),
            "url": _SOURCE,
        },
    )
