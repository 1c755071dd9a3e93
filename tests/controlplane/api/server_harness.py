"""A real controller for tests: a config file in a temp dir, uvicorn on a free port in a thread
(or a separate process), and HTTP clients with the test tokens."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from controlplane.api.app import create_app
from controlplane.config import Config, load_config
from controlplane.registry.service import Registry

OPERATOR = "test-operator-token"
READER = "test-reader-token"
REPO = Path(__file__).resolve().parents[3]

CONFIG_TOML = """\
[registry]
database = "registry.db"

[api]
listen = "127.0.0.1:{port}"

[[tokens]]
name = "ops"
token = "{operator}"
role = "operator"

[[tokens]]
name = "viewer"
token = "{reader}"
role = "read-only"

[[switches]]
name = "edge1"
grpc_addr = "127.0.0.1:9559"
device_id = 1
election_id = 1
target = "softswitch"

[rate_profiles.default]
cir = 125000
cburst = 15000
pir = 250000
pburst = 30000

[rate_profiles.low]
cir = 16000
cburst = 3000
pir = 32000
pburst = 6000
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def write_config(directory: Path, port: int = 8080) -> Path:
    path = directory / "p4edge.toml"
    path.write_text(CONFIG_TOML.format(port=port, operator=OPERATOR, reader=READER))
    return path


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    """Poll ``predicate`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@dataclass
class RunningServer:
    url: str
    app: FastAPI
    config: Config

    @property
    def registry(self) -> Registry:
        registry: Registry = self.app.state.context.registry
        return registry

    def client(self, token: str | None = OPERATOR) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60.0)


@contextmanager
def serve_in_thread(config: Config, **create_kwargs: Any) -> Iterator[RunningServer]:
    """The app under uvicorn in a thread, on a free port; stopped (and its DB closed) at exit."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(config, **create_kwargs)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-test", daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started or not thread.is_alive(), what="uvicorn to start")
        assert server.started, "uvicorn did not start"
        yield RunningServer(f"http://127.0.0.1:{port}", app, config)
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


@contextmanager
def serve_in_process(config_path: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """``p4edge serve`` as a separate process; killed at exit if still running."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "controlplane.cli",
            "serve",
            "--config",
            str(config_path),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:

        def up() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, what="p4edge serve to answer")
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def load_test_config(directory: Path, port: int = 8080) -> Config:
    return load_config(write_config(directory, port))
