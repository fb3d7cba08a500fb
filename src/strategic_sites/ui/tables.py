"""The tables of a view (sites, events, leases) and the bibliography, each downloadable
exactly as shown. A row of the sites table selects its site."""

from __future__ import annotations

import streamlit as st

from strategic_sites.view import language
from strategic_sites.outputs import tables
from strategic_sites.core import text
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.filters import Filters, View
from strategic_sites.ui import points, speed, state
from strategic_sites.ui.widgets import LINK, downloads
from strategic_sites.core.vocab import CONFIDENCE, CONFIDENCE_MEANING

CONFIDENCE_HELP = "How sure the fact is: " + "; ".join(f"{tables.grade(g)}: {CONFIDENCE_MEANING[g]}" for g in CONFIDENCE) + "."
EVENT_ROWS_SHOWN = 1_000  # rows of the events table sent to the page; the downloads hold all

# Column widths in pixels. Each table puts the columns a reader needs first, at widths that fit
# them side by side in the main column at 1440 px with the sidebar open (about 950 px), and its
# first two (the Sites table: name and status, after the row checkboxes) on a 390 px phone
# (about 335 px); the other columns follow and scroll. No column is pinned: Streamlit draws a
# pinned column's text faded (grey), as it does an index.
SITE_NAME = 180
STATUS = 140
DATE = 92
BLANK = ""  # the sites table: no lease, so no years left: left blank like the lessee and the end
UNKNOWN = "—"  # a missing figure (a rent or area not published)


_FORMATS = {"csv": ("Download CSV", "text/csv"), "geojson": ("Download GeoJSON", "application/geo+json")}


def confidence_column() -> dict:
    """A fact's confidence grade (``! disputed``), with what each grade means on hover."""
    return st.column_config.TextColumn("Confidence", help=CONFIDENCE_HELP, width=110)


def source_column() -> dict:
    """The first source's link."""
    return st.column_config.LinkColumn("Source", **LINK)


def _button(what: str, view: View, kind: str, payload, key: str, name: str = "") -> tuple:
    """A button for :func:`widgets.downloads`: ``what`` of the view as ``kind``, in a file
    named after the view's filters (or ``name``)."""
    label, mime = _FORMATS[kind]
    return label, payload, name or tables.download_name(what, view.filters, kind), mime, state.download(key, kind)


@speed.TABLES
def _tables(data: Atlas, filters: Filters, _view: View) -> dict:
    """The sites, events and leases tables of a view, cached on the view."""
    return {
        "sites": tables.sites_table(data, _view),
        "events": tables.events_table(data, _view.events.head(EVENT_ROWS_SHOWN)),  # the rest on download
        "leases": tables.leases_table(data, _view.leases),
    }


def _view_tables(data: Atlas, view: View) -> dict:
    return _tables(data, view.filters, view)


def tables_section(data: Atlas, view: View) -> None:
    """Sites, events and leases of the view, each in its tab (and the user's own points).

    Only the open tab's table is built and sent: each table drawn costs the browser time
    before the map above it can draw (bench/results.md), and a hidden one is seldom read.
    Opening a tab reruns the page; which tab is open is kept by what it shows, since the
    labels carry counts that change with the filters."""
    mine = points.current()
    labels = {
        "sites": f"Sites ({len(view.sites)})",
        "events": f"Events ({len(view.events)})",
        "leases": f"Leases ({len(view.leases)})",
    }
    if mine is not None:
        labels["points"] = f"Your points ({len(points.shown(mine, view))})"
    shown = st.session_state.get(state.TABLE_SHOWN)
    if shown not in labels:
        shown = "sites"
    by_label = {label: kind for kind, label in labels.items()}

    def opened() -> None:
        st.session_state[state.TABLE_SHOWN] = by_label.get(st.session_state.get(state.TABLE_TABS), "sites")

    tabs = st.tabs(list(labels.values()), default=labels[shown], key=state.TABLE_TABS, on_change=opened)
    draw = {"sites": sites_table, "events": events_table, "leases": leases_table, "points": points.table}
    for tab, kind in zip(tabs, labels):
        if tab.open:
            with tab:
                draw[kind](data, view)


