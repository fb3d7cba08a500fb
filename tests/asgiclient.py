"""A request to an ASGI app, awaited to its last byte, for the tests of the server's own routes
(the data API, the OGC API, the headers). Starlette's TestClient needs httpx, which the project
does not install: :class:`Client` is the few lines of it these tests need."""

from __future__ import annotations

import asyncio
import json
import threading
from urllib.parse import unquote, urlsplit


class Reply:
    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes, pieces: int):
        self.status = status
        self.headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in headers}
        self.body = body
        self.pieces = pieces  # how many body messages: more than one when streamed

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


class Client:
    """A request to an ASGI app, awaited to its last byte."""

    def __init__(self, app):
        self.app = app

    def request(self, method: str, url: str, headers: dict[str, str] | None = None) -> Reply:
        parts = urlsplit(url)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 50000),
            "root_path": "",
            "path": unquote(parts.path),
            "raw_path": parts.path.encode(),
            "query_string": parts.query.encode(),
            "headers": [(b"host", b"testserver")] + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        }
        messages: list[dict] = []

        async def run():
            async def receive():
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message):
                messages.append(message)

            await self.app(scope, receive, send)

        # In a thread of its own: the browser tests' Playwright keeps an event loop running in
        # this one for the rest of the session, and asyncio.run refuses to nest in it.
        failed: list[BaseException] = []

        def in_thread():
            try:
                asyncio.run(run())
            except BaseException as error:  # noqa: BLE001 - raised again below, in the test's thread
                failed.append(error)

        worker = threading.Thread(target=in_thread)
        worker.start()
        worker.join()
        if failed:
            raise failed[0]
        start = next(m for m in messages if m["type"] == "http.response.start")
        bodies = [m for m in messages if m["type"] == "http.response.body" and m.get("body")]
        return Reply(start["status"], start.get("headers", []), b"".join(m["body"] for m in bodies), len(bodies))

    def get(self, url: str, headers: dict[str, str] | None = None) -> Reply:
        return self.request("GET", url, headers)
