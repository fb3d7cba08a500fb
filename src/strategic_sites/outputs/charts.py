"""Charts (Altair): the timeline of control periods, lease terms and events; events per year.

The frames behind each chart are built by plain functions (tested on their own); the chart
functions only encode them, with the map's colours from :mod:`style`.
"""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from strategic_sites.data import lookup
from strategic_sites.outputs import tables
from strategic_sites.core import text
from strategic_sites.view.filters import View
from strategic_sites.view.language import names as names_of
from strategic_sites.map.style import EVENT_COLOURS, LEASE_NONE_COLOUR, SHAPE_PATHS, STATUS_COLOURS, STATUS_SHAPES, lease_colour
from strategic_sites.core.vocab import EVENT_KINDS, STATUSES

ROW_HEIGHT = 30
PICK = "pick"  # the name of the timeline's click selection (the site clicked)
_BAR_COLUMNS = ["site_id", "site", "row", "label", "start", "end", "period", "detail", "colour", "confidence"]
DOUBTFUL = ("disputed", "unconfirmed")  # drawn with a dashed outline
COMPARED_COLOUR = "#e7298a"  # the rule of the date compared with (the map's ring of a changed site)
START_SIZE = 196  # px², the area of the status's shape at the start of each control bar: 14 px a side


def _confidence(row) -> str:
    """A fact's confidence as the chart's tooltip says it, with a disputed fact's other value."""
    said = tables.grade(row.confidence)
    column = text.disputed_column(row.confidence, row.dispute_field)
    return f"{said} (other value of {column}: {row.dispute_value})" if column else said


def _end(value: pd.Timestamp, today: date) -> pd.Timestamp:
    return pd.Timestamp(today) if pd.isna(value) else value


def periods_frame(atlas, view: View, today: date) -> pd.DataFrame:
    """One row per control period and per lease agreement of the sites the view shows, for
    the bars.

    ``row`` is "Control" or "Lease"; open periods end ``today``; ``colour`` is the map's:
    the status colour, or for a lease the years-left shading on the view's as-of date (grey
    when it is not the lease the view has in force then).
    """
    labels = names_of(atlas)
    names = lookup.of(atlas).site_names
    wanted = set(view.sites["id"])
    rows = []
    control = atlas.control[atlas.control["site_id"].isin(wanted)]
    for period in control.itertuples():
        rows.append(
            {
                "site_id": period.site_id,
                "site": names[period.site_id],
                "row": "Control",
                "label": labels.status(period.status),
                "start": period.start_date,
                "end": _end(period.end_date, today),
                "period": text.period(period.start, period.end),
                "detail": period.operator or "",
                "colour": STATUS_COLOURS[period.status],
                "confidence": _confidence(period),
            }
        )
    leases = atlas.leases[atlas.leases["site_id"].isin(wanted)]
    in_force = view.in_force
    governing = {(row.site_id, row.start) for row in in_force.itertuples()}
    years_left = dict(zip(in_force["site_id"], in_force["years_remaining"]))
    for lease in leases.itertuples():
        current = (lease.site_id, lease.start) in governing
        colour, state = lease_colour(years_left.get(lease.site_id)) if current else (LEASE_NONE_COLOUR, "not the lease in force on the date")
        rent = text.money(lease.annual_rent_usd)
        rows.append(
            {
                "site_id": lease.site_id,
                "site": names[lease.site_id],
                "row": "Lease",
                "label": f"Lease {labels.parties(lease.lessor, lease.lessee)}",
                "start": lease.start_date,
                "end": _end(lease.end_date, today),
                "period": text.period(lease.start, lease.end),
                "detail": f"signed {lease.signed}; rent {rent}; {state}",
                "colour": colour,
                "confidence": _confidence(lease),
            }
        )
    frame = pd.DataFrame(rows, columns=_BAR_COLUMNS)
    return frame[frame["start"].notna()].reset_index(drop=True)


