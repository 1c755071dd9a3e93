"""The P4-16 lexer: token kinds, integer literals, strings, comments and line markers."""

from __future__ import annotations

import pytest

from softswitch.frontend.errors import P4Error, SourceLoc
from softswitch.frontend.lexer import Token, tokenize


def kinds(text: str) -> list[str]:
    return [t.kind for t in tokenize(text, "t.p4")][:-1]


def one(text: str) -> Token:
    toks = tokenize(text, "t.p4")
    assert len(toks) == 2, toks
    return toks[0]


@pytest.mark.parametrize(
    ("text", "value", "width", "signed"),
    [
        ("0", 0, None, False),
        ("1234", 1234, None, False),
        ("1_000", 1000, None, False),
        ("0x1F", 31, None, False),
        ("0XfF", 255, None, False),
        ("0b1010", 10, None, False),
        ("0B1_1", 3, None, False),
        ("0o17", 15, None, False),
        ("0d19", 19, None, False),
        ("8w5", 5, 8, False),
        ("8s5", 5, 8, True),
        ("32w0xFFFF_0000", 0xFFFF0000, 32, False),
        ("16w0b1", 1, 16, False),
        ("4s0o7", 7, 4, True),
        ("2w7", 7, 2, False),  # the value is kept as written; wrapping is the checker's job
    ],
)
def test_integer_literals(text: str, value: int, width: int | None, signed: bool) -> None:
    t = one(text)
    assert (t.kind, t.value, t.width, t.signed) == ("num", value, width, signed)


def test_negative_literal_is_unary_minus() -> None:
    toks = tokenize("-16s5", "t.p4")
    assert [t.kind for t in toks[:-1]] == ["-", "num"]
    assert (toks[1].value, toks[1].width, toks[1].signed) == (5, 16, True)


def test_keywords_identifiers_and_dontcare() -> None:
    assert kinds("header h_t _ apply key state type bit") == [
        "header", "id", "_", "id", "id", "id", "id", "bit",
    ]  # fmt: skip


def test_punctuation_longest_match() -> None:
    assert kinds("a &&& b && c & d") == ["id", "&&&", "id", "&&", "id", "&", "id"]
    assert kinds("a |+| b |-| c || d") == ["id", "|+|", "id", "|-|", "id", "||", "id"]
    assert kinds("1..2 a++b <= >= << == !=") == [
        "num", "..", "num", "id", "++", "id", "<=", ">=", "<<", "==", "!=",
    ]  # fmt: skip


def test_greater_is_always_single() -> None:
    toks = tokenize("a >> b > > c", "t.p4")
    assert [t.kind for t in toks[:-1]] == ["id", ">", ">", "id", ">", ">", "id"]
    # The first pair touches (a shift); the second does not.
    assert toks[1].end == toks[2].pos
    assert toks[4].end != toks[5].pos


def test_string_literal_unescaped() -> None:
    t = one(r'"a \"b\" \\ c"')
    assert t.kind == "str"
    assert t.text == 'a "b" \\ c'


def test_comments_are_skipped_and_lines_counted() -> None:
    toks = tokenize("a // c1\n/* c2\n c3 */ b\n  c", "t.p4")
    assert [(t.text, t.loc.line, t.loc.col) for t in toks[:-1]] == [("a", 1, 1), ("b", 3, 8), ("c", 4, 3)]


def test_locations_are_one_based() -> None:
    toks = tokenize("x\n\n   yy  z", "f.p4")
    assert toks[0].loc == SourceLoc("f.p4", 1, 1)
    assert toks[1].loc == SourceLoc("f.p4", 3, 4)
    assert toks[2].loc == SourceLoc("f.p4", 3, 8)


def test_line_markers() -> None:
    text = 'a\n#line 10 "inc/x.p4"\n  b\nc\n#line 3 "main.p4"\nd\n'
    toks = tokenize(text, "pre.p4")
    assert [(t.text, t.loc) for t in toks[:-1]] == [
        ("a", SourceLoc("pre.p4", 1, 1)),
        ("b", SourceLoc("inc/x.p4", 10, 3)),
        ("c", SourceLoc("inc/x.p4", 11, 1)),
        ("d", SourceLoc("main.p4", 3, 1)),
    ]


def test_gcc_line_markers_and_escaped_paths() -> None:
    text = '# 7 "dir/a b.p4" 1 3\nx\n#line 20\ny\n#line 1 "q\\"uote.p4"\nz'
    toks = tokenize(text, "pre.p4")
    assert [(t.text, t.loc) for t in toks[:-1]] == [
        ("x", SourceLoc("dir/a b.p4", 7, 1)),
        ("y", SourceLoc("dir/a b.p4", 20, 1)),
        ("z", SourceLoc('q"uote.p4', 1, 1)),
    ]


def test_hash_inside_a_line_is_a_token() -> None:
    assert kinds("{#}") == ["{", "#", "}"]


def test_multiline_string_counts_lines() -> None:
    toks = tokenize('"a\nb" x', "t.p4")
    assert toks[0].text == "a\nb"
    assert toks[1].loc == SourceLoc("t.p4", 2, 4)


def test_unterminated_comment_and_string() -> None:
    with pytest.raises(P4Error) as e:
        tokenize("a\n  /* never closed", "t.p4")
    assert e.value.format() == "t.p4:2:3: error: unterminated comment"
    with pytest.raises(P4Error) as e:
        tokenize('x = "abc', "t.p4")
    assert e.value.format() == "t.p4:1:5: error: unterminated string literal"


def test_unknown_character_becomes_a_token() -> None:
    assert kinds("a $ b") == ["id", "?", "id"]


def test_eof_token_location() -> None:
    toks = tokenize("ab\ncd ", "t.p4")
    assert toks[-1].kind == "eof"
    assert toks[-1].loc == SourceLoc("t.p4", 2, 4)
