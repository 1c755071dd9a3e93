"""The whole front-end in one call: preprocess → parse → check → elaborate → target limits.

``compile_file`` starts from a P4 source file; ``compile_text`` from already preprocessed text (the
device config carries the preprocessed source, and the switch compiles it again from that).
Both raise :class:`P4Error` for any problem in the program.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from . import ast
from .ast_walk import walk
from .check import CheckedProgram, check_program
from .check_target import check_target_limits
from .elaborate import elaborate
from .errors import P4Error, SourceLoc
from .instances import Elaborated
from .lexer import tokenize
from .parser import parse_program
from .preprocess import preprocess

_NO_DEFINES: Mapping[str, str] = MappingProxyType({})


@dataclass(slots=True)
class CompiledFrontend:
    """A checked and elaborated program. ``source_text`` is the preprocessed source (with line
    markers), from which :func:`compile_text` rebuilds the same program. ``filename`` names the
    main program (the path given to :func:`compile_file`; the first line marker of the text names
    the first file included, usually core.p4)."""

    program: ast.Program
    elaborated: Elaborated
    source_text: str
    checked: CheckedProgram
    filename: str = "<program>"


def compile_text(text: str, filename: str = "<program>") -> CompiledFrontend:
    """Parse, check and elaborate preprocessed P4-16 ``text``."""
    program = parse_program(text, filename)
    _attach_literal_text(program, text, filename)
    checked = check_program(program)
    try:
        elaborated = elaborate(program)
        check_target_limits(elaborated)
    except P4Error:
        raise
    except RecursionError:
        raise P4Error("the program nests too deeply", program.loc) from None
    except Exception as exc:  # an elaboration bug must still come out as a message
        raise P4Error(f"internal error during elaboration: {exc!r}", program.loc) from exc
    return CompiledFrontend(program, elaborated, text, checked, filename)


def _attach_literal_text(program: ast.Program, text: str, filename: str) -> None:
    """Record on every integer literal its text as written (``IntLit.text``), found by location."""
    written: dict[SourceLoc, str] = {}
    for tok in tokenize(text, filename):
        if tok.kind == "num":
            written.setdefault(tok.loc, tok.text)
    for node in walk(program):
        if isinstance(node, ast.IntLit) and node.text is None:
            node.text = written.get(node.loc)


def compile_file(
    path: Path, include_dirs: Sequence[Path] = (), defines: Mapping[str, str] = _NO_DEFINES
) -> CompiledFrontend:
    """Preprocess the P4 file at ``path`` (``#include`` search in ``include_dirs`` then the bundled
    core.p4/v1model.p4; ``defines`` like ``-DNAME=value``) and compile it."""
    text = preprocess(path, include_dirs, defines)
    return compile_text(text, str(path))
