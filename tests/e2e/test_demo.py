"""The demo's scenario script: it registers idempotently, and the commands it prints work as printed."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from tests.e2e.harness import ROOT, EdgeWorld
from topo.demo import scenario


def _step(text: str, heading: str) -> list[str]:
    """The command lines printed under the heading that starts with ``heading``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(heading))
    out: list[str] = []
    for line in lines[start + 1 :]:
        if not line.strip() or line.strip()[0].isdigit():
            break
        if not line.strip().startswith("..."):
            out.append(line.strip())
    return out


def _background(command: str) -> subprocess.Popen[str]:
    assert command.endswith(" &")
    return subprocess.Popen(shlex.split(command[:-2]), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, cwd=ROOT)  # fmt: skip


def _listening(listener: subprocess.Popen[str]) -> None:
    assert listener.stdout is not None
    assert listener.stdout.readline().startswith("listening on")


def test_the_scenario_registers_again_and_prints_working_commands(
    world: EdgeWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scenario.main(["--state", str(world.state.path), "--wait", "10"]) == 0
    printed = capsys.readouterr().out
    assert "customer acme was already registered" in printed  # the world registered it already
    assert "switch s1 (" in printed and "connected, pipeline edge" in printed
    assert "NOT programmed" not in printed

    # 1: the first listener/sender pair, exactly as printed.
    listen, send = _step(printed, "1. A device's UDP message")[:2]
    listener = _background(listen)
    try:
        _listening(listener)
        subprocess.run(shlex.split(send), check=True, capture_output=True, cwd=ROOT, timeout=30)
        out, _ = listener.communicate(timeout=40)
    finally:
        listener.kill()
    assert "from [2001:db8:a::1]" in out and "hello from h1" in out

    # 2: the group instruction reaches h1 and h2 (h3's listener gives up after its timeout).
    commands = _step(printed, "2. A group instruction")
    listeners = [_background(c) for c in commands if c.endswith(" &")]
    try:
        for listener in listeners:
            _listening(listener)
        curl = next(c for c in commands if c.startswith("curl"))
        receipt = subprocess.run(shlex.split(curl), check=True, capture_output=True, text=True, timeout=30)
        assert '"members":2' in receipt.stdout
        outputs = [listener.communicate(timeout=40)[0] for listener in listeners]
    finally:
        for listener in listeners:
            listener.kill()
    assert "lights off" in outputs[0] and "lights off" in outputs[1]
    assert "lights off" not in outputs[2] and "nothing more arrived" in outputs[2]
