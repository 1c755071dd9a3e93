"""The ``softswitch`` command: compile, stf, run.

Every user error prints one clean line (``file:line:col: error: ...`` for P4 errors) and exits
with a non-zero status; a Python traceback reaching the user is a bug.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .frontend.errors import P4Error

EXIT_OK = 0
EXIT_TEST_FAILED = 1
EXIT_COMPILE_ERROR = 2
EXIT_UNSUPPORTED = 3


def _parse_defines(items: Sequence[str]) -> dict[str, str]:
    defines: dict[str, str] = {}
    for item in items:
        name, _, value = item.partition("=")
        defines[name] = value if value else "1"
    return defines


def _add_compile_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("program", type=Path, help="the P4-16 v1model program")
    p.add_argument(
        "-I", dest="include_dirs", action="append", type=Path, default=[], metavar="DIR",
        help="add DIR to the #include search path (the bundled core.p4/v1model.p4 are always found)",
    )
    p.add_argument(
        "-D", dest="defines", action="append", default=[], metavar="NAME[=VALUE]",
        help="define a preprocessor macro",
    )


def _cmd_compile(args: argparse.Namespace) -> int:
    from .frontend.compiler import compile_file
    from .frontend.p4info_spec import to_program_spec
    from .p4info.build import build_p4info, write_p4info_text

    if args.p4info is None and args.config is None:
        print("softswitch compile: nothing to write; give --p4info and/or --config", file=sys.stderr)
        return EXIT_COMPILE_ERROR
    result = compile_file(args.program, args.include_dirs, _parse_defines(args.defines))
    if args.p4info is not None:
        info = build_p4info(to_program_spec(result.elaborated))
        _write(args.p4info, write_p4info_text(info).encode())
    if args.config is not None:
        from .engine.device_config import encode_device_config

        _write(args.config, encode_device_config(result))
    return EXIT_OK


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _cmd_stf(args: argparse.Namespace) -> int:
    from .stf.engine_target import EngineTarget
    from .stf.parser import StfSyntaxError, parse_stf_file
    from .stf.result import format_result
    from .stf.runner import run_stf

    try:
        commands = parse_stf_file(args.stf)
    except StfSyntaxError as e:
        print(str(e), file=sys.stderr)
        return EXIT_TEST_FAILED
    target = EngineTarget.from_file(args.program, args.include_dirs, _parse_defines(args.defines))
    result = run_stf(target, commands)
    report = format_result(result)
    if report:
        print(report)
    if result.status == "unsupported":
        print("STF UNSUPPORTED", file=sys.stderr)
        return EXIT_UNSUPPORTED
    return EXIT_OK if result.passed else EXIT_TEST_FAILED


def _cmd_run(args: argparse.Namespace) -> int:
    from .run_command import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="softswitch",
        description="A P4-16 v1model software switch: front-end, P4Info, engine, P4Runtime server.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    pc = sub.add_parser(
        "compile", help="compile a program; write its P4Info and device config",
        description="Compile a P4-16 v1model program. --p4info writes the P4Info in text format as "
        "p4c-bm2-ss --p4runtime-files does; --config writes the device config that "
        "SetForwardingPipelineConfig takes (the pair p4runtime-shell's --config p4info,bin expects).",
    )
    _add_compile_options(pc)
    pc.add_argument("--p4info", type=Path, metavar="OUT.p4info.txtpb", help="write the P4Info here")
    pc.add_argument("--config", type=Path, metavar="OUT.bin", help="write the device config here")
    pc.set_defaults(func=_cmd_compile)

    ps = sub.add_parser(
        "stf", help="run an STF packet test (p4c's format)",
        description="Run an STF test against the program: exit 0 on a pass, 1 on a failure "
        "(with a per-port diff of expected and received packets), 2 if the program does not compile.",
    )
    _add_compile_options(ps)
    ps.add_argument("stf", type=Path, help="the .stf test file")
    ps.set_defaults(func=_cmd_stf)

    from .run_command import add_run_arguments

    pr = sub.add_parser(
        "run", help="run the switch: ports, pipeline and P4Runtime server (like simple_switch_grpc)",
        description="Run softswitch like simple_switch_grpc: a P4Runtime server (default "
        "0.0.0.0:9559, device id 0) and Linux interfaces as ports (-i 1@veth1, needs root). "
        "With --no-p4 it waits for SetForwardingPipelineConfig. SIGTERM stops it cleanly. Hosts "
        "on veth links must turn TX checksum offload off (ethtool -K IF tx off).",
    )
    add_run_arguments(pr)
    pr.set_defaults(func=_cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        rc: int = args.func(args)
        return rc
    except P4Error as e:
        print(e.format(), file=sys.stderr)
        return EXIT_COMPILE_ERROR
    except OSError as e:
        print(f"softswitch: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return EXIT_COMPILE_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
