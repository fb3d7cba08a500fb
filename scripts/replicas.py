"""Run the atlas as N replicas behind nginx on this machine, as docs/deploy.md's "More than one
machine" deploys it: each replica ``streamlit run serve.py`` on its own port, nginx in front with
the site file docs/deploy/nginx.conf (sticky sessions by the ``atlas_replica`` cookie), its upstream
pointed at the replicas. Debian's nginx-light is enough (`make test` installs it).

    python scripts/replicas.py [--replicas 2] [--port 8080] [--data geodata]

Prints the proxy's URL and runs until interrupted. The replica tests (tests/browser/
test_replicas_browser.py) and `make readers` (bench/readers.py) start the same proxy through
:class:`Nginx` and :func:`start_replica`.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX = "/usr/sbin/nginx"  # Debian's nginx-light
SITE = ROOT / "docs" / "deploy" / "nginx.conf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Replica:
    """One ``streamlit run serve.py`` on a free port of 127.0.0.1, logging to ``log``."""

    def __init__(self, log: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "w")  # noqa: SIM115
        command = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(self.port), "--server.address", "127.0.0.1", *args]
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the replica exited with {self.process.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"the replica did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def start_replica(log: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> Replica:
    replica = Replica(log, env, args)
    replica.wait()
    return replica


class Nginx:
    """nginx with the site file of docs/deploy/nginx.conf, its upstream pointed at replicas on
    127.0.0.1 (``ports``), listening on ``port`` (a free one by default). ``tell_replica`` adds an
    ``X-Replica`` header naming the replica that answered (for tests; not part of the recipe)."""

    def __init__(self, folder: Path, ports: list[int], port: int | None = None, tell_replica: bool = False, log: Path | None = None):
        if not Path(NGINX).exists():
            raise FileNotFoundError(f"{NGINX} is missing: install Debian's nginx-light (`make test` does)")
        site = SITE.read_text(encoding="utf-8")
        for line in ("server atlas:8501;", "listen 80;", "proxy_pass http://atlas;"):
            if line not in site:
                raise ValueError(f"docs/deploy/nginx.conf no longer has {line!r}")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = folder
        site = site.replace("server atlas:8501;", " ".join(f"server 127.0.0.1:{p};" for p in ports))
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        if tell_replica:
            site = site.replace("proxy_pass http://atlas;", "proxy_pass http://atlas;\n        add_header X-Replica $upstream_addr always;")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "site.conf").write_text(site, encoding="utf-8")
        temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        main = (f"{'user root;' if os.geteuid() == 0 else ''} pid {folder / 'nginx.pid'}; error_log {folder / 'error.log'};\n"
                f"worker_processes 1; events {{ worker_connections 4096; }}\n"
                f"http {{ access_log {folder / 'access.log'}; {temp} include {folder / 'site.conf'}; }}\n")  # fmt: skip
        (folder / "nginx.conf").write_text(main, encoding="utf-8")
        self.log = open(log or folder / "nginx.out", "w")  # noqa: SIM115
        self.process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                                        stdout=self.log, stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((folder / "error.log").read_text(errors="replace"))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError("nginx did not listen")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    parser.add_argument("--data", type=Path, default=ROOT / "geodata")
    args = parser.parse_args()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})  # until sigwait below
    folder = Path(tempfile.mkdtemp(prefix="atlas-replicas-"))
    env = {"STRATEGIC_SITES_DATA": str(args.data.resolve())}
    replicas = [start_replica(folder / f"replica-{i}.log", env) for i in range(args.replicas)]
    proxy = Nginx(folder / "nginx", [r.port for r in replicas], args.port)
    print(f"{args.replicas} replicas ({', '.join(r.url for r in replicas)}) behind nginx at {proxy.url}; logs in {folder}", flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        proxy.stop()
        for replica in replicas:
            replica.stop()


if __name__ == "__main__":
    main()
