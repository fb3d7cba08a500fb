"""Text of the pages with figures from the data: the About page (its Markdown in
``about.md``, beside this module) and the line above the events."""

from __future__ import annotations

from importlib import resources

import streamlit as st

from strategic_sites import language
from strategic_sites.data import Atlas
from strategic_sites.filters import View
from strategic_sites.vocab import EVENT_KINDS

ABOUT = "about.md"  # shipped with the package (pyproject.toml, package-data)


def about_figures(data: Atlas) -> dict[str, object]:
    """What the About text says of the data now: the names in ``about.md``'s ``{fields}``."""
    c = data.counts
    first = data.events["date_first"].min()
    last = data.events["date_last"].max()
    return {
        "sites": c.get("sites", 0),
        "hosts": ", ".join(sorted(language.names(data).country(code) for code in set(data.sites["country"]))),
        "control": c.get("control", 0),
        "leases": c.get("leases", 0),
        "events": c.get("events", 0),
        "first_year": f"{first:%Y}",
        "last_year": f"{last:%Y}",
        "areas": c.get("areas", 0),
        "sources": c.get("sources", 0),
        "event_kinds": ", ".join(label.lower() for label in EVENT_KINDS.values()),
    }


def about_text(data: Atlas) -> str:
    """The About page's Markdown, with the figures of ``data`` filled in."""
    template = resources.files(__package__).joinpath(ABOUT).read_text(encoding="utf-8")
    return template.format_map(about_figures(data))


def about(data: Atlas) -> None:
    """What the atlas covers and does not, how facts are sourced, licences and how to contribute."""
    st.markdown(about_text(data))


def events_summary(view: View) -> None:
    """How many events the page lists, from which years, and where to change them."""
    f = view.filters
    st.caption(
        f"{len(view.events)} events from {f.year_from} to {f.year_to} at or about the sites shown; "
        "set the years in the sidebar."
    )
