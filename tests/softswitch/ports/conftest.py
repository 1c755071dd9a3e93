"""Fixtures for port tests: fresh namespaces per test, removed at teardown even when a test fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.softswitch.ports.switch_rig import SwitchRig, build_rig
from topo.netns import Topology


@pytest.fixture
def topology() -> Iterator[Topology]:
    topo = Topology()
    try:
        yield topo
    finally:
        topo.close()


@pytest.fixture
def rig(topology: Topology) -> Iterator[SwitchRig]:
    rig = build_rig(topology)
    try:
        yield rig
    finally:
        rig.stop_switches()
        rig.host1.close()
        rig.host2.close()
