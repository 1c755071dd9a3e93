"""Syntax errors: exact locations and readable messages, never a Python traceback."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from softswitch.frontend.errors import P4Error
from softswitch.frontend.parser import parse_program


def error_of(src: str) -> P4Error:
    with pytest.raises(P4Error) as e:
        parse_program(src, "bad.p4")
    return e.value


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("header h_t { bit<8> x }", "bad.p4:1:23: error: expected ';' but found '}'"),
        ("struct s { bit<8> x; ", "bad.p4:1:22: error: expected a type but found end of file"),
        ("const bit<8> k = ;", "bad.p4:1:18: error: expected an expression but found ';'"),
        ("const bit<8> k = 1 +;", "bad.p4:1:21: error: expected an expression but found ';'"),
        ("action a() {\n  x = 1\n}", "bad.p4:3:1: error: expected ';' but found '}'"),
        ("action a() {\n  x = f(1, 2;\n}", "bad.p4:2:13: error: expected ',' or ')' but found ';'"),
        ("action a() { x + 1; }", "bad.p4:1:14: error: expected an assignment or a call"),
        ("action a() { x y z; }", "bad.p4:1:18: error: expected ';' or '=' but found 'z'"),
        ("control c() { apply {", "bad.p4:1:22: error: expected '}' but found end of file"),
        ("control c() { }", "bad.p4:1:15: error: expected 'apply' but found '}'"),
        (
            "parser p() { state s { transition; } }",
            "bad.p4:1:34: error: expected a state name or 'select' but found ';'",
        ),
        (
            "parser p() { state s { transition select(x) { 1 accept; } } }",
            "bad.p4:1:49: error: expected ':' but found 'accept'",
        ),
        (
            "control c() { table t { key = { x; } } apply {} }",
            "bad.p4:1:34: error: expected ':' but found ';'",
        ),
        ("header h_t { bit<8 x; }", "bad.p4:1:20: error: expected '>' but found 'x'"),
        ("42;", "bad.p4:1:1: error: expected a declaration but found '42'"),
        ("table t { }", "bad.p4:1:1: error: a table declaration is not allowed at top level"),
        ('const string s = "abc', "bad.p4:1:18: error: unterminated string literal"),
        ('@name("x" action a() {}', "bad.p4:1:6: error: '(' is never closed"),
        ("action a() { x = a[1; }", "bad.p4:1:21: error: expected ']' or ':' but found ';'"),
        ("enum E { A B }", "bad.p4:1:12: error: expected ',' or '}' but found 'B'"),
        ("action a() { for (i = 0 i < 4; i = i + 1) { } }", "bad.p4:1:25: error: expected ',' or ';' but found 'i'"),
        ("action a() { for (i = 0; i < 4; i = i + 1 { } }", "bad.p4:1:43: error: expected ',' or ')' but found '{'"),
        ("action a() { for (bit<8> i in 0 .. 3 { } }", "bad.p4:1:38: error: expected ')' but found '{'"),
        ("action a() { for (bit<8> i in x { } }", "bad.p4:1:33: error: expected '..' or ')' but found '{'"),
        ("action a() { for (i = 0; i < 4; i + 1) { } }", "bad.p4:1:33: error: expected an assignment or a call"),
        ("action a() { break }", "bad.p4:1:20: error: expected ';' but found '}'"),
        ("action a() { x = {..., 1}; }", "bad.p4:1:19: error: '...' must be the last element"),
        ("action a() { x = {a = 1, ..., b = 2}; }", "bad.p4:1:29: error: expected '}' after '...' but found ','"),
        ("action a() { for (;;) { } }", "bad.p4:1:20: error: expected an expression but found ';'"),
        ("action a() { for (bit<8> i = 0; i < 4; i = i + 1) bit<8> x; }", "bad.p4:1:51: error: a declaration cannot be the body of a for loop"),
    ],
)
def test_syntax_error_messages(src: str, message: str) -> None:
    e = error_of(src)
    assert e.kind == "error"
    assert e.format() == message


def test_error_location_follows_line_markers() -> None:
    src = '#line 1 "main.p4"\nheader a { bit<8> x; }\n#line 12 "inc/lib.p4"\nheader b {\n  bit<8> y\n}\n'
    assert error_of(src).format() == "inc/lib.p4:14:1: error: expected ';' but found '}'"


@pytest.mark.parametrize(
    ("src", "col"),
    [
        ("extern E { E(); } control c() { E() e[2]; apply { } }", 38),
    ],
)
def test_unsupported_constructs(src: str, col: int) -> None:
    e = error_of(src)
    assert e.kind == "unsupported"
    assert e.loc is not None and (e.loc.line, e.loc.col) == (1, col)
    assert e.format().startswith(f"bad.p4:1:{col}: unsupported: ")


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    src = "const bit<8> k = " + "(" * 5000 + "1" + ")" * 5000 + ";"
    e = error_of(src)
    assert "nested too deeply" in e.message


_SOUP = [
    "header", "struct", "control", "parser", "action", "table", "apply", "state", "transition",
    "select", "key", "actions", "entries", "default_action", "const", "extern", "bit", "<", ">",
    ">>", "8", "x", "y", "T", "{", "}", "(", ")", "[", "]", ";", ":", ",", ".", "=", "==", "+",
    "-", "&&&", "..", "_", "default", "@", "name", '"s"', "if", "else", "switch", "exit",
    "return", "#", "{#}", "?", "8w3", "error", "typedef", "enum", "$", "\n", "/*", "*/", "//",
    "#line 3 \"f.p4\"\n",
]  # fmt: skip


@settings(deadline=None, max_examples=300)
@given(st.lists(st.sampled_from(_SOUP), max_size=40))
def test_token_soup_never_crashes(parts: list[str]) -> None:
    try:
        parse_program(" ".join(parts), "fuzz.p4")
    except P4Error as e:
        assert e.loc is not None


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=80))
def test_arbitrary_text_never_crashes(text: str) -> None:
    with contextlib.suppress(P4Error):
        parse_program(text, "fuzz.p4")
