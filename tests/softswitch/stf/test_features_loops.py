"""for loops (three-clause, over ranges, lists and header stacks) with break, continue, return and
exit, through STF. Expected packets are worked out by hand in ``programs/loops.stf``."""

from __future__ import annotations

from pathlib import Path

from softswitch.stf.engine_target import run_stf_program
from softswitch.stf.runner import format_result

PROGRAMS = Path(__file__).resolve().parent / "programs"


def test_for_loops() -> None:
    result = run_stf_program(PROGRAMS / "loops.p4", PROGRAMS / "loops.stf")
    assert result.status == "pass", format_result(result)


def test_a_loop_that_never_ends_stops_the_switch() -> None:
    # x = 3 runs 4 passes; x = 255 never ends (BMv2 would hang): the switch stops with an error
    stf = "packet 0 03 00\nexpect 1 03 04 $\npacket 0 FF 00\nexpect 1 FF 00 $\n"
    result = run_stf_program(PROGRAMS / "loop_forever.p4", stf)
    assert result.status == "error", format_result(result)
    assert "loop_forever.p4:28:9" in result.message and "without ending" in result.message, result.message
