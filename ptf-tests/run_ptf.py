"""Run the edge.p4 PTF tests against a switch on veth pairs inside a fresh network namespace.

    python ptf-tests/run_ptf.py [--target softswitch|bmv2] [--build-dir DIR] [--log-dir DIR] [--switch-debug]
                                [TEST ...]

Creates namespace ``edgeptf-<pid>-1-sw`` with veth pairs ``swN``-``ptfN`` for the ports of
:mod:`edge_world`, starts the switch on the ``swN`` ends (``softswitch run`` or
``simple_switch_grpc``, CPU port 64, gRPC on 127.0.0.1:9559 inside the namespace), runs
``ptf --test-dir ptf-tests --interface N@ptfN ...`` there with the pipeline files as test
parameters, then stops the switch and removes the namespace (also after a failure or Ctrl-C).
The exit status is PTF's, or 1 if the switch died or logged a traceback. Needs root.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from edge_world import CPU_PORT, DATA_PORTS  # noqa: E402

from topo.netns import Endpoint, Netns, TopoError, Topology, missing_tools, remove_stale  # noqa: E402

TOPOLOGY_PREFIX = "edgeptf"
GRPC_ADDR = "127.0.0.1:9559"
START_TIMEOUT_S = 120.0
PTF_TIMEOUT_S = 900.0
VETH_MTU = 9500


class RunError(Exception):
    """Why the run could not start; printed as one line."""


def switch_command(target: str, build: Path, venv_bin: Path, debug: bool) -> tuple[list[str], Path]:
    """The switch command line (ports added later) and the device config file for the target."""
    if target == "softswitch":
        return [str(venv_bin / "softswitch"), "run", "--no-p4", "--grpc-addr", GRPC_ADDR, "--cpu-port", str(CPU_PORT),
                "--log-level", "debug" if debug else "warning"], build / "edge.bin"
    missing = [tool for tool in ("p4c-bm2-ss", "simple_switch_grpc") if shutil.which(tool) is None]
    if missing:
        raise RunError(f"TARGET=bmv2 needs {' and '.join(missing)} on PATH (BMv2 and p4c cannot be installed "
                       "from the registries this machine reaches); use TARGET=softswitch")
    logging = ["--log-console", "--log-level", "debug"] if debug else ["--log-level", "warn"]
    return ["simple_switch_grpc", "--no-p4", *logging], build / "edge.json"


def wait_for_grpc(ns: Netns, process: subprocess.Popen[bytes], log: Path) -> None:
    host, port = GRPC_ADDR.rsplit(":", 1)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RunError(f"the switch exited at start (status {process.returncode}):\n{log.read_text(errors='replace')}")
        with ns.entered():
            probe = socket.socket()
        try:
            probe.settimeout(1.0)
            probe.connect((host, int(port)))
            return
        except OSError:
            time.sleep(0.1)
        finally:
            probe.close()
    raise RunError(f"the switch's gRPC server did not open {GRPC_ADDR} within {START_TIMEOUT_S:g} s")


def run(target: str, build: Path, log_dir: Path, tests: list[str], *, debug: bool = False) -> int:
    if os.geteuid() != 0:
        raise RunError("needs root: creates a network namespace and veth pairs, and opens AF_PACKET sockets")
    missing = missing_tools("ip", "ethtool")
    if missing:
        raise RunError(f"needs {' and '.join(missing)} on PATH (Debian packages iproute2 and ethtool)")
    venv_bin = Path(sys.executable).parent
    command, device_config = switch_command(target, build, venv_bin, debug)
    p4info = build / "edge.p4info.txtpb"
    for needed in (p4info, device_config):
        if not needed.is_file():
            raise RunError(f"{needed} is missing: run `make build TARGET={target}` first")
    log_dir.mkdir(parents=True, exist_ok=True)
    switch_log = log_dir / f"{target}.log"

    remove_stale(TOPOLOGY_PREFIX)  # what a killed run left behind
    with Topology(TOPOLOGY_PREFIX) as topo:
        ns = topo.netns("sw")
        for port in DATA_PORTS:
            topo.veth(Endpoint(ns, f"sw{port}"), Endpoint(ns, f"ptf{port}"), mtu=VETH_MTU)
        for port in DATA_PORTS:
            command += ["-i", f"{port}@sw{port}"]
        if target == "bmv2":
            command += ["--", "--grpc-server-addr", GRPC_ADDR, "--cpu-port", str(CPU_PORT)]
        env = dict(os.environ, PYTHONPATH=str(REPO))
        with switch_log.open("wb") as log:
            switch = topo.spawn(ns, command, stdout=log, stderr=subprocess.STDOUT, env=env)
        wait_for_grpc(ns, switch, switch_log)

        test_params = f"grpcaddr='{GRPC_ADDR}';p4info='{p4info.resolve()}';config='{device_config.resolve()}'"
        ptf_command = ["ip", "netns", "exec", ns.name, str(venv_bin / "ptf"), "--test-dir", str(HERE),
                       "--log-file", str(log_dir / "ptf.log"), "--test-params", test_params]
        for port in DATA_PORTS:
            ptf_command += ["--interface", f"{port}@ptf{port}"]
        ptf_command += tests
        try:
            status = subprocess.run(ptf_command, env=env, cwd=log_dir, timeout=PTF_TIMEOUT_S, check=False).returncode
        except subprocess.TimeoutExpired:
            print(f"run_ptf: ptf did not finish within {PTF_TIMEOUT_S:g} s", file=sys.stderr)
            status = 1

        died = switch.poll() is not None
        text = switch_log.read_text(errors="replace")
        if died or "Traceback" in text:
            print(f"run_ptf: the switch {'died' if died else 'logged a traceback'}; its log ({switch_log}):\n"
                  f"{text[-6000:]}", file=sys.stderr)
            status = status or 1
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--target", choices=("softswitch", "bmv2"), default="softswitch")
    parser.add_argument("--build-dir", type=Path, help="where edge.p4info.txtpb and edge.bin/.json are "
                        "(default build/TARGET)")
    parser.add_argument("--log-dir", type=Path, help="switch and PTF logs (default build/TARGET/ptf-logs)")
    parser.add_argument("--switch-debug", action="store_true", help="log every packet's path through the "
                        "switch (BMv2: --log-console -L debug) into the switch log")
    parser.add_argument("tests", nargs="*", help="PTF test specs (module or module.Test); default all")
    args = parser.parse_args(argv)
    build = args.build_dir or REPO / "build" / args.target
    log_dir = args.log_dir or REPO / "build" / args.target / "ptf-logs"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind, so the namespace is removed
    try:
        status = run(args.target, build.resolve(), log_dir.resolve(), args.tests, debug=args.switch_debug)
    except (RunError, TopoError) as err:
        print(f"run_ptf: {err}", file=sys.stderr)
        return 2
    print(f"run_ptf: logs in {log_dir}")
    return status


if __name__ == "__main__":
    sys.exit(main())
