"""Tests of the C preprocessor pass: directives, errors, and mapping output back to file:line:col."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from softswitch.frontend.errors import P4Error, SourceLoc
from softswitch.frontend.preprocess import BUNDLED_INCLUDE_DIR, preprocess

_MARKER = re.compile(r'#line (\d+) "((?:[^"\\]|\\.)*)"$')


def locate(output: str) -> dict[str, list[tuple[str, int, int]]]:
    """Map each whitespace-separated word of the output to the (file, line, col) the markers give it."""
    found: dict[str, list[tuple[str, int, int]]] = {}
    file, line = "", 0
    for text in output.split("\n"):
        m = _MARKER.fullmatch(text)
        if m:
            line, file = int(m.group(1)), m.group(2).replace('\\"', '"').replace("\\\\", "\\")
            continue
        for w in re.finditer(r"\S+", text):
            found.setdefault(w.group(), []).append((file, line, w.start() + 1))
        line += 1
    return found


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_markers_and_columns_across_an_include(tmp_path: Path) -> None:
    inc = write(
        tmp_path / "inc" / "defs.p4",
        "// header file\n\nheader h_t {\n\tbit<8>    inc_field;\n}\n",
    )
    main = write(
        tmp_path / "main.p4",
        '/* leading\n   comment */\n#include "inc/defs.p4"\n\n'
        "struct s_t {   h_t   main_hdr; }\n"
        "  const bit<8> K = 8w0xFF;   // it's a comment with an apostrophe\n",
    )
    out = preprocess(main)
    assert out.splitlines()[0].startswith("#line ")
    where = locate(out)
    assert where["inc_field;"] == [(str(inc), 4, 12)]
    assert where["header"] == [(str(inc), 3, 1)]
    assert where["main_hdr;"] == [(str(main), 5, 22)]
    assert where["struct"] == [(str(main), 5, 1)]
    assert where["8w0xFF;"] == [(str(main), 6, 20)]
    assert "it's" not in out and "comment" not in out


def test_main_file_keeps_the_path_as_given_and_includes_are_absolute(tmp_path: Path) -> None:
    write(tmp_path / "a.p4", "const bit<1> a = 1;\n")
    main = write(tmp_path / "m.p4", '#include "a.p4"\nconst bit<1> m = 0;\n')
    where = locate(preprocess(main))
    assert where["a"][0][0] == str((tmp_path / "a.p4").resolve())
    assert where["m"] == [(str(main), 2, 14)]


def test_p4_tokens_survive_unchanged(tmp_path: Path) -> None:
    body = (
        "x = 16s-1 |+| 8w0xFF |-| 4w0b1010;\n"
        "k: 0x0800 &&& 0xFF00 ;\n"
        "r: 1 .. 5 ;\n"
        '@name("a\'b") @pragma x\n'
        'y = z ++ "str // not a comment";\n'
    )
    main = write(tmp_path / "t.p4", body)
    out = preprocess(main)
    lines = [ln for ln in out.splitlines() if not ln.startswith("#line")]
    assert lines == body.splitlines()


def test_blank_lines_and_long_gaps(tmp_path: Path) -> None:
    main = write(tmp_path / "g.p4", "a\n\n\nb\n" + "\n" * 30 + "c\n")
    where = locate(preprocess(main))
    assert where["a"] == [(str(main), 1, 1)]
    assert where["b"] == [(str(main), 4, 1)]
    assert where["c"] == [(str(main), 35, 1)]


def test_object_and_function_macros(tmp_path: Path) -> None:
    main = write(
        tmp_path / "m.p4",
        "#define WIDTH 16\n"
        "#define TWICE(x) ((x) + (x))\n"
        "bit<WIDTH> f;\n"
        "    g = TWICE(f);  tail;\n"
        "#undef WIDTH\n"
        "bit<WIDTH> h;\n",
    )
    out = preprocess(main)
    text = [ln for ln in out.splitlines() if not ln.startswith("#line")]
    assert text[0] == "bit<16   > f;"  # tokens after a shorter expansion keep their own columns
    assert "((f) + (f))" in text[1]
    assert "bit<WIDTH> h;" in text[-1]
    where = locate(out)
    assert where["f;"][0] == (str(main), 3, 12)
    # Expansions sit on the line of the macro use, starting at the macro name's column.
    assert where["g"] == [(str(main), 4, 5)]
    assert where["((f)"] == [(str(main), 4, 9)]
    assert where["tail;"][0][:2] == (str(main), 4)


def test_conditionals_and_defined(tmp_path: Path) -> None:
    main = write(
        tmp_path / "c.p4",
        "#define A 3\n"
        "#if defined(A) && A > 2\nyes1\n#else\nno1\n#endif\n"
        "#ifdef B\nno2\n#elif A == 3\nyes2\n#else\nno3\n#endif\n"
        "#ifndef B\nyes3\n#endif\n"
        "#if 0\n#error not reached\nno4\n#endif\n",
    )
    words = set(locate(preprocess(main)))
    assert {"yes1", "yes2", "yes3"} <= words
    assert not words & {"no1", "no2", "no3", "no4"}


def test_defines_argument(tmp_path: Path) -> None:
    main = write(tmp_path / "d.p4", "#if FOO == 7\nseven BAR\n#endif\n")
    out = preprocess(main, defines={"FOO": "7", "BAR": "bar_value"})
    assert "seven bar_value" in out


def test_line_directive(tmp_path: Path) -> None:
    main = write(tmp_path / "l.p4", 'a\n#line 100 "other.p4"\nb\nc\n#line 7\nd\n')
    where = locate(preprocess(main))
    assert where["a"] == [(str(main), 1, 1)]
    assert where["b"] == [("other.p4", 100, 1)]
    assert where["c"] == [("other.p4", 101, 1)]
    assert where["d"] == [("other.p4", 7, 1)]


def test_search_order_for_angle_and_quote_includes(tmp_path: Path) -> None:
    write(tmp_path / "user" / "core.p4", "user_core\n")
    write(tmp_path / "src" / "local.p4", "local_dir\n")
    write(tmp_path / "user" / "local.p4", "user_dir\n")
    main = write(
        tmp_path / "src" / "m.p4", '#include "local.p4"\n#include <core.p4>\n#include <v1model.p4>\n'
    )
    words = locate(preprocess(main, include_dirs=[tmp_path / "user"]))
    assert "local_dir" in words and "user_dir" not in words
    assert "user_core" in words  # -I directories come before the bundled ones for <...>
    assert "V1Switch<H," in words  # v1model.p4 from the bundled directory


def test_bundled_headers_define_the_expected_names(tmp_path: Path) -> None:
    assert (BUNDLED_INCLUDE_DIR / "core.p4").is_file()
    main = write(tmp_path / "m.p4", "#include <core.p4>\n#include <v1model.p4>\n")
    out = preprocess(main)
    for name in ("packet_in", "NoAction()", "standard_metadata_t", "V1Switch<H,", "__v1model_version"):
        assert name in out
    assert out.count("error {") == 1  # core.p4 is included once despite two #includes
    assert "bit<9>      ingress_port;" in out and "PortId_t" not in out
    assert "void count(in bit<32> index);" in out


def test_v1model_version_20200408(tmp_path: Path) -> None:
    main = write(tmp_path / "m.p4", "#define V1MODEL_VERSION 20200408\n#include <v1model.p4>\n")
    out = preprocess(main)
    assert "typedef bit<9>  PortId_t;" in out
    assert "PortId_t    egress_spec;" in out
    assert "extern register<T, I>" in out
    assert "void count(in I index);" in out
    assert "const bit<32> __v1model_version = 20200408" in out


@pytest.mark.parametrize(
    ("text", "message", "line", "col"),
    [
        ('\n#include "nope.p4"\n', "cannot find include file 'nope.p4'", 2, 1),
        ("x\n  #error stop here\n", "#error stop here", 2, 3),
        ("#frobnicate\n", "unknown preprocessor directive #frobnicate", 1, 1),
        ("#if 1\nx\n", "Unterminated", 1, 1),
        ("#endif\n", "Misplaced #endif", 1, 1),
        ("#define\n", "#define needs a macro name", 1, 1),
        ("#include\n", "#include needs a file name", 1, 1),
        ("#line abc\n", "#line needs a line number", 1, 1),
    ],
)
def test_errors_have_locations(tmp_path: Path, text: str, message: str, line: int, col: int) -> None:
    main = write(tmp_path / "e.p4", text)
    with pytest.raises(P4Error) as info:
        preprocess(main)
    err = info.value
    assert message in err.message
    assert err.loc == SourceLoc(str(main), line, col)
    assert err.kind == "error"
    assert err.format().startswith(f"{main}:{line}:{col}: error: ")


def test_error_inside_an_included_file(tmp_path: Path) -> None:
    inc = write(tmp_path / "inc.p4", "a\nb\n#error from include\n")
    main = write(tmp_path / "m.p4", '#include "inc.p4"\n')
    with pytest.raises(P4Error) as info:
        preprocess(main)
    assert info.value.loc == SourceLoc(str(inc.resolve()), 3, 1)


def test_missing_main_file(tmp_path: Path) -> None:
    with pytest.raises(P4Error, match="cannot read"):
        preprocess(tmp_path / "absent.p4")


def test_include_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "a.p4", '#include "b.p4"\n')
    write(tmp_path / "b.p4", '#include "a.p4"\n')
    with pytest.raises(P4Error):
        preprocess(tmp_path / "a.p4")


def test_crlf_sources_keep_columns(tmp_path: Path) -> None:
    main = tmp_path / "w.p4"
    main.write_bytes(b"a\r\n    bb cc\r\n")
    where = locate(preprocess(main))
    assert where["cc"] == [(str(main), 2, 8)]


def test_p4error_format_without_location_and_unsupported() -> None:
    assert P4Error("boom").format() == "error: boom"
    err = P4Error("varbit in keys", SourceLoc("f.p4", 3, 4), kind="unsupported")
    assert err.format() == "f.p4:3:4: unsupported: varbit in keys"
