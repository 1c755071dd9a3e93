"""The C preprocessor pass for P4 sources, built on pcpp.

This is the only module that touches pcpp (which has no type information). It runs ``#include``,
``#define``/``#undef``, the conditional directives, ``#error`` and ``#line``, and writes the result so
that the lexer can map every token back to where it was written:

* Line markers have exactly the form ``#line N "path"`` on a line of their own and mean "the next line
  is line N of path" (``\\`` and ``"`` inside path are escaped with a backslash).
* A token that was not produced by a macro expansion starts at the same column as in its source file
  (columns count characters from 1; a tab is one character). Tokens from a macro expansion sit on the
  line of the macro's use, but their columns may be shifted.
* Comments are replaced by whitespace.

The bundled ``softswitch/include`` directory (our core.p4 and v1model.p4) is always searched: for
``<...>`` after the caller's include directories, for ``"..."`` after the including file's directory
and the include directories.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pcpp
import pcpp.preprocessor

from .errors import P4Error, SourceLoc

BUNDLED_INCLUDE_DIR = Path(__file__).resolve().parent.parent / "include"

_NO_DEFINES: Mapping[str, str] = MappingProxyType({})

# Deepest #include nesting accepted; deeper nesting is almost surely an include cycle.
_MAX_INCLUDE_DEPTH = 100

# A jump forward of at most this many lines in the same file is written as blank lines, not a marker.
_MAX_BLANK_LINES = 8

# Characters that str.splitlines() (which pcpp uses) treats as line breaks but a P4 lexer does not.
_ODD_LINE_BREAKS = str.maketrans({c: " " for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


def _no_trigraphs(text: str) -> str:
    return text


# Trigraphs (``??=`` and friends) do not exist in P4, and replacing them would shift columns.
pcpp.preprocessor.trigraph = _no_trigraphs


def preprocess(
    path: Path,
    include_dirs: Sequence[Path] = (),
    defines: Mapping[str, str] = _NO_DEFINES,
) -> str:
    """Preprocess the P4 file at ``path`` and return the text for the lexer (see the module docstring).

    ``defines`` maps a macro name (or ``NAME(args)``) to its replacement text, like ``-DNAME=value``.
    Raises :class:`P4Error` for a missing file or include, a malformed directive and ``#error``.
    """
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise P4Error(f"cannot read {path}: {e.strerror or e}") from None
    text = _decode(raw, str(path))
    pp = _Preprocessor([*include_dirs, BUNDLED_INCLUDE_DIR], str(path))
    for name, value in defines.items():
        pp.define_text(name, value)
    return pp.run(text)


def _decode(raw: bytes, display: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise P4Error(f"{display} is not UTF-8 text (byte offset {e.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_ODD_LINE_BREAKS)


@dataclass(frozen=True, slots=True)
class _LineMark:
    """A ``#line`` directive: line ``directive_line`` of a file says the next line is ``line`` of ``file``."""

    directive_line: int
    line: int
    file: str | None


class _SourceText:
    """The text of one file as pcpp lexed it, to turn token offsets back into columns."""

    def __init__(self, text: str) -> None:
        stripped = "\n".join(line.rstrip() for line in text.splitlines())
        self.line_starts = [0]
        pos = stripped.find("\n")
        while pos >= 0:
            self.line_starts.append(pos + 1)
            pos = stripped.find("\n", pos + 1)

    def column(self, line: int, offset: int) -> int | None:
        if 1 <= line <= len(self.line_starts):
            col = offset - self.line_starts[line - 1] + 1
            if col >= 1:
                return col
        return None


