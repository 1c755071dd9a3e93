"""The end-to-end world, built once per session and always taken down (see ``harness.py``)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.e2e.harness import EdgeWorld, build_world, e2e_target
from topo.netns import missing_tools


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "end-to-end tests need root (network namespaces and veth pairs)"
    missing = missing_tools("ip", "ethtool")
    if missing:
        return f"end-to-end tests need {', '.join(missing)} (Debian iproute2, ethtool)"
    if e2e_target() == "bmv2":
        missing = missing_tools("p4c-bm2-ss", "simple_switch_grpc")
        if missing:
            return f"P4EDGE_E2E_TARGET=bmv2 needs {', '.join(missing)} on PATH"
    return None


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EdgeWorld]:
    reason = _skip_reason()
    if reason is not None:
        pytest.skip(reason)
    yield from build_world(tmp_path_factory.mktemp("e2e"))
