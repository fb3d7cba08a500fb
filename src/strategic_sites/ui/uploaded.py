"""The one place that reaches into Streamlit's private upload storage (contract:
tests/test_uploaded_contract.py).

Streamlit keeps an uploaded file's bytes in its uploaded-file manager for as long as the
uploader shows the file, that is until the reader removes it or the session ends. Once the
atlas has read a file, its points hold all the map, the tables and the downloads need, so the
bytes are only a second copy of up to 50 MiB a session: :func:`release` drops them.
"""

from __future__ import annotations

from streamlit.runtime.scriptrunner import get_script_run_ctx


def release(file_id: str) -> bool:
    """Drop this session's copy of an uploaded file's bytes; whether there was a session to drop
    it from. The uploader returns no file for it afterwards."""
    ctx = get_script_run_ctx()
    manager = getattr(ctx, "uploaded_file_mgr", None)
    if ctx is None or manager is None:
        return False
    manager.remove_file(session_id=ctx.session_id, file_id=file_id)
    return True
