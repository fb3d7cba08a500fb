"""Strategic Sites Atlas, served: ``app.py`` with the server warmed up before it takes visitors.

``streamlit run serve.py`` (``make run``, the Dockerfile) serves the same app as
``streamlit run app.py``, but first loads and validates the data, writes the map's data files
and works out the default map (src/strategic_sites/ui/warmup.py); it answers no request until
then, so the first visitor after a deploy waits for none of it. A warm-up that fails is logged
and the server starts all the same: the first visit then does that work, or shows what is wrong.
Every answer leaves with the security headers of src/strategic_sites/api/headers.py (its
Content-Security-Policy; the sites that may embed the atlas: ``$STRATEGIC_SITES_FRAME_ANCESTORS``,
docs/deploy.md "Security headers").
"""

import asyncio
import logging
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from streamlit.logger import get_logger

SRC = str(Path(__file__).resolve().parent / "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)

LOG = get_logger(__name__)


def register_map_component() -> None:
    """Register the map's component (streamlit-folium) with the server: the warm-up imports it
    before any script run, when Streamlit would not (src/strategic_sites/ui/folium_bridge.py)."""
    from strategic_sites.ui.folium_bridge import register_component

    register_component()


def warm_up() -> None:
    # Streamlit warns of every call made outside a script run; the warm-up makes them on purpose.
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        register_map_component()
        from strategic_sites.ui.warmup import warm_up_logged

        warm_up_logged()
        from strategic_sites.api.service import SOURCE

        SOURCE.get()  # the data API's atlas too: its first request waits for nothing
    except Exception:  # noqa: BLE001 - e.g. the app's code does not import: every visitor is shown why
        LOG.exception("Strategic Sites Atlas: the warm-up failed; the first visit will do its work")
    finally:
        quiet.setLevel(level)


@asynccontextmanager
async def warmed_up(_app):
    await asyncio.to_thread(warm_up)
    yield


from starlette.middleware import Middleware  # noqa: E402

from strategic_sites.api import routes as api_routes  # noqa: E402 - the data API under /api/v1 (src/ on the path above)
from strategic_sites.api.headers import Headers, SecurityHeaders, frame_ancestors_from, inline_script_hashes  # noqa: E402


def security_headers() -> Headers:
    """The security headers of every answer (src/strategic_sites/api/headers.py): Streamlit's own
    page allowed its inline script by hash, the embed framed by ``$STRATEGIC_SITES_FRAME_ANCESTORS``."""
    page = Path(st.__file__).resolve().parent / "static" / "index.html"
    return Headers(
        page_scripts=inline_script_hashes(page.read_text(encoding="utf-8")),
        frame_ancestors=frame_ancestors_from(),
        base_path=st.get_option("server.baseUrlPath") or "",
    )


app = st.App("app.py", lifespan=warmed_up, routes=api_routes, middleware=[Middleware(SecurityHeaders, headers=security_headers())])
