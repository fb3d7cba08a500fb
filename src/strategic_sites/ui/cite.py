"""Citing what the page shows: "Cite this view" below the sidebar's "Share this view", and
"Cite this site" (or one of its facts) in the site panel. Each shows the atlas's reference to
copy and offers the citation with its sources as BibTeX, RIS, CSL-JSON and text, each file built
when its button is clicked (:mod:`strategic_sites.outputs.cite`). Both are expanders, which
follow their header in the keyboard's order (a popover's content comes after the whole page)."""

from __future__ import annotations

import streamlit as st

from strategic_sites.data.atlas import Atlas
from strategic_sites.outputs import cite
from strategic_sites.view.filters import View
from strategic_sites.ui.widgets import downloads, md

# Widget keys (the page's other keys: ui/state.py).
CITE_VIEW = "cite-view"  # its download buttons: cite-view-bibtex, cite-view-ris, cite-view-csl-json, cite-view-text
CITE_SITE = "cite-site"  # cite-site-bibtex, …
CITE_FACT = "cite-fact"  # the select box of a site's facts (cite-fact-<site id>); its buttons cite-fact-bibtex, …
CITE_VIEW_OPEN = "cite-view-open"  # whether "Cite this view" is open
CITE_SITE_OPEN = "cite-site-open"  # whether the site panel's "Cite this site" is open (kept from site to site)
DOWNLOADS = ("bibtex", "ris", "csl-json", "text")  # in the order the buttons stand
BUTTON_LABELS = {"bibtex": "BibTeX (.bib)", "ris": "RIS (.ris)", "csl-json": "CSL-JSON (.json)", "text": "Text (.txt)"}
IMPORT_HELP = (
    "Zotero, Mendeley, EndNote and JabRef import the RIS, BibTeX and CSL-JSON files; "
    "LaTeX documents cite the BibTeX file (biblatex); the text file is the references written out."
)


def _buttons(atlas: Atlas, view: View | None, link: str, scope: str, key: str) -> None:
    """The download buttons of a citation, each file built when clicked."""

    def maker(fmt: str):
        return lambda: cite.citation(atlas, view, link, fmt, scope).text

    version = atlas.data_version.code if atlas.data_version is not None else atlas.version[:8]
    downloads(
        *(
            (BUTTON_LABELS[fmt], maker(fmt), cite.file_name(scope, fmt, version), cite.FORMATS[fmt].media_type, f"{key}-{fmt}")
            for fmt in DOWNLOADS
        )
    )


def _opened(label: str, key: str):
    """An expander whose content is drawn only while it is open (opening it reruns the page):
    a closed one costs no citation, and the page no code box (its highlighter is 1.5 MB of the
    browser's download: ui/speed.py). ``None`` while it is closed."""
    box = st.expander(label, icon=":material/format_quote:", key=key, on_change="rerun")
    return box if box.open else None


def cite_view(atlas: Atlas, view: View, link: str) -> None:
    """"Cite this view", below the sidebar's "Share this view": the atlas's reference for the
    view, to copy, and the downloads, which add every source cited by the sites and events shown."""
    box = _opened("Cite this view", CITE_VIEW_OPEN)
    if box is None:
        return
    with box:
        st.code(cite.reference(atlas, view, link, "view"), language=None, wrap_lines=True)
        st.caption(
            "The reference to the atlas, with this view's link and the data's version (copy it with the button at its "
            "top right). The files below add every source behind the sites and events shown. " + IMPORT_HELP
        )
        _buttons(atlas, view, link, "view", CITE_VIEW)


def cite_site(atlas: Atlas, site_id: str, link: str) -> None:
    """"Cite this site", with every source of its facts, and any one of its facts with that
    fact's sources (a disputed fact's other sources too, marked as such)."""
    site = atlas.site(site_id)
    if site is None:
        return
    box = _opened("Cite this site or one of its facts", CITE_SITE_OPEN)
    if box is None:
        return
    with box:
        st.markdown(f"**Cite {md(site['name'])}**")
        st.code(cite.reference(atlas, None, link, f"site:{site_id}"), language=None, wrap_lines=True)
        st.caption("The files add every source of the site's facts. " + IMPORT_HELP)
        _buttons(atlas, None, link, f"site:{site_id}", CITE_SITE)
        facts = cite.facts(atlas, site_id)
        if not facts:
            return
        labels = {fact.scope: fact.label for fact in facts}
        scope = st.selectbox(
            "Cite one fact",
            options=list(labels),
            format_func=labels.get,
            index=None,
            placeholder="Choose a control period, lease or event",
            key=f"{CITE_FACT}-{site_id}",
            help="A control period, lease agreement or event of this site, cited with its own sources.",
        )
        if scope is None:
            return
        st.code(cite.citation(atlas, None, link, "text", scope).text, language=None, wrap_lines=True)
        _buttons(atlas, None, link, scope, CITE_FACT)
