"""The project's own P4 programs: softswitch's P4Info text must equal real p4c's byte for byte.

Each ``golden_p4c/<name>.p4info.txtpb`` is what ``p4c-bm2-ss`` 1.2.4.8 wrote with
``--p4runtime-files`` for the program that :data:`GOLDEN_PROGRAMS` maps ``<name>`` to (the programs
stay where their own test suites keep them). ``golden_p4c/sources.sha256`` records the program files
(and their quoted includes) as they were when p4c ran; a program edited since then needs its golden
regenerated with real p4c, which this test says instead of comparing against a stale golden.

Run this file as a script on a machine with p4c-bm2-ss 1.2.4.8 on PATH to regenerate every golden
and the manifest (see golden_p4c/README.md)::

    .venv/bin/python tests/softswitch/p4info/test_golden_p4c.py
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from softswitch.frontend.compiler import compile_file
from softswitch.frontend.p4info_spec import to_program_spec
from softswitch.p4info.build import build_p4info, write_p4info_text

ROOT = Path(__file__).resolve().parents[3]
GOLDEN_DIR = Path(__file__).resolve().parent / "golden_p4c"
MANIFEST = GOLDEN_DIR / "sources.sha256"
P4C = "p4c-bm2-ss"
P4C_VERSION = "1.2.4.8"

_FEATURES = "tests/softswitch/stf/features"
_STF_PROGRAMS = "tests/softswitch/stf/programs"
_P4INFO_PROGRAMS = "tests/softswitch/p4info/programs"

#: golden name -> program path relative to the repository root
GOLDEN_PROGRAMS: dict[str, str] = {
    "bench_engine_pps": "bench/programs/engine_pps.p4",
    "bench_port_forward": "bench/programs/port_forward.p4",
    "clients_l2_clients": "tests/softswitch/clients/programs/l2_clients.p4",
    "p4rt_l2_learning": "tests/controlplane/p4rt/programs/l2_learning.p4",
    "p4runtime_loopback": "tests/softswitch/p4runtime/programs/loopback.p4",
    "ports_vlan_bump": "tests/softswitch/ports/programs/vlan_bump.p4",
    **{
        f"features_{stem}": f"{_FEATURES}/{stem}.p4"
        for stem in (
            "control_action_features",
            "control_actions_params",
            "control_subcontrol_tables",
            "deparser_emit_struct",
            "expr_arith",
            "expr_bitwise_shift",
            "expr_compare",
            "expr_slice_concat_cast",
            "expr_ternary_struct",
            "expr_wide",
            "extern_checksum",
            "extern_checksum_invalid",
            "extern_clone",
            "extern_digest_log_assert",
            "extern_drop_ports",
            "extern_hash",
            "extern_meter",
            "extern_multicast",
            "extern_random",
            "extern_recirculate",
            "extern_register",
            "extern_resubmit",
            "extern_truncate",
            "meta_fresh_per_packet",
            "meta_packet_length",
            "parser_lookahead_advance",
            "parser_misc",
            "parser_reject_nomatch",
            "parser_select",
            "parser_subparser",
            "parser_too_short",
            "parser_value_set",
            "parser_varbit",
            "parser_verify_errors",
            "stmt_control_flow",
            "stmt_stacks",
            "stmt_switch_expr",
            "stmt_validity",
            "table_action_run",
            "table_const_entries",
            "table_defaults",
            "table_exact",
            "table_key_exprs",
            "table_lpm",
            "table_resources",
            "table_ternary",
            "types_decls",
        )
    },
    **{
        f"programs_{stem}": f"{_STF_PROGRAMS}/{stem}.p4"
        for stem in (
            "arith",
            "checksums",
            "control_flow",
            "hashes",
            "header_ops",
            "parser_errors",
            "parser_select",
            "replication",
            "stateful",
            "tables",
        )
    },
    # written for P4Info corners the other programs do not reach
    **{
        f"p4info_{stem}": f"{_P4INFO_PROGRAMS}/{stem}.p4"
        for stem in (
            "keys_and_digests",
            "naming_and_resources",
            "profiles_and_nesting",
            "string_annotations",
            "translated_types",
        )
    },
    "edge": "p4src/edge.p4",
}

_QUOTED_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def source_files(program: str) -> list[str]:
    """The program and every file it includes with ``#include "..."`` (recursively), as paths
    relative to the repository root. ``<core.p4>`` and ``<v1model.p4>`` are the compiler's own."""
    seen: list[str] = []
    todo = [ROOT / program]
    while todo:
        path = todo.pop(0).resolve()
        rel = path.relative_to(ROOT).as_posix()
        if rel in seen:
            continue
        seen.append(rel)
        for inc in _QUOTED_INCLUDE.findall(path.read_text(encoding="utf-8")):
            todo.append(path.parent / inc)
    return seen


