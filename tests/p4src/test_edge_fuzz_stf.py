"""The differential packet test of p4src/edge.p4 (``stf/edge_fuzz_bmv2.stf``) on softswitch.

Its expected packets were recorded from the reference BMv2 simple_switch by
``tests/p4src/make_edge_fuzz_stf.py``; softswitch must produce exactly the same packets per port.
"""

from __future__ import annotations

from pathlib import Path

from softswitch.stf.engine_target import EngineTarget
from softswitch.stf.parser import parse_stf_file
from softswitch.stf.runner import run_stf
from tests.p4src.make_edge_fuzz_stf import OUTPUT, inputs

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "p4src" / "edge.p4"


def test_recorded_file_has_the_generated_inputs() -> None:
    lines = [line for line in OUTPUT.read_text().splitlines() if line.startswith("packet ")]
    wanted = [f"packet {i.port} {i.data.hex()}" for i in inputs()]
    assert lines == wanted, "the inputs changed: rerun tests/p4src/make_edge_fuzz_stf.py regenerate"


def test_softswitch_matches_bmv2() -> None:
    result = run_stf(EngineTarget.from_file(PROGRAM), parse_stf_file(OUTPUT))
    assert result.status == "pass", result
