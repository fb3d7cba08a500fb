"""The counts above each page, the timeline of the sites shown (a bar selects its site) and
the events-per-year chart."""

from __future__ import annotations

from datetime import date

import streamlit as st

from strategic_sites.outputs import charts, tables
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.filters import View
from strategic_sites.core.text import plural
from strategic_sites.ui import state
from strategic_sites.ui.widgets import downloads


def counts(view: View) -> None:
    """Sites shown, events in the period and leases in force: the same on every page."""
    f = view.filters
    cols = st.container(key=state.COUNTS).columns(3)
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
    chart = charts.timeline_chart(bars, points, order, f.asof, vs=f.vs if view.compared else None).interactive(bind_y=False)
    event = st.altair_chart(
        chart,
        width="stretch",
        height=charts.timeline_height(len(order)),
        on_select="rerun",
        selection_mode=charts.PICK,
        key=state.changing(state.TIMELINE_CHART, tuple(site_ids), f.site),  # as for the sites table
        alt=f"Timeline of {plural(len(order), 'site')}: control periods, lease terms and events, as of {f.asof:%d %B %Y}.",
    )
    _chart_downloads(chart, "timeline", view, state.TIMELINE_CHART)
    picked = (event.selection.get(charts.PICK) or [{}]) if event else [{}]
    state.pick_site(state.TIMELINE_CHART, picked[0].get("site_id") if picked else None)


def events_chart(view: View) -> None:
    """Events per year and kind, for the events shown."""
    if view.events.empty:
        st.info("No events in these years for the sites shown.", icon=":material/event_busy:")
        return
    chart = charts.events_per_year_chart(charts.events_per_year(view.events))
    st.altair_chart(
        chart,
        width="stretch",
        key=state.EVENTS_CHART,
        alt=f"Events per year and kind, {view.filters.year_from} to {view.filters.year_to}.",
    )
    _chart_downloads(chart, "events-per-year", view, state.EVENTS_CHART)


def _chart_downloads(chart, what: str, view: View, key: str) -> None:
    """PNG and SVG of a chart, drawn when clicked."""
    downloads(
        *(
            (f"Download {fmt.upper()}", lambda fmt=fmt: charts.chart_image(chart, fmt), tables.download_name(what, view.filters, fmt), mime, state.download(key, fmt))
            for fmt, mime in charts.CHART_IMAGE_TYPES.items()
        )
    )
