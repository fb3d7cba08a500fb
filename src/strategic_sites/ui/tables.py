"""The tables of a view (sites, events, leases) and the bibliography, each downloadable
exactly as shown. A row of the sites table selects its site."""

from __future__ import annotations

import streamlit as st

from strategic_sites import language, tables
from strategic_sites.data import Atlas
from strategic_sites.filters import Filters, View
from strategic_sites.ui import points, state
from strategic_sites.ui.loading import BY_KEY
from strategic_sites.ui.widgets import LINK, downloads
from strategic_sites.vocab import CONFIDENCE, CONFIDENCE_MEANING

CONFIDENCE_HELP = "How sure the fact is: " + "; ".join(f"{tables.grade(g)}: {CONFIDENCE_MEANING[g]}" for g in CONFIDENCE) + "."
EVENT_ROWS_SHOWN = 1_000  # rows of the events table sent to the page; the downloads hold all
_FORMATS = {"csv": ("Download CSV", "text/csv"), "geojson": ("Download GeoJSON", "application/geo+json")}


def _button(what: str, view: View, kind: str, payload, key: str, name: str = "") -> tuple:
    """A button for :func:`widgets.downloads`: ``what`` of the view as ``kind``, in a file
    named after the view's filters (or ``name``)."""
    label, mime = _FORMATS[kind]
    return label, payload, name or tables.download_name(what, view.filters, kind), mime, state.download(key, kind)


@st.cache_resource(show_spinner=False, max_entries=32, hash_funcs=BY_KEY)
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
        column_order=[*("name", "kind", "country", "status", "since", "confidence", "lessee", "lease_end", "years_left"),
                      *("sources", "source", "name_ru")],
        column_config={
            "name": st.column_config.TextColumn("Site", width="medium", pinned=True),
            "name_ru": st.column_config.TextColumn(language.names(data).other_name, width="medium"),
            "kind": "Kind",
            "country": "Host country",
            "status": "Status",
            "since": "Since",
            "confidence": st.column_config.TextColumn("Confidence", help=CONFIDENCE_HELP),
            "lessee": "Lessee",
            "lease_end": "Lease ends",
            "years_left": st.column_config.ProgressColumn("Years left", min_value=0, max_value=50, format="%.1f"),
            "sources": st.column_config.NumberColumn(
                "Sources", help="How many sources the site cites; the link opens the first."
            ),
            "source": st.column_config.LinkColumn("Source", **LINK),
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
        column_order=["date", "site", "kind", "title", "countries", "confidence", "other_value", "source"],
        column_config={
            "date": "Date",
            "site": "Site",
            "kind": "Kind",
            "title": st.column_config.TextColumn("Event", width="large"),
            "countries": "Countries",
            "confidence": st.column_config.TextColumn("Confidence", help=CONFIDENCE_HELP),
            "other_value": st.column_config.TextColumn("Other value (disputed)", width="medium"),
            "source": st.column_config.LinkColumn("Source", **LINK),
        },
    )

    def every():  # every event of the view, not only the rows shown: built on click
        return tables.events_table(data, view.events)

    downloads(
        _button("events", view, "csv", lambda: tables.to_csv(every()), key),
        _button("events", view, "geojson", lambda: tables.events_geojson(view.events, every()), key),
    )


def leases_table(data: Atlas, view: View, key: str = state.LEASES_TABLE) -> None:
    """Every lease agreement of the sites shown."""
    table = _view_tables(data, view)["leases"]
    st.caption("Every lease agreement of the sites shown; the one in force on the as-of date governs.")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key=key,
        column_order=["site", "parties", "signed", "start", "end", "rent_usd", "area_km2", "confidence", "other_value", "source", "note"],
        column_config={
            "site": "Site",
            "parties": "Lessor → lessee",
            "signed": "Signed",
            "start": "In force from",
            "end": "Ends",
            "rent_usd": st.column_config.NumberColumn("Rent (US$/year)", format="%,.0f"),
            "area_km2": st.column_config.NumberColumn("Area (km²)", format="%,.1f"),
            "confidence": st.column_config.TextColumn("Confidence", help=CONFIDENCE_HELP),
            "other_value": st.column_config.TextColumn("Other value (disputed)", width="medium"),
            "source": st.column_config.LinkColumn("Source", **LINK),
            "note": st.column_config.TextColumn("Note", width="large"),
        },
    )
    downloads(_button("leases", view, "csv", lambda: tables.to_csv(table.drop(columns=["site_id"])), key))


@st.cache_resource(show_spinner=False, max_entries=16, hash_funcs=BY_KEY)
def _bibliography(data: Atlas, filters: Filters | None, _view: View | None):
    if _view is None:
        return tables.bibliography(data)
    return tables.bibliography(data, set(_view.sites["id"]), set(_view.events["id"]))


def bibliography(data: Atlas, view: View) -> None:
    """Every source cited by the sites and events shown (or all of them), with what cites it."""
    everything = st.toggle("All sources, whatever the filters", key=state.ALL_SOURCES)
    table = _bibliography(data, None if everything else view.filters, None if everything else view)
    st.caption(
        f"{len(table)} of {len(data.sources)} sources. “Sites” lists the sites each source documents "
        "(location, control, leases or areas); “Events” counts the events it is cited for."
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key=state.SOURCES_TABLE,
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
        st.caption(
            f"{len(table)} changes at {table['site_id'].nunique()} of the {len(view.sites)} sites shown; "
            "the map rings each changed site and its tooltip lists the changes. Clear “Compare with” to stop comparing."
        )
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_order=["site", "what", "before", "after", "confidence", "sources", "source"],
            column_config={
                "site": st.column_config.TextColumn("Site", pinned=True),
                "what": "Fact",
                "before": st.column_config.TextColumn(f"On {before:%d %b %Y}", width="large"),
                "after": st.column_config.TextColumn(f"On {after:%d %b %Y}", width="large"),
                "confidence": st.column_config.TextColumn("Confidence", help=CONFIDENCE_HELP),
                "sources": st.column_config.TextColumn("Sources", width="medium"),
                "source": st.column_config.LinkColumn("Source", **LINK),
            },
        )
        name = f"changes_{'-'.join(view.filters.countries) or 'all'}_{before.isoformat()}_{after.isoformat()}.csv"
        downloads(_button("changes", view, "csv", lambda: tables.to_csv(table.drop(columns=["site_id"])), state.CHANGES_TABLE, name))