class _Preprocessor(pcpp.Preprocessor):  # type: ignore[misc]
    """pcpp with our include search, error reporting and ``#line`` handling."""

    def __init__(self, search_path: Sequence[Path], main_display: str) -> None:
        super().__init__()
        self.path = [str(p) for p in search_path]
        # Keep token sources absolute; pcpp would otherwise rewrite them relative to the cwd.
        self.rewrite_paths: list[tuple[str, str]] = []
        self.line_directive = None
        self._main_display = main_display
        self._texts: dict[str, _SourceText] = {}
        self._display: dict[str, str] = {}
        self._marks: dict[str, dict[int, _LineMark]] = {}
        self._directive_start: Any = None  # the '#' of the directive being handled
        self._expanding = False

    # ----- running -------------------------------------------------------------------------------

    def define_text(self, name: str, value: str) -> None:
        if not name or not (name[0].isalpha() or name[0] == "_"):
            raise P4Error(f"invalid macro name in definition: {name!r}")
        self.define(f"{name} {value}")

    def run(self, text: str) -> str:
        main_abs = os.path.abspath(self._main_display)
        self._texts[main_abs] = _SourceText(text)
        self._display[main_abs] = self._main_display
        try:
            self.parse(text, self._main_display)
            return _LineWriter(self).write(self._tokens())
        except P4Error:
            raise
        except RecursionError:
            raise P4Error("macro expansion or #include nesting is too deep", self._last_loc()) from None
        except Exception as e:  # pcpp has no error reporting of its own for some malformed input
            raise P4Error(
                f"malformed preprocessor input ({type(e).__name__}: {e})", self._last_loc()
            ) from None

    def _tokens(self) -> Iterator[Any]:
        while True:
            tok = self.token()
            if tok is None:
                return
            yield tok

    # ----- positions -----------------------------------------------------------------------------

    def display_name(self, source: str | None) -> str:
        if not source:
            return self._main_display
        return self._display.get(source, source)

    def column(self, tok: Any) -> int | None:
        """The 1-based source column of ``tok``; for a macro expansion, that of the macro's use, if known."""
        if getattr(tok, "expanded_from", None):
            anchor = getattr(tok, "softswitch_anchor", None)
            return None if anchor is None else self._file_column(anchor)
        return self._file_column(tok)

    def _file_column(self, tok: Any) -> int | None:
        text = self._texts.get(getattr(tok, "source", None) or "")
        lexpos = getattr(tok, "lexpos", None)
        if text is None or not isinstance(lexpos, int):
            return None
        return text.column(int(tok.lineno), lexpos)

    def presumed(self, source: str | None, line: int) -> tuple[str, int]:
        """The (file, line) that ``line`` of ``source`` stands for once ``#line`` directives apply."""
        file = self.display_name(source)
        marks = self._marks.get(source or "")
        if not marks:
            return file, line
        result = (file, line)
        for directive_line in sorted(marks):
            if directive_line >= line:
                break
            mark = marks[directive_line]
            if mark.file is not None:
                file = mark.file
            result = (file, mark.line + (line - directive_line - 1))
        return result

    def token_loc(self, tok: Any) -> SourceLoc:
        file, line = self.presumed(getattr(tok, "source", None), int(getattr(tok, "lineno", 0) or 0))
        return SourceLoc(file, line, self.column(tok) or 1)

    def _last_loc(self) -> SourceLoc | None:
        tok = self._directive_start or self.lastdirective
        return None if tok is None else self.token_loc(tok)

    # ----- pcpp hooks ----------------------------------------------------------------------------

    def expand_macros(self, tokens: list[Any], expanding_from: list[str] | None = None) -> list[Any]:
        """pcpp's expansion, plus: the first token of each expansion remembers the macro use it replaced.

        The writer puts that token at the column of the macro's name.
        """
        if self._expanding:  # pcpp recurses; only the outermost call needs the bookkeeping
            return list(super().expand_macros(tokens, expanding_from or []))
        originals = list(tokens)
        position = {id(t): k for k, t in enumerate(originals)}
        self._expanding = True
        try:
            result = list(super().expand_macros(tokens, expanding_from or []))
        finally:
            self._expanding = False
        next_original = 0  # index in originals just after the last token that came through unchanged
        in_expansion = False
        for tok in result:
            k = position.get(id(tok))
            if k is not None and not getattr(tok, "expanded_from", None):
                next_original = k + 1
                in_expansion = False
            elif not in_expansion and tok.type not in self.t_WS:
                in_expansion = True
                anchor = next((t for t in originals[next_original:] if t.type not in self.t_WS), None)
                if anchor is not None and anchor is not tok:
                    tok.softswitch_anchor = anchor
        return result

    def on_error(self, file: str, line: int, msg: str) -> None:
        where, presumed_line = self.presumed(file, int(line or 0))
        raise P4Error(msg, SourceLoc(where, presumed_line, 1))

    def on_file_open(self, is_system_include: bool, includepath: str) -> io.StringIO:
        if self.include_depth > _MAX_INCLUDE_DEPTH:
            raise P4Error("#include nested too deeply (an include cycle?)", self._last_loc())
        with open(includepath, "rb") as f:  # OSError means "not here": pcpp tries the next directory
            raw = f.read()
        text = _decode(raw, includepath)
        self._texts[includepath] = _SourceText(text)
        self._display.setdefault(includepath, includepath)
        return io.StringIO(text)

    def on_include_not_found(
        self, is_malformed: bool, is_system_include: bool, curdir: str, includepath: str
    ) -> str:
        if is_malformed:
            raise P4Error(f"malformed #include: {includepath}", self._last_loc())
        raise P4Error(f"cannot find include file '{includepath}'", self._last_loc())

    def on_directive_handle(
        self, directive: Any, toks: list[Any], ifpassthru: bool, precedingtoks: Any
    ) -> bool:
        self.lastdirective = directive
        self._directive_start = precedingtoks[0] if precedingtoks else directive
        name = directive.value
        if name in ("define", "undef", "ifdef", "ifndef", "include", "if", "elif") and not toks:
            what = (
                "a file name"
                if name == "include"
                else "an expression"
                if name in ("if", "elif")
                else "a macro name"
            )
            raise P4Error(f"#{name} needs {what}", self._last_loc())
        if name in ("define", "undef", "ifdef", "ifndef") and toks[0].type != self.t_ID:
            raise P4Error(f"#{name}: macro name must be an identifier", self.token_loc(toks[0]))
        return True

    def on_directive_unknown(
        self, directive: Any, toks: list[Any], ifpassthru: bool, precedingtoks: Any
    ) -> bool:
        name = directive.value
        if name == "error":
            message = "".join(str(t.value) for t in toks).strip()
            raise P4Error(f"#error {message}".rstrip(), self._last_loc())
        if name in ("warning", "pragma"):
            return True
        if name == "line":
            self._line_directive(directive, toks)
            return True
        if str(name).isdigit():
            # a GNU cpp line marker ``# N "file" flags...`` (in already preprocessed sources)
            self._line_directive(directive, toks, str(name))
            return True
        raise P4Error(f"unknown preprocessor directive #{name}", self._last_loc())

    def _line_directive(self, directive: Any, toks: list[Any], marker_line: str | None = None) -> None:
        words = [t for t in self.expand_macros(list(toks)) if t.type not in self.t_WS]
        if marker_line is not None:
            # GNU flags (1 to 4) after the file name say nothing about locations
            while len(words) > 1 and str(words[-1].value) in ("1", "2", "3", "4"):
                words.pop()
            words = [directive, *words]
            number = marker_line
        else:
            number = str(words[0].value) if words else ""
        if not number.isdigit() or len(words) > 2:
            raise P4Error('#line needs a line number and optionally a "file name"', self._last_loc())
        file: str | None = None
        if len(words) == 2:
            quoted = str(words[1].value)
            if words[1].type != self.t_STRING or len(quoted) < 2:
                raise P4Error('#line: the file name must be a "string"', self.token_loc(words[1]))
            file = _unescape(quoted[1:-1])
        source = getattr(directive, "source", None) or ""
        line = int(directive.lineno)
        self._marks.setdefault(source, {})[line] = _LineMark(line, int(number), file)


