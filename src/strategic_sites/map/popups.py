"""Tooltip and popup HTML for the map. Every text from the data goes through :func:`esc`.

folium inserts popup HTML as it is, and the map's iframe shares the dashboard's origin, so
an unescaped name like ``<img src=x onerror=...>`` would run script in the dashboard.
"""

from __future__ import annotations

import html
from datetime import date

import pandas as pd

from strategic_sites.core import text
from strategic_sites.data.columns import split_list
from strategic_sites.view.language import Names
from strategic_sites.map.style import CONFIDENCE_BADGES, status_icon_svg
from strategic_sites.core.vocab import CONFIDENCE, CONFIDENCE_MEANING

LATEST_EVENTS = 4


def esc(value) -> str:
    """HTML-escape any value; blanks and NaN become empty strings.

    Quotes are escaped, and so are the characters that mean something inside a JavaScript
    template literal (backtick, dollar, backslash): folium embeds tooltips and popups in
    `...` literals, where ``${...}`` or ``\u003c`` would otherwise be code or markup.
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = html.escape(str(value), quote=True)
    return text.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def source_links(source_ids: list[str], sources: dict[str, dict]) -> str:
    """An HTML list of sources (``sources``: id → title, publisher, published, url), linked
    where they have a URL (URLs are validated as http(s))."""
    items = []
    for source_id in source_ids:
        row = sources.get(source_id)
        if row is None:
            continue
        label = esc(row["title"]) + (f" <span class='ssa-muted'>({esc(row['publisher'])}{', ' + esc(row['published']) if row['published'] else ''})</span>")
        if row["url"]:
            items.append(f'<li><a href="{esc(row["url"])}" target="_blank" rel="noopener noreferrer">{label}</a></li>')
        else:
            items.append(f"<li>{label}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def badge(grade: str) -> str:
    """A fact's confidence as a small badge (nothing for an unknown grade)."""
    if grade not in CONFIDENCE:
        return ""
    mark, colour = CONFIDENCE_BADGES[grade]
    return (
        f'<span class="ssa-conf ssa-conf-{grade}" style="border-color:{colour};color:{colour}" '
        f'title="{esc(CONFIDENCE[grade])}: {esc(CONFIDENCE_MEANING[grade])}">{mark} {esc(CONFIDENCE[grade].lower())}</span>'
    )


def dispute(row, sources: dict[str, dict]) -> str:
    """A disputed fact's two values side by side: the row's own value of the disputed column
    with its sources, and the other with its source."""
    column = text.disputed_column(row["confidence"], row["dispute_field"])
    if not column:
        return ""
    field_name = str(row["dispute_field"])
    kept = str(row[field_name]) if field_name in row.index else ""
    return (
        f'<div class="ssa-dispute"><b>Sources disagree on {esc(column)}</b>'
        f'<div class="ssa-dispute-sides"><div><span class="ssa-muted">Kept</span><br>{esc(kept)}{source_links(kept_sources(row), sources)}</div>'
        f'<div><span class="ssa-muted">Other</span><br>{esc(row["dispute_value"])}{source_links(split_list(str(row["dispute_source_id"])), sources)}</div></div></div>'
    )


def kept_sources(row) -> list[str]:
    """The sources of a disputed fact's kept value: the row's own, less those of the other
    value (a row may cite the disagreeing source in its note too)."""
    other = set(split_list(str(row["dispute_source_id"])))
    return [s for s in row["source_ids"] if s not in other] or list(row["source_ids"])


def changes_tooltip(site_changes: pd.DataFrame, compared: tuple[date, date]) -> str:
    """A site's changes between the two dates compared, for its tooltip."""
    if not len(site_changes):
        return ""
    lines = [f"<b>Changed {text.day(compared[0])} → {text.day(compared[1])}</b>"]
    lines += [f"{esc(row.what)}: {esc(row.before)} → {esc(row.after)}" for row in site_changes.itertuples()]
    return '<div class="ssa-changes">' + "<br>".join(lines) + "</div>"


ALIASES_SHOWN = 8  # other names listed in a popup; the search knows them all


def site_tooltip(site, period: pd.Series | None, day: date, names: Names, found_as: str = "", changes: str = "") -> str:
    """Name and status on the day, with its confidence; ``found_as``: the other name a search
    found the site by; ``changes``: its changes between two dates (:func:`changes_tooltip`)."""
    if period is not None:
        status = f"{esc(names.status(period['status']))} {badge(str(period['confidence']))}"
    else:
        status = esc(f"no status on {text.day(day)}")
    found = f"<br><i>{esc(found_as)}</i>" if found_as else ""
    return f"<b>{esc(site.name)}</b>{found}<br>{status}{changes}"


