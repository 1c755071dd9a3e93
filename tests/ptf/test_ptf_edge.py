"""``make test`` runs the edge.p4 PTF suite: ``ptf-tests/run_ptf.py`` against softswitch on veth pairs,
and unchanged against BMv2 (simple_switch_grpc, edge.p4 compiled by p4c-bm2-ss) where it is installed.

p4src/edge.p4 is compiled afresh with ``softswitch compile`` (so the suite always tests the current
source), then the runner creates its namespace and veth pairs, starts ``softswitch run``, runs
``ptf --test-dir ptf-tests`` and removes everything again. Needs root, ``ip`` and ``ethtool``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reference.bmv2 import compile_for_bmv2, needs_bmv2

REPO = Path(__file__).resolve().parents[2]
RUNNER = REPO / "ptf-tests" / "run_ptf.py"
RUN_TIMEOUT_S = 600.0


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root: creates a network namespace and veth pairs, and opens AF_PACKET sockets"
    missing = [tool for tool in ("ip", "ethtool") if shutil.which(tool) is None]
    if missing:
        return f"needs {' and '.join(missing)} (Debian packages iproute2 and ethtool)"
    return None


@pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))
def test_ptf_edge_on_softswitch(tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    compile_command = [sys.executable, "-m", "softswitch.cli", "compile", str(REPO / "p4src" / "edge.p4"),
                       "--p4info", str(build / "edge.p4info.txtpb"), "--config", str(build / "edge.bin")]
    run_suite("softswitch", compile_command, build, tmp_path / "logs")


@pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))
@needs_bmv2
def test_ptf_edge_on_bmv2(tmp_path: Path) -> None:
    """The same suite, unchanged, on the reference target, with edge.p4 compiled by real p4c."""
    build = tmp_path / "build"
    build.mkdir()
    compile_for_bmv2(REPO / "p4src" / "edge.p4", build / "edge.p4info.txtpb", build / "edge.json")
    run_suite("bmv2", None, build, tmp_path / "logs")


def run_suite(target: str, compile_command: list[str] | None, build: Path, logs: Path) -> None:
    if compile_command is not None:
        compiled = subprocess.run(
            compile_command, capture_output=True, text=True, cwd=REPO, timeout=RUN_TIMEOUT_S, check=False,
        )
        assert compiled.returncode == 0, compiled.stderr

    done = subprocess.run(
        [sys.executable, str(RUNNER), "--target", target, "--build-dir", str(build), "--log-dir", str(logs)],
        capture_output=True, text=True, cwd=REPO, timeout=RUN_TIMEOUT_S, check=False,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    report = f"run_ptf stdout:\n{done.stdout[-6000:]}\nrun_ptf stderr:\n{done.stderr[-12000:]}"
    assert done.returncode == 0, report
    results = re.findall(r"^(edge_\w+\.\w+) \.\.\. (\w+)", done.stderr, flags=re.MULTILINE)
    ran = re.search(r"^Ran (\d+) tests?", done.stderr, flags=re.MULTILINE)
    assert ran is not None, report
    assert len(results) == int(ran.group(1)) >= 50, report
    assert all(outcome == "ok" for _, outcome in results), report
    assert {name.split(".")[0] for name, _ in results} >= {
        "edge_ports", "edge_upstream", "edge_refused", "edge_housekeeping", "edge_downstream",
        "edge_multicast", "edge_packet_io", "edge_device_state", "edge_malformed",
    }, report
