"""The golden programs through the real front-end: the P4Info text must equal p4c's exactly.

The golden ``.p4`` files (the project's own programs) and the ``.p4info.txtpb`` files real p4c
1.2.4.8 wrote for them live in ``golden/`` next to this file. Each program is preprocessed,
parsed, checked and elaborated, turned into a ``ProgramSpec`` by ``to_program_spec``, and built.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from softswitch.frontend.compiler import compile_file
from softswitch.frontend.p4info_spec import to_program_spec
from softswitch.p4info.build import build_p4info, write_p4info_text

GOLDEN = Path(__file__).parent / "golden"
PROGRAMS = sorted(p.stem for p in GOLDEN.glob("*.p4") if (GOLDEN / f"{p.stem}.p4info.txtpb").exists())


def test_every_golden_program_is_covered() -> None:
    assert len(PROGRAMS) == 6


@pytest.mark.parametrize("program", PROGRAMS)
def test_frontend_p4info_equals_p4c(program: str) -> None:
    compiled = compile_file(GOLDEN / f"{program}.p4")
    text = write_p4info_text(build_p4info(to_program_spec(compiled.elaborated)))
    expected = (GOLDEN / f"{program}.p4info.txtpb").read_text(encoding="utf-8")
    assert text == expected