def site_popup_parts(site, site_events: pd.DataFrame, sources: dict[str, dict], names: Names) -> tuple[str, str]:
    """The parts of a site's popup that do not depend on the date: (top, bottom). The
    date's part (:func:`site_on_day`) goes between them."""
    top = [f'<div class="ssa-popup" data-site="{esc(site.id)}"><h3>{esc(site.name)}</h3>']
    if site.name_ru:
        top.append(f'<div class="ssa-ru">{esc(site.name_ru)}</div>')
    rows = [
        ("Kind", esc(names.kind(site.kind))),
        ("Host", f"{esc(names.country_with_code(site.country))}, {esc(site.place)}"),
    ]
    if site.location_precision == "approximate":
        rows.append(("Location", "approximate (nearest town)"))
    aliases = site.alias_list
    if aliases:
        more = f" and {len(aliases) - ALIASES_SHOWN} more" if len(aliases) > ALIASES_SHOWN else ""
        rows.append(("Also", esc(", ".join(aliases[:ALIASES_SHOWN])) + more))
    top.append(_rows(rows))
    bottom = [f"<p>{esc(site.summary)}</p>"]
    latest = site_events.sort_values("date_first", ascending=False).head(LATEST_EVENTS)
    if len(latest):
        items = "".join(f"<li>{esc(e.date)} — {esc(e.title)}</li>" for e in latest.itertuples())
        bottom.append(f"<b>Latest events</b><ul>{items}</ul>")
    links = source_links(site.source_ids, sources)
    if links:
        bottom.append(f"<b>Sources</b>{links}")
    bottom.append("</div>")
    return "".join(top), "".join(bottom)


def site_on_day(period, lease, day: date, names: Names, sources: dict[str, dict] | None = None, changes: str = "") -> str:
    """The part of a site's popup that depends on the date: its status and lease then, each
    with its confidence (a disputed one with both values and their sources), and its
    changes between two dates compared (:func:`changes_tooltip`)."""
    sources = sources or {}
    disputes = []
    if period is not None:
        dot = status_icon_svg(period["status"])  # its shape in its colour, as on the marker: not colour alone
        status = f"{dot}{esc(names.status(period['status']))}, {esc(text.since(period['start'], period['end']))} {badge(str(period['confidence']))}"
        if period["operator"]:
            status += f"<br><span class='ssa-muted'>{esc(period['operator'])}</span>"
        disputes.append(dispute(period, sources))
    else:
        status = "No recorded status on this date"
    rows = [(f"On {text.day(day)}", status)]
    if lease is not None:
        rows.append(
            (
                "Lease",
                f"{esc(names.parties(lease['lessor'], lease['lessee']))}, "
                f"{esc(text.lease_term(lease))}; {esc(text.money(lease['annual_rent_usd']))}; "
                f"{esc(text.years_left(lease['years_remaining']))} {badge(str(lease['confidence']))}",
            )
        )
        disputes.append(dispute(lease, sources))
    return _rows(rows) + "".join(disputes) + changes


def _rows(rows: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def site_popup(site, period, lease, site_events: pd.DataFrame, sources: dict[str, dict], day: date, names: Names) -> str:
    """A site's whole popup on ``day``."""
    top, bottom = site_popup_parts(site, site_events, sources, names)
    return top + site_on_day(period, lease, day, names, sources) + bottom


def lease_tooltip(site_name: str, lease, label: str, area, names: Names) -> str:
    lines = [f"<b>{esc(site_name)}</b>"]
    if lease is None:
        lines.append("No lease in force on this date")
    else:
        lines.append(esc(names.parties(lease["lessor"], lease["lessee"])))
        lines.append(f"Term: {esc(text.lease_term(lease))}")
        lines.append(f"Rent: {esc(text.money(lease['annual_rent_usd']))} {badge(str(lease['confidence']))}")
        lines.append(esc(label.capitalize()) + (f" ({esc(text.years_left(lease['years_remaining']))})" if pd.notna(lease["years_remaining"]) else ""))
    if area is not None:
        size = f"{area.area_km2:,.0f} km²" if pd.notna(area.area_km2) else "area not known"
        lines.append(f"<span class='ssa-muted'>{esc(size)}; drawn as {esc(area.drawn_as)}</span>")
    return "<br>".join(lines)
