"""Parser features through STF: select cases, BMv2's accept on no match and on reject, parser
errors (varbit, stack, verify, advance, lookahead) with their effect on the packet."""

from __future__ import annotations

from pathlib import Path

from softswitch.stf.engine_target import run_stf_program
from softswitch.stf.runner import format_result

PROGRAMS = Path(__file__).resolve().parent / "programs"


def assert_passes(name: str, stf_text: str | None = None) -> None:
    stf: Path | str = PROGRAMS / f"{name}.stf" if stf_text is None else stf_text
    result = run_stf_program(PROGRAMS / f"{name}.p4", stf)
    assert result.status == "pass", format_result(result)


def test_select_masks_ranges_tuples_and_bmv2_accepts() -> None:
    assert_passes("parser_select")


def test_parser_errors_keep_extracted_headers_and_the_payload() -> None:
    assert_passes("parser_errors")
