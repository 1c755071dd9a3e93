"""Bad programs are rejected by the checker with a P4Error at the offending node
(``file:line:col``) and the right kind; no Python exception escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from softswitch.frontend.compiler import compile_file, compile_text
from softswitch.frontend.errors import P4Error

# Line 1-2 include the architecture; the snippet starts on line 10 of the file (see PROGRAM).
PROGRAM = """\
#include <core.p4>
#include <v1model.p4>
header h_t { bit<8> a; bit<16> b; }
struct headers_t { h_t h; }
struct meta_t { bit<8> x; bit<16> y; bool f; }
control VC(inout headers_t hdr, inout meta_t m) { apply { } }
control Egr(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout meta_t m) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.h); } }
SNIPPET
V1Switch(P(), VC(), Ing(), Egr(), CC(), D()) main;
"""

PARSER = """\
parser P(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.h); transition accept; }
}
"""


def ingress(locals_: str, body: str) -> str:
    """A parser (lines 10-12) and ``control Ing`` with locals on line 14 and its body on line 16."""
    return (
        PARSER
        + "control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {\n"
        + f"    {locals_}\n"
        + "    apply {\n"
        + f"        {body}\n"
        + "    }\n"
        + "}"
    )


def check_error(tmp_path: Path, snippet: str) -> P4Error:
    path = tmp_path / "bad.p4"
    path.write_text(PROGRAM.replace("SNIPPET", snippet))
    with pytest.raises(P4Error) as info:
        compile_file(path)
    return info.value


BODY_COL = 9  # column of the first character of the body line

CASES = [
    # (name, locals, body, line, column, kind, message fragment)
    (
        "undeclared name",
        "",
        "m.x = nothing_here;",
        16,
        BODY_COL + 6,
        "error",
        "'nothing_here' is not declared",
    ),
    ("operand widths differ", "", "m.y = m.x + m.y;", 16, BODY_COL + 6, "error", "bit<8> and bit<16>"),
    ("assignment width", "", "m.x = m.y;", 16, BODY_COL + 6, "error", "expected bit<8>, found bit<16>"),
    ("bool to bits", "", "m.x = true;", 16, BODY_COL + 6, "error", "expected bit<8>, found bool"),
    ("argument count", "", "mark_to_drop(sm, sm);", 16, BODY_COL, "error", "no overload of mark_to_drop"),
    ("not callable", "", "m.x();", 16, BODY_COL, "error", "'x' is not a method"),
    ("unknown field", "", "m.nope = 1;", 16, BODY_COL, "error", "has no field 'nope'"),
    ("write a constant", "const bit<8> K = 1;", "K = 2;", 16, BODY_COL, "error", "'K': it is a constant"),
    ("condition not bool", "", "if (m.x) { }", 16, BODY_COL + 4, "error", "must be a bool"),
    ("duplicate local", "bit<8> v; bit<16> v;", "", 14, 15, "error", "duplicate declaration of 'v'"),
    (
        "out argument type",
        "register<bit<32>>(4) r;",
        "r.read(m.y, 0);",
        16,
        BODY_COL + 7,
        "error",
        "must have type bit<32>, found bit<16>",
    ),
    (
        "table applied in an action",
        "table t { actions = { NoAction; } } action a() { t.apply(); }",
        "a();",
        14,
        54,
        "error",
        "cannot be applied inside an action",
    ),
    (
        "action not in the table",
        "action a() { } action b() { } table t { key = { m.x: exact; } actions = { a; } default_action = b(); }",
        "t.apply();",
        14,
        101,
        "error",
        "'b' in default_action is not an action of table t",
    ),
    (
        "entry key type",
        "action a() { } table t { key = { m.f: exact; } actions = { a; } const entries = { 1: a(); } }",
        "t.apply();",
        14,
        87,
        "error",
        "expected bool, found int",
    ),
    (
        "unknown match kind",
        "table t { key = { m.x: fuzzy; } actions = { NoAction; } }",
        "",
        14,
        23,
        "error",
        "'fuzzy'",
    ),
    ("division at run time", "", "m.x = m.x / m.x;", 16, BODY_COL + 6, "error", "compile-time operands"),
    ("slice out of range", "", "m.x = m.x[8:1];", 16, BODY_COL + 6, "error", "out of range"),
    # bit<W> <-> int<W> may only change the signedness (real p4c: "Cannot cast from 'int<16>' to 'bit<8>'")
    ("sign and width at once", "", "m.x = (bit<8>)(int<16>)m.y;", 16, BODY_COL + 6, "error", "cannot cast int<16> to bit<8>"),
    ("concat with int", "", "m.y = m.x ++ 1;", 16, BODY_COL + 13, "error", "fixed width"),
    ("break outside a loop", "", "if (m.f) { break; }", 16, BODY_COL + 11, "error", "only allowed inside a for loop"),
    ("continue outside a loop", "", "continue;", 16, BODY_COL, "error", "only allowed inside a for loop"),
    (
        "continue in an action called from a loop",
        "action a() { continue; }",
        "for (bit<8> i = 0; i < 2; i = i + 1) { a(); }",
        14,
        18,
        "error",
        "only allowed inside a for loop",
    ),
    ("for condition not bool", "", "for (m.x = 0; m.x; m.x = m.x + 1) { }", 16, BODY_COL + 14, "error", "must be a bool"),
    (
        "for update is not a statement",
        "",
        "for (m.x = 0; m.x < 2; m.x + 1) { }",
        16,
        BODY_COL + 23,
        "error",
        "expected an assignment or a call",
    ),
    ("range of bools", "", "for (bool b in true .. false) { }", 16, BODY_COL + 5, "error", "bit<W> or int<W>"),
    ("range bound type", "", "for (bit<8> i in 0 .. m.y) { }", 16, BODY_COL + 22, "error", "expected bit<8>"),
    ("for over a scalar", "", "for (bit<8> i in m.x) { }", 16, BODY_COL + 17, "error", "iterates over a range"),
    ("loop variable is scoped", "", "for (bit<8> i in 0 .. 1) { } m.x = i;", 16, BODY_COL + 35, "error", "'i' is not declared"),
]


@pytest.mark.parametrize(
    ("locals_", "body", "line", "col", "kind", "fragment"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_checker_errors(
    tmp_path: Path, locals_: str, body: str, line: int, col: int, kind: str, fragment: str
) -> None:
    err = check_error(tmp_path, ingress(locals_, body))
    assert err.loc is not None
    assert (err.loc.file, err.loc.line, err.loc.col) == (str(tmp_path / "bad.p4"), line, col), err.format()
    assert err.kind == kind
    assert fragment in err.message


# (name, locals on line 14, the text the error must point at, message fragment)
LOCAL_CASES = [
    (
        "defaultonly action in an entry",
        "action a() { } table t { key = { m.x: exact; } actions = { @defaultonly a; } "
        "const entries = { 1: a(); } }",
        "a(); }",
        "@defaultonly",
    ),
    (
        "entry argument not constant",
        "action a(bit<8> v) { m.x = v; } table t { key = { m.x: exact; } actions = { a; } "
        "const entries = { 1: a(m.x); } }",
        "m.x); }",
        "compile-time constant",
    ),
    (
        "default_action rebinds a directional argument",
        "action a(inout bit<8> v) { v = 1; } table t { actions = { a(m.x); } default_action = a(hdr.h.a); }",
        "hdr.h.a); }",
        "does not match the one in the actions list",
    ),
    (
        "sub-control applied in an action",
        "Sub() s; action a() { s.apply(m); }",
        "s.apply(m); }",
        "apply cannot be called from actions",
    ),
    ("parser instantiated in a control", "P() p;", "P() p;", "a parser cannot be instantiated in a control"),
    ("variable of an extern type", "counter c;", "counter c;", "instantiate it instead"),
]

SUB = "control Sub(inout meta_t m) { apply { } }\n"


@pytest.mark.parametrize(
    ("locals_", "marker", "fragment"), [c[1:] for c in LOCAL_CASES], ids=[c[0] for c in LOCAL_CASES]
)
def test_checker_errors_in_locals(tmp_path: Path, locals_: str, marker: str, fragment: str) -> None:
    err = check_error(tmp_path, ingress(locals_, "").replace(PARSER, PARSER.rstrip("\n") + " " + SUB, 1))
    assert err.loc is not None
    expected_col = 5 + locals_.index(marker)
    assert (err.loc.line, err.loc.col) == (14, expected_col), err.format()
    assert err.kind == "error"
    assert fragment in err.message


def test_write_to_in_parameter(tmp_path: Path) -> None:
    snippet = PARSER + (
        "control Ing(inout headers_t hdr, inout meta_t m, in standard_metadata_t sm) {\n"
        "    apply { sm.egress_spec = 1; }\n"
        "}"
    )
    err = check_error(tmp_path, snippet)
    assert err.loc is not None and (err.loc.line, err.loc.col) == (14, 13)
    assert "'in' parameter" in err.message


def test_unknown_state(tmp_path: Path) -> None:
    snippet = (
        "parser P(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {\n"
        "    state start { pkt.extract(hdr.h); transition select(hdr.h.a) { 1: nowhere; default: accept; } }\n"
        "}\n" + ingress("", "")[len(PARSER) :]
    )
    err = check_error(tmp_path, snippet)
    assert err.loc is not None and (err.loc.line, err.loc.col) == (11, 68)
    assert "state 'nowhere' is not declared" in err.message


def test_select_keyset_type(tmp_path: Path) -> None:
    snippet = (
        "parser P(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {\n"
        "    state start { pkt.extract(hdr.h); transition select(hdr.h.a) { true: accept; } }\n"
        "}\n" + ingress("", "")[len(PARSER) :]
    )
    err = check_error(tmp_path, snippet)
    assert err.loc is not None and (err.loc.line, err.loc.col) == (11, 68)
    assert "expected bit<8>, found bool" in err.message


def test_for_loop_in_a_parser(tmp_path: Path) -> None:
    snippet = ingress("", "").replace(
        "pkt.extract(hdr.h);", "pkt.extract(hdr.h); for (bit<8> i = 0; i < 2; i = i + 1) { m.x = i; }"
    )
    err = check_error(tmp_path, snippet)
    assert err.loc is not None and err.loc.line == 11
    assert "not allowed in a parser" in err.message


def test_abstract_methods_are_unsupported(tmp_path: Path) -> None:
    snippet = (
        "extern Virt { Virt(); abstract bit<8> f(); }\n"
        + PARSER
        + "control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {\n"
        "    Virt() v = { bit<8> f() { return 1; } };\n"
        "    apply { }\n"
        "}"
    )
    err = check_error(tmp_path, snippet)
    assert err.kind == "unsupported"
    assert err.loc is not None and (err.loc.line, err.loc.col) == (15, 5)


def test_missing_main() -> None:
    text = '#line 1 "nomain.p4"\ncontrol C(inout bit<8> x) { apply { } }\n'
    with pytest.raises(P4Error) as info:
        compile_text(text, "nomain.p4")
    assert "no 'main'" in info.value.message
    assert info.value.loc is not None and info.value.loc.file == "nomain.p4"


def test_error_format_has_location(tmp_path: Path) -> None:
    err = check_error(tmp_path, ingress("", "m.x = nothing_here;"))
    assert err.format() == f"{tmp_path / 'bad.p4'}:16:15: error: 'nothing_here' is not declared"
