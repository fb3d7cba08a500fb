"""The settings a public deployment relies on, as Streamlit reads them from .streamlit/config.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


def test_a_deployment_is_locked_down():
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    server, client = config["server"], config["client"]
    assert server["fileWatcherType"] == "none"  # no reload, no file scanning, on a server
    assert 1 <= server["maxUploadSize"] <= 100  # MB: bounded uploads
    assert server["enableXsrfProtection"] is True
    assert client["showErrorDetails"] == "none"  # never a traceback to a user
    assert server["enableStaticServing"] is True  # the map's scripts come from the app, not a CDN
