"""Text of the pages with figures from the data: the About page (its Markdown in
``about.md``, beside this module) and the line above the events."""

from __future__ import annotations

from importlib import resources

import streamlit as st

from strategic_sites.view import language
from strategic_sites.core import text
from strategic_sites.core.text import plural
from strategic_sites.data import grading
from strategic_sites.data.atlas import Atlas
from strategic_sites.view.filters import View
from strategic_sites.ui.widgets import md
from strategic_sites.core.vocab import EVENT_KINDS

ABOUT = "about.md"  # shipped with the package (pyproject.toml, package-data)


def about_figures(data: Atlas) -> dict[str, object]:
    """What the About text says of the data now: the names in ``about.md``'s ``{fields}``."""
    c = data.counts
    first = data.events["date_first"].min()
    last = data.events["date_last"].max()
    return {
        "sites": plural(c.get("sites", 0), "site"),
        "hosts": ", ".join(sorted(language.names(data).country(code) for code in set(data.sites["country"]))),
        "control": plural(c.get("control", 0), "control period"),
        "leases": plural(c.get("leases", 0), "lease agreement"),
        "events": plural(c.get("events", 0), "event"),
        "first_year": f"{first:%Y}",
        "last_year": f"{last:%Y}",
        "areas": plural(c.get("areas", 0), "drawn area"),
        "sources": plural(c.get("sources", 0), "source"),
        "event_kinds": ", ".join(label.lower() for label in EVENT_KINDS.values()),
    }


def about_text(data: Atlas) -> str:
    """The About page's Markdown, with the figures of ``data`` filled in."""
    template = resources.files(__package__).joinpath(ABOUT).read_text(encoding="utf-8")
    return template.format_map(about_figures(data))


def about(data: Atlas) -> None:
    """What the atlas covers and does not, how facts are sourced, licences and how to contribute."""
    st.markdown(about_text(data))


def data_changes(data: Atlas) -> None:
    """The data's version and every change recorded to it, newest first."""
    version = data.data_version
    if version is None:
        return
    st.subheader("The data's version and its changes")
    st.markdown(
        f"The data served now is version **{md(version.label)}**. Shared links carry the version they were made "
        "with (`data=`): when the data has changed since, the link still opens its view, with a notice listing "
        "the changes. Each change is one line of `CHANGELOG-data.md` in the data folder."
    )
    if not version.recorded:
        st.warning("This version of the data has no line in its changelog yet: it was edited without one.", icon=":material/edit_note:")
    if version.changes:
        import pandas as pd

        rows = [{"date": c.day, "version": c.version, "what changed": c.what, "why": c.why} for c in reversed(version.changes)]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="data-changes",
                     column_config={"what changed": st.column_config.TextColumn(width="large"), "why": st.column_config.TextColumn(width="large")})


def grade_exceptions(data: Atlas) -> None:
    """How the grades are checked, and every reviewed exception to the rule, with its reason."""
    st.subheader("How the grades are checked")
    st.markdown(
        "Each fact's grade follows from the sources it cites, and the atlas refuses to load a grade they do not "
        "bear out: **confirmed** needs a primary legal text or two independent publishers (a wire story and its "
        "reprints count once); **unconfirmed** is a single claim, neither a legal text nor an official statement; "
        "**disputed** names a source on the other side, not among the kept value's sources, giving a different value. "
        "Each source's kind and origin are in the data's `sources.csv`."
    )
    listed = grading.exceptions(
        [("control.csv", data.control), ("leases.csv", data.leases), ("events.csv", data.events)], data.sources
    )
    if not listed:
        st.markdown("No fact's grade is an exception to these rules.")
        return
    st.markdown(f"{plural(len(listed), 'fact')} keep a grade the rule alone would not give, each for the reviewed reason in its note:")
    import pandas as pd

    rows = [{"fact": e.row, "file": e.file, "grade": e.grade, "the rule says": e.rule, "why it is kept": e.reason} for e in listed]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="grade-exceptions",
                 column_config={"the rule says": st.column_config.TextColumn(width="large"), "why it is kept": st.column_config.TextColumn(width="large")})


def events_summary(view: View) -> None:
    """How many events the page lists, from which years, and where to change them."""
    f = view.filters
    st.caption(
        f"{text.plural(len(view.events), 'event')} from {f.year_from} to {f.year_to} at or about the sites shown; "
        "set the years in the sidebar."
    )
