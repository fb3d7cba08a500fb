"""Real-browser tests: Streamlit serving the app, Playwright driving Debian's Chromium.

Every request that does not go to this machine is aborted, so the tests prove the
dashboard works offline, whatever network the machine has.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
ARTIFACTS.mkdir(parents=True, exist_ok=True)  # screenshots and server logs, for people to look at
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str] | None = None, args: tuple[str, ...] = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {**os.environ, **(env or {})}
        self.log = open(ARTIFACTS / f"streamlit-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port), "--server.address", "127.0.0.1", *args],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, path: str = "/_stcore/health", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"streamlit did not answer on {self.url}{path} within {timeout}s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def start_server():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    servers: list[Server] = []

    def start(env: dict[str, str] | None = None, args: tuple[str, ...] = (), base_path: str = "") -> Server:
        server = Server(env, args)
        servers.append(server)
        server.wait(f"/{base_path}/_stcore/health" if base_path else "/_stcore/health")
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def server(start_server) -> Server:
    return start_server()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page whose non-local requests are aborted and whose failures are recorded."""

    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.blocked: list[str] = []
        self.requested: list[str] = []  # every local URL the page asked for
        self.failed_local: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        context.route("**/*", self._route)
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("console", self._console)
        self.page.on("dialog", self._dialog)

    @staticmethod
    def _local(url: str) -> bool:
        parsed = urlparse(url)
        return parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOCAL_HOSTS

    def _route(self, route):
        if self._local(route.request.url):
            self.requested.append(route.request.url)
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _failed(self, request):
        # ERR_ABORTED: the page itself dropped the request (a frame replaced while loading);
        # a missing file shows as a response of 400 or more, recorded below.
        if self._local(request.url) and "ERR_ABORTED" not in (request.failure or ""):
            self.failed_local.append(f"{request.url} ({request.failure})")

    def _response(self, response):
        if self._local(response.url) and response.status >= 400:
            self.failed_local.append(f"{response.url} ({response.status})")

    def _console(self, message):
        if message.type == "error" and "net::ERR_FAILED" not in message.text and "Failed to load resource" not in message.text:
            self.errors.append(f"console: {message.text}")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_(url: str, viewport=(1400, 1000)) -> Watched:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        watched = Watched(context)
        watched.page.goto(url, wait_until="domcontentloaded")
        return watched

    yield open_
    for context in contexts:
        context.close()


MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def map_frame(page):
    return page.frame_locator(MAP_FRAME)


def wait_for_markers(page, count: int, timeout: float = 60_000):
    frame = map_frame(page)
    markers = frame.locator(".ssa-site")
    page.wait_for_function(
        """([selector, count]) => {
            const frame = document.querySelector(selector);
            const doc = frame && frame.contentDocument;
            return doc && doc.querySelectorAll('.ssa-site').length === count;
        }""",
        arg=[MAP_FRAME, count],
        timeout=timeout,
    )
    return markers


def share_link(page, has_text: str | None = None, timeout: float = 30_000) -> str:
    """The sidebar's share link, as a user reads it: open "Share this view", read the code box
    (waiting for one holding ``has_text``), close the popover."""
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Share this view").click()
    box = page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"]')
    if has_text:
        box = box.filter(has_text=has_text)
    box.first.wait_for(timeout=timeout)
    text = box.first.inner_text().strip()
    page.keyboard.press("Escape")
    return text
