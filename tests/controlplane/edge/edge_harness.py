"""Helpers for tests that run the edge programmer against a real softswitch process."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from controlplane.config import SwitchConfig, Target
from controlplane.edge import EdgeDataPlane, EdgeSettings
from controlplane.edge.entries import Entity, EntityKey
from controlplane.edge.readback import SwitchReader
from controlplane.edge.reconcile import read_state
from controlplane.p4rt import Backoff, PipelineFiles
from controlplane.registry.service import Registry
from tests.controlplane.p4rt.softswitch_process import REPO, SoftswitchProcess, _env

CPU_PORT = 64
FAST = Backoff(initial=0.05, maximum=0.3)


def switch_config(address: str, *, name: str = "s1", **extra: object) -> SwitchConfig:
    return SwitchConfig(
        name=name, grpc_addr=address, device_id=0, election_id=1, target=Target.SOFTSWITCH, cpu_port=CPU_PORT,
        **extra,  # type: ignore[arg-type]
    )


def make_plane(
    registry: Registry,
    address: str,
    pipeline: PipelineFiles,
    *,
    settings: EdgeSettings | None = None,
    **switch_extra: object,
) -> EdgeDataPlane:
    return EdgeDataPlane(
        registry, [(switch_config(address, **switch_extra), pipeline)], settings or EdgeSettings(), backoff=FAST
    )


@contextlib.asynccontextmanager
async def running(plane: EdgeDataPlane, timeout: float = 30.0) -> AsyncIterator[EdgeDataPlane]:
    """The plane started, every switch ready as primary and reconciled; stopped afterwards."""
    await plane.start()
    try:
        for programmer in plane.programmers:
            await programmer.conn.wait_ready(timeout=timeout, primary=True)
        await plane.settled(timeout)
        yield plane
    finally:
        await plane.stop()


async def switch_state(plane: EdgeDataPlane, index: int = 0) -> dict[EntityKey, Entity]:
    """Everything the edge owns on the switch, read back over P4Runtime."""
    programmer = plane.programmers[index]
    assert programmer.schema is not None
    reader = SwitchReader("test", programmer.address, programmer.device_id)
    try:
        found, unreadable = await read_state(reader, programmer.schema)
    finally:
        await reader.close()
    assert unreadable == []
    return found


def changed(before: dict[EntityKey, Entity], after: dict[EntityKey, Entity]) -> tuple[set[Entity], set[Entity], set[Entity]]:
    """(added, removed, now-different) entities between two read-backs."""
    added = {e for k, e in after.items() if k not in before}
    removed = {e for k, e in before.items() if k not in after}
    different = {e for k, e in after.items() if k in before and before[k] != e}
    return added, removed, different


class InterfaceSwitch(SoftswitchProcess):
    """``softswitch run --no-p4`` with Linux interfaces as ports (``-i PORT@IFACE``)."""

    def __init__(self, interfaces: Sequence[tuple[int, str]]) -> None:
        self.interfaces = list(interfaces)
        super().__init__()

    def start(self) -> None:
        cmd = [
            sys.executable, "-m", "softswitch.cli", "run", "--no-p4",
            "--grpc-addr", f"127.0.0.1:{self.port}", "--cpu-port", str(self.cpu_port), "--log-level", "warning",
        ]
        for port, ifname in self.interfaces:
            cmd += ["-i", f"{port}@{ifname}"]
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=self._log)
        self.port = self._wait_for_port()


class ServeProcess:
    """``p4edge serve --config FILE`` as a separate process (stopped with SIGTERM)."""

    def __init__(self, config: Path) -> None:
        self._log = tempfile.NamedTemporaryFile(prefix="p4edge-serve-", suffix=".log", delete=False)  # noqa: SIM115
        cmd = [sys.executable, "-m", "controlplane.cli", "serve", "--config", str(config), "--log-level", "info"]
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=_env(), stdout=self._log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")

    def terminate(self, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()
        with contextlib.suppress(OSError):
            os.unlink(self._log.name)
