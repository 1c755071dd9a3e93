"""Fixtures: the client program compiled once per session, and a fresh switch (no program, no
ports, CPU port 255) per test that waits for a client to push the pipeline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.softswitch.clients.l2_program import L2Build, compile_l2
from tests.softswitch.clients.l2_scenario import CPU_PORT
from tests.softswitch.p4runtime.p4rt_harness import SwitchProcess


@pytest.fixture(scope="session")
def l2_build(tmp_path_factory: pytest.TempPathFactory) -> L2Build:
    return compile_l2(tmp_path_factory.mktemp("l2_clients"))


@pytest.fixture
def switch() -> Iterator[SwitchProcess]:
    proc = SwitchProcess(None, cpu_port=CPU_PORT)
    try:
        yield proc
        assert proc.alive(), f"softswitch died:\n{proc.stderr()}"
        assert "Traceback" not in proc.stderr(), proc.stderr()
    finally:
        proc.stop()
