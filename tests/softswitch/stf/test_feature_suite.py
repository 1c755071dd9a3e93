"""The feature suite: one small v1model program per P4-16 feature or v1model extern, each with an STF
test whose expected packets come from the P4 spec and P4TARGET.md (see features/make_packets.py).

Every pair runs through the real command, ``softswitch stf PROG.p4 TEST.stf``, in a subprocess, and
must exit 0. The .stf files must be exactly what make_packets.py prints, so that every expectation
can be traced back to the computation that produced it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

FEATURES = Path(__file__).resolve().parent / "features"
REPO = Path(__file__).resolve().parents[3]
NAMES = sorted(p.stem for p in FEATURES.glob("*.p4"))

# Tests that fail because of a known engine bug (the expectation was checked against the spec and
# P4TARGET.md and is right). Each stays in the suite as a strict xfail until the engine is fixed.
KNOWN_ENGINE_BUGS: dict[str, str] = {}


def _cases() -> Iterator[object]:
    for name in NAMES:
        reason = KNOWN_ENGINE_BUGS.get(name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(name, marks=marks, id=name)


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("feature_make_packets", FEATURES / "make_packets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", list(_cases()))
def test_feature(name: str) -> None:
    program, stf = FEATURES / f"{name}.p4", FEATURES / f"{name}.stf"
    assert stf.is_file(), f"{stf.name} is missing; run features/make_packets.py --write"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-m", "softswitch.cli", "stf", str(program), str(stf)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, (
        f"softswitch stf {program.name} {stf.name} exited with {proc.returncode}\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )


def test_every_program_has_a_generated_stf() -> None:
    generator = _load_generator()
    assert sorted(generator.FEATURES) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_stf_is_what_the_generator_prints(name: str) -> None:
    generator = _load_generator()
    expected: str = generator.render(name)
    assert (FEATURES / f"{name}.stf").read_text() == expected, (
        f"{name}.stf was edited by hand or is stale; run features/make_packets.py --write"
    )
