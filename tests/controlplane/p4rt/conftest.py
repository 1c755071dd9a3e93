"""Fixtures: the test program compiled as ``make build`` would, and a fresh softswitch per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from controlplane.p4rt import PipelineFiles
from tests.controlplane.p4rt.softswitch_process import PROGRAMS, SoftswitchProcess, compile_program

PROGRAM = PROGRAMS / "l2_learning.p4"


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build tree holding ``softswitch/l2_learning.p4info.txtpb`` and ``.bin``."""
    root = tmp_path_factory.mktemp("build")
    compile_program(PROGRAM, root)
    return root


@pytest.fixture(scope="session")
def pipeline(build_dir: Path) -> PipelineFiles:
    return PipelineFiles.from_build("l2_learning", target="softswitch", build_dir=build_dir)


@pytest.fixture
def switch() -> Iterator[SoftswitchProcess]:
    proc = SoftswitchProcess()
    try:
        yield proc
        if proc.alive():
            assert "Traceback" not in proc.stderr(), proc.stderr()
    finally:
        proc.close()
