"""p4runtime-shell (PyPI, its own venv) drives a real softswitch through the shell's Python API
(and, where it is installed, BMv2's simple_switch_grpc with the same scenario).

The scenario runs as a separate process (``shell_scenario.py``); afterwards this test checks the
switch's state again through the project's own raw gRPC client, and through packets.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.reference.bmv2 import compile_for_bmv2, needs_bmv2, running_bmv2
from tests.softswitch.clients.l2_program import PROGRAM, TOOLS_PYTHON, L2Build, assert_scenario_state
from tests.softswitch.clients.l2_scenario import CPU_PORT
from tests.softswitch.p4runtime.p4rt_harness import REPO, Client, SwitchProcess

SCENARIO = REPO / "tests" / "softswitch" / "clients" / "shell_scenario.py"
SCENARIO_TIMEOUT_S = 120.0

pytestmark = pytest.mark.skipif(
    not TOOLS_PYTHON.exists(), reason=f"needs the tools venv with p4runtime-shell ({TOOLS_PYTHON}): make tools-venv"
)


def test_p4runtime_shell_scenario(switch: SwitchProcess, l2_build: L2Build) -> None:
    run_scenario(switch.address, l2_build)


@needs_bmv2
def test_p4runtime_shell_scenario_on_bmv2(tmp_path: Path) -> None:
    """The same scenario and checks, unchanged, on the reference target (program compiled by p4c)."""
    build = L2Build(tmp_path / "l2_clients.p4info.txtpb", tmp_path / "l2_clients.json")
    compile_for_bmv2(PROGRAM, build.p4info_path, build.config_path)
    with running_bmv2(tmp_path / "bmv2.log", cpu_port=CPU_PORT) as address:
        run_scenario(address, build)


def run_scenario(address: str, l2_build: L2Build) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [
            str(TOOLS_PYTHON), str(SCENARIO), "--grpc-addr", address,
            "--p4info", str(l2_build.p4info_path), "--config", str(l2_build.config_path),
        ],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=SCENARIO_TIMEOUT_S,
    )
    report = f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 0, report
    steps = [line.removeprefix("ok: ") for line in done.stdout.splitlines() if line.startswith("ok: ")]
    assert steps == [
        "setup pushed the pipeline",
        "inserted 4 l2 entries",
        "read back every entry",
        "modified an entry",
        "deleted an entry",
        "programmed a multicast group",
        "programmed a clone session",
        "a PacketOut to the CPU port comes back as a PacketIn",
        "the modified entry sends the packet to the CPU",
        "the multicast group makes one PacketIn per replica",
        "the clone session copies the packet to the CPU",
    ], report
    assert done.stdout.splitlines()[-1] == "scenario passed", report

    # Independently: the pipeline the shell pushed, its entries and groups, and forwarding.
    client = Client(address)
    try:
        stream = client.become_primary(5)
        assert client.p4info == l2_build.p4info()
        assert_scenario_state(client, stream)
    finally:
        client.close()
