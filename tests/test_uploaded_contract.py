"""Contract of the private Streamlit API that ui/uploaded.py uses (the one module that does): a
script run's context names its session and its uploaded-file manager, and removing a file from
that manager drops its bytes (the uploader then returns no file for it: tests/browser/test_points_browser.py). A Streamlit upgrade
that changes any of this fails here, not in a reader's session."""

from __future__ import annotations

from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.testing.v1 import AppTest

from strategic_sites.ui import uploaded


def test_a_script_run_names_its_session_and_its_uploaded_file_manager():
    assert {"session_id", "uploaded_file_mgr"} <= set(ScriptRunContext.__dataclass_fields__)
    assert get_script_run_ctx() is None  # outside a script run
    assert uploaded.release("any") is False  # ...where there is nothing to release


def test_removing_a_file_drops_its_bytes_from_the_manager():
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    manager.add_file("session", UploadedFileRec("file-1", "points.csv", "text/csv", b"lat,lon\n1,2\n" * 1000))
    manager.add_file("session", UploadedFileRec("file-2", "other.csv", "text/csv", b"lat,lon\n"))
    assert [rec.file_id for rec in manager.get_files("session", ["file-1", "file-2"])] == ["file-1", "file-2"]
    manager.remove_file(session_id="session", file_id="file-1")
    assert [rec.file_id for rec in manager.get_files("session", ["file-1", "file-2"])] == ["file-2"]


def test_release_in_a_script_run_removes_the_file_and_the_uploader_then_returns_none():
    # A real script run: a file put in its session's manager, released by ui/uploaded.release.
    def script():
        import streamlit as st
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        from streamlit.runtime.uploaded_file_manager import UploadedFileRec

        from strategic_sites.ui import uploaded

        ctx = get_script_run_ctx()
        ctx.uploaded_file_mgr.add_file(ctx.session_id, UploadedFileRec("file-1", "points.csv", "text/csv", b"lat,lon\n1,2\n"))
        before = len(ctx.uploaded_file_mgr.get_files(ctx.session_id, ["file-1"]))
        released = uploaded.release("file-1")
        after = len(ctx.uploaded_file_mgr.get_files(ctx.session_id, ["file-1"]))
        st.write(f"{before} {released} {after}")

    app = AppTest.from_function(script).run()
    assert not app.exception, app.exception
    assert app.markdown[0].value == "1 True 0"