def _unescape(text: str) -> str:
    out: list[str] = []
    chars = iter(text)
    for c in chars:
        out.append(next(chars, "\\") if c == "\\" else c)
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


class _LineWriter:
    """Lays pcpp's token stream out line by line, at the source columns, with ``#line`` markers."""

    def __init__(self, pp: _Preprocessor) -> None:
        self._pp = pp
        self._out: list[str] = []
        self._file: str | None = None
        self._line = 0
        self._cursor = 0  # characters written on the current output line

    def write(self, tokens: Iterable[Any]) -> str:
        pp = self._pp
        whitespace = {t for t in pp.t_WS if t is not None} | {"CPP_WS", pp.t_COMMENT1, pp.t_COMMENT2}
        pending_space = False
        for tok in tokens:
            if tok.type in whitespace:
                pending_space = True
                continue
            file, line = pp.presumed(getattr(tok, "source", None), int(tok.lineno))
            if (file, line) != (self._file, self._line):
                self._move_to(file, line)
                pending_space = False
            value = str(tok.value)
            col = pp.column(tok)
            if col is not None and col - 1 > self._cursor:
                self._out.append(" " * (col - 1 - self._cursor))
                self._cursor = col - 1
            elif pending_space and self._cursor > 0:
                self._out.append(" ")
                self._cursor += 1
            self._out.append(value)
            self._cursor += len(value)
            pending_space = False
        if self._out:
            self._out.append("\n")
        return "".join(self._out)

    def _move_to(self, file: str, line: int) -> None:
        gap = line - self._line
        if file == self._file and 0 < gap <= _MAX_BLANK_LINES:
            self._out.append("\n" * gap)
        else:
            if self._out:
                self._out.append("\n")
            self._out.append(f'#line {line} "{_escape(file)}"\n')
        self._file = file
        self._line = line
        self._cursor = 0