def event_points(atlas, view: View, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """One point per event of the view (or ``events``) that belongs to a site shown (at
    it, or about it), on that site's row."""
    labels = names_of(atlas)
    names = lookup.of(atlas).site_names
    rows = []
    for event in view.site_events(events).itertuples():
        site_id = event.row_site
        rows.append(
            {
                "site_id": site_id,
                "site": names[site_id],
                "date": event.date_first,
                "when": event.date,
                "kind": labels.event_kind(event.kind),
                "title": event.title,
                "colour": EVENT_COLOURS[event.kind],
                "confidence": _confidence(event),
            }
        )
    return pd.DataFrame(rows, columns=["site_id", "site", "date", "when", "kind", "title", "colour", "confidence"])


def site_order(bars: pd.DataFrame, site_ids: list[str], names: dict[str, str]) -> list[str]:
    """Row order: by the start of each site's first period, then name."""
    first = bars.groupby("site_id")["start"].min()
    ordered = sorted(site_ids, key=lambda s: (first.get(s, pd.Timestamp.max), names.get(s, s)))
    return [names[s] for s in ordered]


def timeline_height(rows: int) -> int:
    return max(60, ROW_HEIGHT * rows) + 210  # the rows, the year axis and the legend


def _doubtful_outline():
    """A dashed outline on the bars of disputed or unconfirmed facts, none on the others."""
    test = " || ".join(f"indexof(datum.confidence, '{grade}') >= 0" for grade in DOUBTFUL)
    return alt.condition(test, alt.value(1.5), alt.value(0))


def _lease_bars(bars: pd.DataFrame, y: alt.Y) -> alt.Chart:
    """The lease terms: thin bars under each site's control periods, in the map's shading."""
    return (
        alt.Chart(bars[bars["row"] == "Lease"])
        .mark_bar(size=5, yOffset=9, cornerRadius=1, stroke="#333333")
        .encode(
            x="start:T",
            x2="end:T",
            y=y,
            color=alt.Color("colour:N", scale=None),
            strokeWidth=_doubtful_outline(),
            strokeDash=alt.value([3, 2]),
            tooltip=[
                alt.Tooltip("site:N", title="Site"),
                alt.Tooltip("label:N", title="Lease"),
                alt.Tooltip("period:N", title="Term"),
                alt.Tooltip("detail:N", title="Terms"),
                alt.Tooltip("confidence:N", title="Confidence"),
            ],
        )
    )


def _event_marks(points: pd.DataFrame, y: alt.Y) -> alt.Chart:
    """The events: diamonds on their site's row, coloured by kind."""
    return (
        alt.Chart(points)
        .mark_point(shape="diamond", filled=True, size=60, yOffset=-3, stroke="#ffffff", strokeWidth=0.8)
        .encode(
            x="date:T",
            y=y,
            color=alt.Color("colour:N", scale=None),
            tooltip=[
                alt.Tooltip("when:N", title="Date"),
                alt.Tooltip("kind:N", title="Event"),
                alt.Tooltip("title:N", title="What"),
                alt.Tooltip("site:N", title="Site"),
                alt.Tooltip("confidence:N", title="Confidence"),
            ],
        )
    )


def timeline_chart(
    bars: pd.DataFrame, points: pd.DataFrame, order: list[str], day: date, selectable: bool = True, legend: bool = True, vs: date | None = None
) -> alt.LayerChart:
    """Control periods (thick bars in the status's colour, its shape at the start of each) and
    leases (thin bars under them) per site, events as diamonds, and a rule at the as-of date (and
    at ``vs``, the date compared with); hover for details, click a bar to pick a site. Disputed
    or unconfirmed facts have a dashed outline."""
    y = alt.Y("site:N", sort=order, title=None, axis=alt.Axis(labelLimit=300, labelFontSize=12, labelOverlap=False))
    statuses = [label for key, label in STATUSES.items()]
    pick = alt.selection_point(name=PICK, fields=["site_id"], on="click", clear="dblclick", empty=True)

    control_bars = bars[bars["row"] == "Control"]
    opacity = alt.condition(pick, alt.value(1.0), alt.value(0.3)) if selectable else alt.value(1.0)
    tooltip = [
        alt.Tooltip("site:N", title="Site"),
        alt.Tooltip("label:N", title="Status"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("detail:N", title="Operator"),
        alt.Tooltip("confidence:N", title="Confidence"),
    ]
    colour_scale = alt.Scale(domain=statuses, range=[STATUS_COLOURS[k] for k in STATUSES])
    control = (
        alt.Chart(control_bars)
        .mark_bar(size=14, yOffset=-3, cornerRadius=2, stroke="#222222")
        .encode(
            x=alt.X("start:T", title=f"Dashed line: as of {day:%d %b %Y}" + (f"; pink: compared with {vs:%d %b %Y}" if vs is not None else ""), axis=alt.Axis(format="%Y", grid=True, titleFontWeight="normal", titleColor="#444444")),
            x2="end:T",
            y=y,
            color=alt.Color("label:N", scale=colour_scale, legend=None),
            opacity=opacity,
            tooltip=tooltip,
            strokeWidth=_doubtful_outline(),
            strokeDash=alt.value([4, 2]),
        )
    )
    if selectable:
        control = control.add_params(pick)
    # The status's shape (the map marker's) at the start of each bar, so that status is not told
    # by colour alone; its legend shows each shape in its colour. With no tooltip of its own it
    # takes no pointer events: hover and click go to the bar under it (a short bar stays clickable).
    # Colour and shape share one legend (the same field, title and domain): each shape in its colour.
    key = alt.Legend(title="Control status", orient="bottom", columns=3, labelLimit=300, symbolSize=START_SIZE, symbolStrokeColor="#ffffff", symbolStrokeWidth=1) if legend else None
    starts = (
        alt.Chart(control_bars)
        .mark_point(filled=True, size=START_SIZE, yOffset=-3, xOffset=8, stroke="#ffffff", strokeWidth=1, strokeOpacity=1)
        .encode(
            x="start:T",
            y=y,
            color=alt.Color("label:N", scale=colour_scale, legend=key),
            shape=alt.Shape("label:N", scale=alt.Scale(domain=statuses, range=[SHAPE_PATHS[STATUS_SHAPES[k]] for k in STATUSES]), legend=key),
            opacity=opacity,
        )
    )
    lease, events = _lease_bars(bars, y), _event_marks(points, y)
    rule = alt.Chart(pd.DataFrame({"date": [pd.Timestamp(day)], "label": [f"as of {day:%d %b %Y}"]}))
    asof = rule.mark_rule(color="#222222", strokeDash=[5, 3], strokeWidth=1.5).encode(x="date:T", tooltip=alt.Tooltip("label:N", title="Rule"))
    rules = [asof]
    if vs is not None:
        other = alt.Chart(pd.DataFrame({"date": [pd.Timestamp(vs)], "label": [f"compared with {vs:%d %b %Y}"]}))
        rules.append(other.mark_rule(color=COMPARED_COLOUR, strokeDash=[2, 2], strokeWidth=2).encode(x="date:T", tooltip=alt.Tooltip("label:N", title="Rule")))
    chart = alt.layer(control, starts, lease, events, *rules).resolve_scale(color="independent", shape="independent")
    return chart.properties(height=max(60, ROW_HEIGHT * len(order)))


def events_per_year(events: pd.DataFrame) -> pd.DataFrame:
    """How many events of each kind began in each year."""
    frame = pd.DataFrame({"year": events["date_first"].dt.year.astype("Int64"), "kind": [EVENT_KINDS[k] for k in events["kind"]]})
    counted = frame.groupby(["year", "kind"], observed=True).size().rename("events").reset_index()
    return counted.sort_values(["year", "kind"]).reset_index(drop=True)


def events_per_year_chart(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars: events per year, coloured by kind as on the map."""
    kinds = list(EVENT_KINDS.values())
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("events:Q", title="Events", stack=True),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=[EVENT_COLOURS[k] for k in EVENT_KINDS]),
                legend=alt.Legend(title="Kind", orient="bottom", columns=5),
            ),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("kind:N", title="Kind"), alt.Tooltip("events:Q", title="Events")],
        )
        .properties(height=260)
    )


CHART_IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def chart_image(chart: alt.TopLevelMixin, fmt: str, width: int = 1100) -> bytes:
    """A chart as a PNG (2× resolution) or SVG file, drawn by vl-convert with no browser and no network."""
    import vl_convert

    spec = chart.properties(width=width).to_json()
    if fmt == "png":
        return vl_convert.vegalite_to_png(spec, scale=2)
    if fmt == "svg":
        return vl_convert.vegalite_to_svg(spec).encode("utf-8")
    raise ValueError(f"no chart image format {fmt!r}; one of {', '.join(CHART_IMAGE_TYPES)}")
