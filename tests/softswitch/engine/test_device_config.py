"""The device config written by ``softswitch compile --config``: its filename is the main
program's path, and a decoded config compiles back to the same program under that name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from softswitch.cli import main
from softswitch.engine.device_config import FORMAT, decode_device_config, encode_device_config
from softswitch.frontend.compiler import compile_file, compile_text

PROGRAM = """\
#include <core.p4>
#include <v1model.p4>
header h_t { bit<8> a; }
struct headers_t { h_t h; }
struct meta_t { }
parser P(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.h); transition accept; }
}
control VC(inout headers_t hdr, inout meta_t m) { apply { } }
control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply { } }
control Egr(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout meta_t m) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.h); } }
V1Switch(P(), VC(), Ing(), Egr(), CC(), D()) main;
"""


@pytest.fixture(name="program")
def program_fixture(tmp_path: Path) -> Path:
    path = tmp_path / "edge.p4"
    path.write_text(PROGRAM)
    return path


def test_filename_is_the_main_program(program: Path) -> None:
    filename, source = decode_device_config(encode_device_config(compile_file(program)))
    assert filename == str(program)
    # the round trip keeps the name
    again = compile_text(source, filename)
    assert again.filename == str(program)
    assert decode_device_config(encode_device_config(again))[0] == str(program)


def test_explicit_filename_wins(program: Path) -> None:
    assert decode_device_config(encode_device_config(compile_file(program), "x.p4"))[0] == "x.p4"


def test_compile_command_writes_program_path(program: Path, tmp_path: Path) -> None:
    out = tmp_path / "edge.bin"
    assert main(["compile", str(program), "--config", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == FORMAT
    assert doc["filename"] == str(program)
    assert "core.p4" not in doc["filename"]
