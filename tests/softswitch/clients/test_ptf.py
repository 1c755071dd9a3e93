"""PTF against softswitch, started the way people run PTF against BMv2.

One network namespace holds two veth pairs: the switch runs ``softswitch run -i 0@p0 -i 1@p1`` on
one end of each, and ``ptf --interface 0@veth0 --interface 1@veth1`` uses the peers. The PTF tests
(``ptf_basic/``) push the pipeline over P4Runtime (test params ``grpcaddr``, ``p4info``,
``config``), write entries and check forwarding with ``send_packet``/``verify_packets``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.softswitch.clients.l2_program import L2Build
from tests.softswitch.clients.netns_switch import needs_root, start_switch
from tests.softswitch.p4runtime.p4rt_harness import REPO
from topo.netns import Endpoint, Topology

pytestmark = needs_root

PTF_DIR = Path(__file__).resolve().parent / "ptf_basic"
PTF_TESTS = ["Flood", "Forwarding", "Mirror", "ModifyThenDelete", "PacketOutAndIn", "UnknownDestinationIsDropped"]
PTF_TIMEOUT_S = 300.0


@pytest.fixture
def topology() -> Iterator[Topology]:
    topo = Topology("ptf")
    try:
        yield topo
    finally:
        topo.close()


def test_ptf_basic(topology: Topology, l2_build: L2Build, tmp_path: Path) -> None:
    ns = topology.netns("sw")
    topology.veth(Endpoint(ns, "veth0"), Endpoint(ns, "p0"))
    topology.veth(Endpoint(ns, "veth1"), Endpoint(ns, "p1"))
    switch = start_switch(topology, ns, {0: "p0", 1: "p1"}, tmp_path / "softswitch.log")

    params = f"grpcaddr='{switch.address}';p4info='{l2_build.p4info_path}';config='{l2_build.config_path}'"
    ptf = Path(sys.executable).parent / "ptf"
    command = [
        "ip", "netns", "exec", ns.name, str(ptf), "--test-dir", str(PTF_DIR),
        "--interface", "0@veth0", "--interface", "1@veth1", "--test-params", params,
        "--log-file", str(tmp_path / "ptf.log"), "--verbose",
    ]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=PTF_TIMEOUT_S)
    log = (tmp_path / "ptf.log").read_text(errors="replace") if (tmp_path / "ptf.log").exists() else ""
    report = f"ptf stdout:\n{done.stdout}\nptf stderr:\n{done.stderr}\nptf.log (tail):\n{log[-4000:]}"
    assert done.returncode == 0, report
    for name in PTF_TESTS:
        assert f"l2_forwarding.{name} ... ok" in done.stderr, report
    assert f"Ran {len(PTF_TESTS)} tests" in done.stderr, report
    assert switch.alive(), switch.log()
    assert "Traceback" not in switch.log(), switch.log()
