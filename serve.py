"""Strategic Sites Atlas, served: ``app.py`` with the server warmed up before it takes visitors.

``streamlit run serve.py`` (``make run``, the Dockerfile) serves the same app as
``streamlit run app.py``, but first loads and validates the data, writes the map's data files
and works out the default map (src/strategic_sites/ui/warmup.py); it answers no request until
then, so the first visitor after a deploy waits for none of it.
"""

import asyncio
import logging
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st

SRC = str(Path(__file__).resolve().parent / "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)


def warm_up() -> None:
    # Streamlit warns of every call made outside a script run; the warm-up makes them on purpose.
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        from strategic_sites.ui.warmup import warm_up_logged

        warm_up_logged()
    finally:
        quiet.setLevel(level)


@asynccontextmanager
async def warmed_up(_app):
    await asyncio.to_thread(warm_up)
    yield


app = st.App("app.py", lifespan=warmed_up)