def sites_table(data: Atlas, view: View, key: str = state.SITES_TABLE) -> None:
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
        key=state.changing(key, tuple(table["id"]), f.site),
        placeholder=BLANK,
        column_order=["name", "status", "lessee", "lease_end", "years_left", "operator", "since", "confidence", "kind", "country", "source", "sources", "name_ru"],
        column_config={
            "name": st.column_config.TextColumn("Site", width=SITE_NAME),
            "status": st.column_config.TextColumn("Status", width=STATUS, help="Control status on the as-of date"),
            "operator": st.column_config.TextColumn("Operator", width="medium", help="Who ran the site on the as-of date, as the sources name them"),
            "lessee": st.column_config.TextColumn("Lessee", width=72),
            "lease_end": st.column_config.TextColumn("Lease ends", width=92),
            "years_left": st.column_config.ProgressColumn("Years left", min_value=0, max_value=50, format="%.1f", width=104),
            "since": st.column_config.TextColumn("Since", width=DATE, help="Since when the site has had this status"),
            "confidence": confidence_column(),
            "kind": st.column_config.TextColumn("Kind", width=130),
            "country": st.column_config.TextColumn("Host country", width=140),
            "source": source_column(),
            "sources": st.column_config.NumberColumn("Sources", help="How many sources the site cites; the link opens the first.", width=75),
            "name_ru": st.column_config.TextColumn(language.names(data).other_name, width="medium"),
        },
    )
    rows = [row for row in (event.selection.rows if event else []) if 0 <= row < len(table)]
    state.pick_site(key, table.iloc[rows[0]]["id"] if rows else None)
    downloads(
        _button("sites", view, "csv", lambda: tables.to_csv(table.drop(columns=["id"])), key),
        _button("sites", view, "geojson", lambda: tables.sites_geojson(view.sites, table), key),
    )


def events_table(data: Atlas, view: View, key: str = state.EVENTS_TABLE) -> None:
    """The events shown (event period and filters), each with its source."""
    f = view.filters
    shown = _view_tables(data, view)["events"]
    more = ""
    if len(shown) < len(view.events):
        more = f" The first {len(shown):,} of {len(view.events):,} are listed; the downloads hold them all."
    st.caption(f"Events {f.year_from}–{f.year_to}, oldest first.{more}")
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key=key,
        placeholder=UNKNOWN,
        column_order=["date", "title", "site", "kind", "confidence", "other_value", "countries", "source"],
        column_config={
            "date": st.column_config.TextColumn("Date", width=DATE),
            "title": st.column_config.TextColumn("Event", width=250),
            "site": st.column_config.TextColumn("Site", width=SITE_NAME),
            "kind": st.column_config.TextColumn("Kind", width=120),
            "confidence": confidence_column(),
            "other_value": st.column_config.TextColumn("Other value (disputed)", width="medium"),
            "countries": st.column_config.TextColumn("Countries", width=150),
            "source": source_column(),
        },
    )

    def every():  # every event of the view, not only the rows shown: built on click
        return tables.events_table(data, view.events)

    downloads(
        _button("events", view, "csv", lambda: tables.to_csv(every()), key),
        _button("events", view, "geojson", lambda: tables.events_geojson(view.events, every()), key),
    )


LEASE_COLUMNS = ["site", "parties", "start", "end", "rent_usd", "signed", "area_km2", "confidence", "other_value", "source", "note"]


def lease_columns() -> dict:
    """How a table of lease agreements shows them (here and in the site panel)."""
    return {
        "parties": st.column_config.TextColumn("Lessor → lessee", width=150),
        "start": st.column_config.TextColumn("From", width=DATE, help="The day the agreement's terms took effect"),
        "end": st.column_config.TextColumn("Ends", width=DATE),
        "rent_usd": st.column_config.NumberColumn(
            "Rent (US$/yr)", format="%,.0f", width=112, help="Annual rent in US dollars; — where no figure is published"
        ),
        "signed": st.column_config.TextColumn("Signed", width=DATE),
        "area_km2": st.column_config.NumberColumn("Area (km²)", format="%,.1f", width=96),
        "confidence": confidence_column(),
        "other_value": st.column_config.TextColumn("Other value (disputed)", width="medium"),
        "source": source_column(),
        "note": st.column_config.TextColumn("Note", width="large"),
    }


