"""``softswitch run`` as a process: clean SIGTERM, and one-line errors for bad invocations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.softswitch.p4runtime.p4rt_harness import REPO, Client, SwitchProcess


def run_switch(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "softswitch.run_command", "--grpc-addr", "127.0.0.1:0", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=timeout,
    )


def test_sigterm_stops_cleanly_with_a_stream_open() -> None:
    proc = SwitchProcess(None)
    client = Client(proc.address)
    try:
        client.become_primary(1)
    finally:
        code = proc.stop()
        client.close()
    assert code == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "either --no-p4 or a PROG.p4"),
        (("--no-p4", "-i", "1@"), "bad interface spec"),
        (("--no-p4", "--cpu-port", "600"), "--cpu-port"),
        (("no-such-file.p4",), "no-such-file.p4"),
    ],
)
def test_usage_errors_are_one_line(args: tuple[str, ...], expected: str) -> None:
    result = run_switch(*args)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_p4_errors_name_file_line_and_column(tmp_path: Path) -> None:
    program = tmp_path / "broken.p4"
    program.write_text("#include <v1model.p4>\ncontrol c( {\n")
    result = run_switch(str(program))
    assert result.returncode == 2
    assert f"{program}:2:" in result.stderr
    assert "Traceback" not in result.stderr
