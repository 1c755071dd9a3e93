"""Test harness: a real ``softswitch run`` process, compiled test programs, and async helpers.

The switch starts with ``--no-p4`` (the client pushes the pipeline) on a port chosen by the
kernel; :meth:`SoftswitchProcess.restart` brings it back on the same port, as a rebooted switch
would come back. Every process is stopped by its fixture, even when a test fails.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[3]
PROGRAMS = Path(__file__).resolve().parent / "programs"
CPU_PORT = 64
START_TIMEOUT_S = 60.0
TEST_TIMEOUT_S = 120.0

_T = TypeVar("_T")


def compile_program(source: Path, out_dir: Path, *, target: str = "softswitch") -> tuple[Path, Path]:
    """Compile ``source`` as ``make build`` does: ``out_dir/<target>/<prog>.p4info.txtpb`` + ``.bin``."""
    folder = out_dir / target
    folder.mkdir(parents=True, exist_ok=True)
    p4info = folder / f"{source.stem}.p4info.txtpb"
    config = folder / f"{source.stem}.bin"
    cmd = [sys.executable, "-m", "softswitch.cli", "compile", str(source), "--p4info", str(p4info), "--config", str(config)]
    result = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"softswitch compile {source.name} failed:\n{result.stderr}")
    return p4info, config


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH", "")
    return dict(os.environ, PYTHONPATH=f"{REPO}{os.pathsep}{path}" if path else str(REPO))


class SoftswitchProcess:
    """``softswitch run --no-p4 --cpu-port 64`` listening on 127.0.0.1."""

    def __init__(self, *, cpu_port: int = CPU_PORT) -> None:
        self.cpu_port = cpu_port
        self.port = 0
        self._log = tempfile.NamedTemporaryFile(prefix="softswitch-p4rt-", suffix=".log", delete=False)  # noqa: SIM115
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        cmd = [
            sys.executable, "-m", "softswitch.cli", "run", "--no-p4",
            "--grpc-addr", f"127.0.0.1:{self.port}", "--cpu-port", str(self.cpu_port), "--log-level", "warning",
        ]
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=self._log)
        self.port = self._wait_for_port()

    def _wait_for_port(self) -> int:
        proc = self.proc
        assert proc is not None and proc.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        pending = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 0.2)
            if ready:
                chunk = os.read(proc.stdout.fileno(), 4096)
                pending += chunk
                *lines, pending = pending.split(b"\n")  # complete lines only
                for line in lines:
                    if b"listening on" in line:
                        return int(line.rsplit(b":", 1)[1])
                if not chunk and proc.poll() is not None:
                    break
            elif proc.poll() is not None:
                break
        raise RuntimeError(f"softswitch did not start:\n{self.stderr()}")

    def stderr(self) -> str:
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: the switch vanishes without closing anything, as on a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def restart(self) -> None:
        """Start again on the same port (after :meth:`kill`), with no pipeline."""
        self.kill()
        self.start()

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)


def run_async(main: Callable[[], Coroutine[Any, Any, _T]], timeout: float = TEST_TIMEOUT_S) -> _T:
    """Run an async test body in a fresh event loop, with an overall deadline."""

    async def bounded() -> _T:
        return await asyncio.wait_for(main(), timeout)

    return asyncio.run(bounded())


async def poll(predicate: Callable[[], bool], *, timeout: float = 10.0, what: str = "condition") -> None:
    """Wait until ``predicate()`` holds, checking often; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def next_item(queue: asyncio.Queue[_T], *, timeout: float = 10.0, what: str = "item") -> _T:
    try:
        return await asyncio.wait_for(queue.get(), timeout)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