def leases_table(data: Atlas, view: View, key: str = state.LEASES_TABLE) -> None:
    """Every lease agreement of the sites shown."""
    table = _view_tables(data, view)["leases"]
    st.caption("Every lease agreement of the sites shown; the one in force on the as-of date governs.")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key=key,
        placeholder=UNKNOWN,
        column_order=LEASE_COLUMNS,
        column_config={"site": st.column_config.TextColumn("Site", width=SITE_NAME), **lease_columns()},
    )
    downloads(_button("leases", view, "csv", lambda: tables.to_csv(table.drop(columns=["site_id"])), key))


@speed.BIBLIOGRAPHY
def _bibliography(data: Atlas, filters: Filters | None, _view: View | None):
    if _view is None:
        return tables.bibliography(data)
    return tables.bibliography(data, set(_view.sites["id"]), set(_view.events["id"]))


def bibliography(data: Atlas, view: View) -> None:
    """Every source cited by the sites and events shown (or all of them), with what cites it."""
    everything = st.toggle("All sources, whatever the filters", key=state.ALL_SOURCES)
    table = _bibliography(data, None if everything else view.filters, None if everything else view)
    st.caption(
        f"{len(table):,} of {text.plural(len(data.sources), 'source')}. “Sites” lists the sites each source documents "
        "(location, control, leases or areas); “Events” counts the events it is cited for."
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key=state.SOURCES_TABLE,
        placeholder=UNKNOWN,
        column_order=["title", "publisher", "published", "author", "url", "sites", "events", "note"],
        column_config={
            "title": st.column_config.TextColumn("Title", width=320),
            "publisher": st.column_config.TextColumn("Publisher", width=160),
            "published": st.column_config.TextColumn("Published", width=DATE),
            "author": st.column_config.TextColumn("Author", width=140),
            "url": st.column_config.LinkColumn("Link", display_text="open ↗", width="small"),
            "sites": st.column_config.TextColumn("Sites", width="large"),
            "events": st.column_config.NumberColumn("Events"),
            "note": st.column_config.TextColumn("Note", width="large"),
        },
    )
    name = "sources_all.csv" if everything else ""
    downloads(_button("sources", view, "csv", lambda: tables.to_csv(table), state.SOURCES_TABLE, name))


def changes_section(data: Atlas, view: View) -> None:
    """Compare mode: what changed at the sites shown between the two dates, with sources."""
    if view.compared is None:
        return
    before, after = view.compared
    table = tables.changes_table(data, view)
    with st.container(border=True, key=state.CHANGES_TABLE):
        st.subheader(f"What changed, {before:%d %b %Y} → {after:%d %b %Y}")
        if table.empty:
            st.caption("No site shown differs in status, operator or lease between the two dates.")
            return
        changed, shown = table["site_id"].nunique(), len(view.sites)
        where = "the only site shown" if shown == 1 else f"{changed:,} of the {shown:,} sites shown"
        st.caption(
            f"{text.plural(len(table), 'change')} at {where}; "
            "the map rings each changed site and its tooltip lists the changes. Clear “Compare with” to stop comparing."
        )
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            placeholder=UNKNOWN,
            column_order=["site", "what", "before", "after", "confidence", "sources", "source"],
            column_config={
                "site": st.column_config.TextColumn("Site", width=SITE_NAME),
                "what": st.column_config.TextColumn("What", width=80, help="The fact that differs: status, operator or lease"),
                "before": st.column_config.TextColumn(f"On {before:%d %b %Y}", width=310),
                "after": st.column_config.TextColumn(f"On {after:%d %b %Y}", width=310),
                "confidence": st.column_config.TextColumn("Confidence", help=CONFIDENCE_HELP + " Before → after.", width=170),
                "sources": st.column_config.TextColumn("Sources", width="medium"),
                "source": source_column(),
            },
        )
        name = f"changes_{'-'.join(view.filters.countries) or 'all'}_{before.isoformat()}_{after.isoformat()}.csv"
        downloads(_button("changes", view, "csv", lambda: tables.to_csv(table.drop(columns=["site_id"])), state.CHANGES_TABLE, name))
