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


def test_no_full_collection_after_each_run_and_streamlit_still_obeys_the_setting():
    """Streamlit's default is a full garbage collection after every page run: with the atlas
    loaded, about 25 ms holding the interpreter each, most of a burst of readers' wait
    (bench/results.md, "Many readers at once"). The setting is one Streamlit hides
    (``runner.postScriptGC``; AppTest's runner never collects, so no app test can see it): this
    holds Streamlit to reading it where a run ends, and to collecting only when it is on."""
    import inspect

    from streamlit import config
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    assert tomllib.loads(CONFIG.read_text(encoding="utf-8"))["runner"]["postScriptGC"] is False
    assert "runner.postScriptGC" in config._config_options_template
    source = inspect.getsource(ScriptRunner._on_script_finished)
    guarded = source[source.index('if config.get_option("runner.postScriptGC"):') :]
    assert guarded.splitlines()[1].strip() == "gc.collect(2)"
    assert source.count("gc.collect") == 1  # no other collection at the end of a run