def file_sha256(rel: str) -> str:
    return hashlib.sha256((ROOT / rel).read_bytes()).hexdigest()


def read_manifest() -> dict[str, str]:
    """``sources.sha256`` (the ``sha256sum`` format): path -> digest."""
    entries: dict[str, str] = {}
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, rel = line.split(maxsplit=1)
            entries[rel.strip()] = digest
    return entries


def test_goldens_and_mapping_agree() -> None:
    on_disk = {p.name.removesuffix(".p4info.txtpb") for p in GOLDEN_DIR.glob("*.p4info.txtpb")}
    assert on_disk == set(GOLDEN_PROGRAMS)
    assert len(set(GOLDEN_PROGRAMS.values())) == len(GOLDEN_PROGRAMS)


@pytest.mark.parametrize("name", sorted(GOLDEN_PROGRAMS))
def test_program_unchanged_since_its_golden(name: str) -> None:
    manifest = read_manifest()
    for rel in source_files(GOLDEN_PROGRAMS[name]):
        assert rel in manifest, f"{rel} is not in {MANIFEST.name}: regenerate the goldens with real p4c"
        assert file_sha256(rel) == manifest[rel], (
            f"{rel} changed after p4c wrote golden_p4c/{name}.p4info.txtpb; regenerate it with real "
            f"p4c {P4C_VERSION} (see golden_p4c/README.md), never from softswitch's output"
        )


@pytest.mark.parametrize("name", sorted(GOLDEN_PROGRAMS))
def test_softswitch_p4info_equals_p4c(name: str) -> None:
    compiled = compile_file(ROOT / GOLDEN_PROGRAMS[name])
    text = write_p4info_text(build_p4info(to_program_spec(compiled.elaborated)))
    expected = (GOLDEN_DIR / f"{name}.p4info.txtpb").read_text(encoding="utf-8")
    assert text == expected


def regenerate() -> int:
    """Compile every mapped program with real p4c and rewrite the goldens and the manifest."""
    p4c = shutil.which(P4C)
    if p4c is None:
        print(f"{P4C} is not on PATH; the goldens can only come from real p4c", file=sys.stderr)
        return 2
    done = subprocess.run([p4c, "--version"], capture_output=True, text=True, check=False)
    version = done.stdout + done.stderr  # p4c prints its version on stderr
    if f"Version {P4C_VERSION}" not in version:
        print(f"{P4C} reports {version.strip()!r}; the goldens are from {P4C_VERSION}", file=sys.stderr)
        return 2
    GOLDEN_DIR.mkdir(exist_ok=True)
    sources: dict[str, str] = {}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for name, program in sorted(GOLDEN_PROGRAMS.items()):
            out = Path(tmp) / f"{name}.p4info.txtpb"
            cmd = [p4c, program, "-o", str(Path(tmp) / f"{name}.json"), "--p4runtime-files", str(out)]
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
            if done.returncode != 0 or not out.exists():
                print(f"{name}: p4c rejected {program}:\n{done.stderr}", file=sys.stderr)
                failed = True
                continue
            shutil.copyfile(out, GOLDEN_DIR / out.name)
            for rel in source_files(program):
                sources[rel] = file_sha256(rel)
            print(f"{name}: {program}")
    if failed:
        return 1
    MANIFEST.write_text("".join(f"{digest}  {rel}\n" for rel, digest in sorted(sources.items())))
    return 0


if __name__ == "__main__":
    sys.exit(regenerate())
