"""Errors reported to the user about a P4 program, with the place in the source they refer to.

Every stage of the front-end (preprocessor, parser, type checker) raises :class:`P4Error`; the CLI
prints :meth:`P4Error.format` and exits, so a bad program never shows a Python traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ErrorKind = Literal["error", "unsupported"]


@dataclass(frozen=True, slots=True)
class SourceLoc:
    """A position in a source file; ``line`` and ``col`` count from 1."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class P4Error(Exception):
    """A problem with the P4 program.

    ``kind`` is ``"error"`` for a program that is wrong, ``"unsupported"`` for a valid program that uses
    something softswitch does not implement.
    """

    def __init__(self, message: str, loc: SourceLoc | None = None, kind: ErrorKind = "error") -> None:
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.kind: ErrorKind = kind

    def format(self) -> str:
        """``file:line:col: error: message``, or ``file:line:col: unsupported: message`` for a
        valid construct that softswitch does not implement."""
        if self.loc is None:
            return f"{self.kind}: {self.message}"
        return f"{self.loc}: {self.kind}: {self.message}"

    def __str__(self) -> str:
        return self.format()
