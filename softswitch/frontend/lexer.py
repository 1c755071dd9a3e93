"""The P4-16 lexer: preprocessed text → a list of tokens, each with its place in the original file.

The input is the preprocessor's output. A line of the form ``#line N "path"`` (or the gcc form
``# N "path" flags``) is a line marker: the line after it is line N of ``path``. Every token gets
the :class:`SourceLoc` (file, line, column, all 1-based) where it was written.

Token kinds:

* ``"id"``: an identifier, including the contextual words (``apply``, ``key``, ``actions``,
  ``entries``, ``state``, ``type``, ``priority``, ``list``) that may also name things;
* a reserved word (``KEYWORDS``): the kind is the word itself (``"header"``, ``"if"``, ...);
* ``"_"``: the don't-care token;
* ``"num"``: an integer literal, with ``value``/``width``/``signed`` set;
* ``"str"``: a string literal, with ``text`` holding the unescaped contents;
* punctuation: the kind is the text (``"&&&"``, ``"("``, ...). ``>`` is always a single token so
  that ``>>`` can close two type-argument lists; the parser joins adjacent ``>`` ``>`` into a shift;
* ``"?"``: a character that no P4 token starts with (only legal inside annotation bodies);
* ``"eof"``: the end of the input (always the last token).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import P4Error, SourceLoc

KEYWORDS = frozenset(
    {
        "abstract", "action", "bit", "bool", "break", "const", "continue", "control", "default",
        "else", "enum", "error", "exit", "extern", "false", "for", "header", "header_union", "if",
        "in", "inout", "int", "match_kind", "out", "package", "parser", "return", "select",
        "string", "struct", "switch", "table", "this", "transition", "true", "tuple", "typedef",
        "value_set", "varbit", "void",
    }
)  # fmt: skip


@dataclass(slots=True, eq=False)
class Token:
    """One token. ``pos``/``end`` are offsets into the preprocessed text (used to recover the raw
    text of annotation bodies and to see whether two tokens touch)."""

    kind: str
    text: str
    loc: SourceLoc
    pos: int
    end: int
    value: int = 0
    width: int | None = None
    signed: bool = False

    def describe(self) -> str:
        """How the token is named in error messages."""
        if self.kind == "eof":
            return "end of file"
        if self.kind == "str":
            return "string literal"
        return f"'{self.text}'"


_PUNCT = [
    "|+|=", "|-|=", "...", "&&&", "|+|", "|-|", "<<=", "..", "&&", "||", "==", "!=", "<=", ">=", "<<",
    "++", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
    "+", "-", "*", "/", "%", "&", "|", "^", "~", "!", "<", ">", "=", "(", ")", "{", "}", "[", "]",
    ";", ":", ",", ".", "?", "@", "#",
]  # fmt: skip

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<nl>\n)
  | (?P<lcom>//[^\n]*)
  | (?P<bcom>/\*.*?\*/)
  | (?P<num>(?:(?P<w>[0-9]+)(?P<ws_>[ws]))?
        (?P<digits>0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[dD][0-9_]+|[0-9][0-9_]*))
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<punct>"""
    + "|".join(re.escape(p) for p in _PUNCT)
    + r""")
    """,
    re.VERBOSE | re.DOTALL,
)

_MARKER_RE = re.compile(r'#[ \t]*(?:line[ \t]+)?([0-9]+)(?:[ \t]+"((?:[^"\\\n]|\\.)*)")?[^\n]*')

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"'}


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _int_value(digits: str) -> int:
    d = digits.replace("_", "")
    if len(d) > 1 and d[0] == "0" and d[1] in "xXbBoOdD":
        base = {"x": 16, "b": 2, "o": 8, "d": 10}[d[1].lower()]
        return int(d[2:], base)
    return int(d, 10)


def tokenize(text: str, filename: str) -> list[Token]:
    """Split preprocessed ``text`` into tokens (the last one has kind ``"eof"``).

    ``filename`` names the text until the first line marker. Raises :class:`P4Error` for an
    unterminated comment or string."""
    tokens: list[Token] = []
    append = tokens.append
    match = _TOKEN_RE.match
    file = filename
    line = 1
    line_start = 0
    pos = 0
    n = len(text)
    while pos < n:
        m = match(text, pos)
        if m is None:
            c = text[pos]
            loc = SourceLoc(file, line, pos - line_start + 1)
            if c == '"':
                raise P4Error("unterminated string literal", loc)
            append(Token("?", c, loc, pos, pos + 1))
            pos += 1
            continue
        kind = m.lastgroup
        end = m.end()
        if kind == "ws" or kind == "lcom":
            pass
        elif kind == "nl":
            line += 1
            line_start = end
        elif kind == "id":
            word = m.group()
            k = word if word in KEYWORDS else ("_" if word == "_" else "id")
            append(Token(k, word, SourceLoc(file, line, pos - line_start + 1), pos, end))
        elif kind == "punct":
            p = m.group()
            if p == "/" and text.startswith("/*", pos):
                raise P4Error("unterminated comment", SourceLoc(file, line, pos - line_start + 1))
            if p == "#" and not text[line_start:pos].strip():
                mk = _MARKER_RE.match(text, pos)
                if mk is not None:
                    # The marker names the line that follows it; the newline ending the marker
                    # line then brings ``line`` to N.
                    line = int(mk.group(1)) - 1
                    if mk.group(2) is not None:
                        file = _unescape(mk.group(2))
                    pos = mk.end()
                    continue
            append(Token(p, p, SourceLoc(file, line, pos - line_start + 1), pos, end))
        elif kind == "num":
            loc = SourceLoc(file, line, pos - line_start + 1)
            tok = Token("num", m.group(), loc, pos, end, _int_value(m.group("digits")))
            w = m.group("w")
            if w is not None:
                tok.width = int(w)
                tok.signed = m.group("ws_") == "s"
            append(tok)
        elif kind == "str":
            loc = SourceLoc(file, line, pos - line_start + 1)
            body = m.group()
            append(Token("str", _unescape(body[1:-1]), loc, pos, end))
            nls = body.count("\n")
            if nls:  # p4c accepts strings that span lines
                line += nls
                line_start = pos + body.rfind("\n") + 1
        else:  # bcom
            body = m.group()
            nls = body.count("\n")
            if nls:
                line += nls
                line_start = pos + body.rfind("\n") + 1
        pos = end
    append(Token("eof", "", SourceLoc(file, line, pos - line_start + 1), n, n))
    return tokens
