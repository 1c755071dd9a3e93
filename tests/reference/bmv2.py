"""Running the reference target in tests: BMv2's ``simple_switch_grpc`` with a program compiled by
real p4c (``p4c-bm2-ss``). Neither can be installed from the registries these machines reach, so
every test that needs them skips, naming what is missing, where they are absent.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

MISSING = [tool for tool in ("simple_switch_grpc", "p4c-bm2-ss") if shutil.which(tool) is None]
SKIP_REASON = f"BMv2 reference target not installed (needs {' and '.join(MISSING)} on PATH)"
#: mark a test that needs BMv2 and p4c-bm2-ss
needs_bmv2 = pytest.mark.skipif(bool(MISSING), reason=SKIP_REASON)

START_TIMEOUT_S = 60.0
COMPILE_TIMEOUT_S = 300.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def compile_for_bmv2(source: Path, p4info: Path, json: Path) -> None:
    """``p4c-bm2-ss SOURCE -o JSON --p4runtime-files P4INFO``; raises with p4c's stderr on failure."""
    p4info.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["p4c-bm2-ss", str(source), "-o", str(json), "--p4runtime-files", str(p4info)],
        capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"p4c-bm2-ss {source.name} failed:\n{done.stderr}")


@contextmanager
def running_bmv2(log_path: Path, *, cpu_port: int | None = None) -> Iterator[str]:
    """``simple_switch_grpc --no-p4`` on free loopback ports (gRPC and Thrift), no data ports;
    yields its gRPC address once it accepts connections, and stops it afterwards."""
    grpc_port, thrift_port = free_port(), free_port()
    address = f"127.0.0.1:{grpc_port}"
    target_options = ["--grpc-server-addr", address]
    if cpu_port is not None:
        target_options += ["--cpu-port", str(cpu_port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["simple_switch_grpc", "--no-p4", "--thrift-port", str(thrift_port), "--", *target_options],
            stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"simple_switch_grpc exited at start:\n{log_path.read_text(errors='replace')}")
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                if probe.connect_ex(("127.0.0.1", grpc_port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"simple_switch_grpc did not listen on {address} within {START_TIMEOUT_S:g} s")
            time.sleep(0.05)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
