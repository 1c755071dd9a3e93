"""The end-to-end world, built once per session and target, and always taken down (see
``harness.py``). Every test runs on softswitch, and again on BMv2's simple_switch_grpc where it is
installed (the controller and the program unchanged); without BMv2 those runs skip, saying why."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.e2e.harness import EdgeWorld, build_world
from tests.reference.bmv2 import MISSING as BMV2_MISSING
from tests.reference.bmv2 import SKIP_REASON as BMV2_SKIP_REASON
from topo.netns import missing_tools


def _skip_reason(target: str) -> str | None:
    if os.geteuid() != 0:
        return "end-to-end tests need root (network namespaces and veth pairs)"
    missing = missing_tools("ip", "ethtool")
    if missing:
        return f"end-to-end tests need {', '.join(missing)} (Debian iproute2, ethtool)"
    if target == "bmv2" and BMV2_MISSING:
        return BMV2_SKIP_REASON
    return None


@pytest.fixture(scope="session", params=["softswitch", "bmv2"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EdgeWorld]:
    target = str(request.param)
    reason = _skip_reason(target)
    if reason is not None:
        pytest.skip(reason)
    yield from build_world(tmp_path_factory.mktemp(f"e2e-{target}"), target)
