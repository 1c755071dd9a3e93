"""Whole programs: the bundled core.p4/v1model.p4, the golden P4Info programs, includes, size."""

from __future__ import annotations

from pathlib import Path

import pytest

from softswitch.frontend import ast
from softswitch.frontend.errors import P4Error, SourceLoc
from softswitch.frontend.parser import parse_file, parse_program
from softswitch.frontend.preprocess import BUNDLED_INCLUDE_DIR

GOLDEN = Path(__file__).resolve().parent.parent / "p4info" / "golden"


def by_name(prog: ast.Program) -> dict[str, ast.Decl]:
    return {d.name: d for d in prog.decls}


@pytest.mark.skipif(not (BUNDLED_INCLUDE_DIR / "core.p4").exists(), reason="core.p4 not written yet")
def test_bundled_core_p4() -> None:
    prog = parse_file(BUNDLED_INCLUDE_DIR / "core.p4")
    decls = by_name(prog)
    assert isinstance(decls["packet_in"], ast.ExternDecl)
    assert isinstance(decls["packet_out"], ast.ExternDecl)
    assert isinstance(decls["NoAction"], ast.ActionDecl)
    assert decls["NoAction"].annotation("noWarn") is not None
    assert any(isinstance(d, ast.ErrorDecl) and "NoError" in d.members for d in prog.decls)
    assert any(isinstance(d, ast.MatchKindDecl) and "exact" in d.members for d in prog.decls)
    assert all(d.loc.file.endswith("core.p4") for d in prog.decls)


@pytest.mark.skipif(not (BUNDLED_INCLUDE_DIR / "v1model.p4").exists(), reason="v1model.p4 not written yet")
def test_bundled_v1model_p4() -> None:
    prog = parse_file(BUNDLED_INCLUDE_DIR / "v1model.p4")
    decls = by_name(prog)
    for name in ("standard_metadata_t", "counter", "register", "V1Switch", "mark_to_drop", "hash", "Parser"):
        assert name in decls, name
    assert isinstance(decls["V1Switch"], ast.PackageDecl)
    assert isinstance(decls["register"], ast.ExternDecl) and decls["register"].type_params == ["T"]
    assert isinstance(decls["Parser"], ast.ParserTypeDecl)
    assert isinstance(decls["standard_metadata_t"], ast.StructDecl)


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.p4") if p.name != "common.p4"))
def test_golden_programs_parse(name: str) -> None:
    prog = parse_file(GOLDEN / name)
    main = prog.decls[-1]
    assert isinstance(main, ast.InstanceDecl) and main.name == "main"
    assert isinstance(main.type_ref, ast.NamedTypeRef) and main.type_ref.name == "V1Switch"
    assert len(main.args) == 6
    # common.p4's headers come through the include, with their own file name.
    eth = by_name(prog)["ethernet_t"]
    assert isinstance(eth, ast.HeaderDecl) and eth.loc.file.endswith("common.p4") and eth.loc.line == 2


def test_annotations_golden_details() -> None:
    prog = parse_file(GOLDEN / "annotations.p4")
    ing = by_name(prog)["Ing"]
    assert isinstance(ing, ast.ControlDecl)
    local = {d.name: d for d in ing.locals}
    fwd = local["fwd"]
    assert isinstance(fwd, ast.ActionDecl)
    ann = fwd.annotation("id")
    assert ann is not None and ann.args is not None
    arg = ann.args[0]
    assert isinstance(arg, ast.IntLit) and arg.value == 0x01000ABC
    assert fwd.params[0].annotation("name") is not None
    routes = local["routes"]
    assert isinstance(routes, ast.TableDecl)
    assert [a.name for a in routes.annotations] == ["id", "brief", "name"]
    fixed = local["fixed"]
    assert isinstance(fixed, ast.TableDecl)
    entries = fixed.prop("entries")
    assert entries is not None and entries.is_const and entries.entries is not None
    assert len(entries.entries) == 3


def test_parse_file_reports_preprocessor_and_parser_errors(tmp_path: Path) -> None:
    (tmp_path / "inc.p4").write_text("header h_t {\n  bit<8> a\n}\n")
    (tmp_path / "main.p4").write_text('// main\n#include "inc.p4"\n')
    with pytest.raises(P4Error) as e:
        parse_file(tmp_path / "main.p4")
    assert e.value.loc == SourceLoc(str(tmp_path / "inc.p4"), 3, 1)
    assert e.value.message == "expected ';' but found '}'"


def test_parse_file_with_defines(tmp_path: Path) -> None:
    (tmp_path / "m.p4").write_text("#ifdef WIDE\nconst bit<16> W = 1;\n#else\nconst bit<8> W = 1;\n#endif\n")
    prog = parse_file(tmp_path / "m.p4", defines={"WIDE": "1"})
    w = prog.decls[0]
    assert isinstance(w, ast.ConstDecl) and isinstance(w.type_ref, ast.BitTypeRef)
    assert isinstance(w.type_ref.width, ast.IntLit) and w.type_ref.width.value == 16
    assert w.loc == SourceLoc(str(tmp_path / "m.p4"), 2, 1)


def test_large_program() -> None:
    """A program of a few thousand lines parses (its speed is measured in bench/, not here)."""
    parts = ["header h_t { bit<8> a; bit<16> b; }\nstruct hs_t { h_t h; }\n"]
    for i in range(300):
        parts.append(
            f"control C{i}(inout hs_t hdr) {{\n"
            f"    action a{i}(bit<8> v) {{ hdr.h.a = v + 8w{i % 256}; }}\n"
            f"    table t{i} {{\n"
            f"        key = {{ hdr.h.b: exact; }}\n"
            f"        actions = {{ a{i}; }}\n"
            f"        default_action = a{i}(1);\n"
            f"    }}\n"
            f"    apply {{ if (hdr.h.isValid() && hdr.h.a < 8w3) {{ t{i}.apply(); }} }}\n"
            f"}}\n"
        )
    text = "".join(parts)
    assert text.count("\n") > 2500
    prog = parse_program(text, "big.p4")
    assert len(prog.decls) == 302
