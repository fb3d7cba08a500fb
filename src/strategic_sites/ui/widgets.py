"""Small pieces every part of the page uses: text from the data made safe for Streamlit's
markdown, link columns, and download buttons that build their file only when clicked."""

from __future__ import annotations

import re
import string

import streamlit as st

LINK = {"display_text": "open ↗", "width": "small"}  # a table's source column


def md(text) -> str:
    """Escape text from the data or a URL for Streamlit markdown: shown as written, on one line,
    never as markup (every ASCII punctuation mark is escaped, so no emphasis, link, list,
    heading, icon code or autolink can start)."""
    flat = re.sub(r"[\x00-\x1f\x7f]+", " ", str(text or ""))
    return "".join("\\" + ch if ch in string.punctuation else ch for ch in flat)


def downloads(*buttons: tuple) -> None:
    """Download buttons ``(label, payload, file name, mime, key)`` in a row, whose files are
    built when clicked (``payload`` a function), so a rerun never pays for a file nobody
    asked for."""
    row = st.container(horizontal=True)
    for label, payload, name, mime, key in buttons:
        row.download_button(label, payload, name, mime, icon=":material/download:", key=key, on_click="ignore")


def anchor(name: str) -> None:
    """A place a link can jump to (``#name``): a skip link's target."""
    st.html(f'<div id="{name}" class="ssa-anchor"></div>')
