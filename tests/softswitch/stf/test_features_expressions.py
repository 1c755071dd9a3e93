"""Arithmetic, control flow (return, exit, functions, sub-controls) through STF."""

from __future__ import annotations

from pathlib import Path

from softswitch.stf.engine_target import run_stf_program
from softswitch.stf.runner import format_result

PROGRAMS = Path(__file__).resolve().parent / "programs"


def assert_passes(name: str, stf_text: str | None = None) -> None:
    stf: Path | str = PROGRAMS / f"{name}.stf" if stf_text is None else stf_text
    result = run_stf_program(PROGRAMS / f"{name}.p4", stf)
    assert result.status == "pass", format_result(result)


def test_bit_and_int_arithmetic() -> None:
    assert_passes("arith")


def test_return_exit_functions_and_sub_controls() -> None:
    assert_passes("control_flow")
