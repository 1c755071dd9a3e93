"""Long-running processes of a topology (switches, controller, VLAN shims) and the state file.

A :class:`RunState` is the JSON file under ``build/run/`` that says what a running topology owns:
its namespaces, the interfaces it made in the runner's namespace, and its processes. It is saved
after every step, so ``down`` can remove what a failed or killed ``up`` left behind.

A process is recorded with its PID *and* its start time (``/proc/PID/stat`` field 22), and is
signalled only while both still match, so a PID reused by the system is never touched.
Processes start in their own session (they outlive the runner) with output to a log file.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from topo.netns import TopoError, run_command

STATE_VERSION: Final = 1
READY_TIMEOUT_S: Final = 60.0
STOP_GRACE_S: Final = 5.0
_POLL_S: Final = 0.05

#: Popen objects of the processes this Python process started, so that they can be reaped.
_children: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(slots=True, kw_only=True)
class ProcessRecord:
    name: str  # "s1", "controller", "vlan-h4"
    kind: str  # "switch", "controller" or "vlan"
    argv: list[str]
    log: str
    netns: str | None = None  # run inside this namespace
    ready: str | None = None  # "tcp:HOST:PORT", "http:URL" or "carrier:NETNS:IFNAME"
    pid: int = 0  # 0: not running
    start_ticks: int = 0


@dataclass(slots=True, kw_only=True)
class SwitchInfo:
    grpc_addr: str
    device_id: int
    target: str
    cpu_port: int | None
    ports: dict[int, str]  # port number -> interface


@dataclass(slots=True, kw_only=True)
class RunState:
    path: Path
    name: str
    topology: str
    namespaces: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # interfaces made in the runner's namespace
    processes: dict[str, ProcessRecord] = field(default_factory=dict)
    switches: dict[str, SwitchInfo] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=dict)  # host -> its namespace
    controller_url: str | None = None
    controller_config: str | None = None

    def save(self) -> None:
        data = asdict(self)
        data["path"] = str(self.path)
        data["version"] = STATE_VERSION
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        temporary.replace(self.path)

    @classmethod
    def load(cls, path: Path) -> RunState:
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise TopoError(f"{path}: cannot read the state file: {e.strerror or e}") from None
        except ValueError:
            raise TopoError(f"{path}: the state file is not valid JSON; remove it by hand") from None
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise TopoError(f"{path}: not a state file of this runner (version {STATE_VERSION})")
        try:
            return cls(
                path=path,
                name=str(data["name"]),
                topology=str(data["topology"]),
                namespaces=[str(n) for n in data["namespaces"]],
                links=[str(n) for n in data["links"]],
                processes={k: ProcessRecord(**v) for k, v in data["processes"].items()},
                switches={
                    k: SwitchInfo(**{**v, "ports": {int(p): str(i) for p, i in v["ports"].items()}})
                    for k, v in data["switches"].items()
                },
                hosts={str(k): str(v) for k, v in data["hosts"].items()},
                controller_url=data["controller_url"],
                controller_config=data["controller_config"],
            )
        except (KeyError, TypeError, AttributeError, ValueError) as e:
            raise TopoError(f"{path}: the state file is damaged ({e}); remove it by hand") from None


# ---- process identity ------------------------------------------------------------------------


def start_ticks(pid: int) -> int | None:
    """The start time of ``pid`` in clock ticks since boot, or None if it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def _reap(pid: int) -> None:
    child = _children.get(pid)
    if child is not None:
        if child.poll() is not None:
            del _children[pid]
        return
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _threads_left(record: ProcessRecord) -> bool:
    """Whether a thread of the recorded process still runs (its main thread may have exited)."""
    if record.pid <= 0:
        return False
    _reap(record.pid)
    try:
        stat = Path(f"/proc/{record.pid}/stat").read_text()
        tasks = list(Path(f"/proc/{record.pid}/task").iterdir())
    except OSError:
        return False
    if int(stat[stat.rindex(")") + 2 :].split()[19]) != record.start_ticks:
        return False  # the PID now belongs to another process
    for task in tasks:
        try:
            task_stat = (task / "stat").read_text()
        except OSError:
            continue
        if task_stat[task_stat.rindex(")") + 2 :].split()[0] not in ("Z", "X"):
            return True
    return False


def is_running(record: ProcessRecord) -> bool:
    """Whether the recorded process is still the one we started and still running."""
    if record.pid <= 0:
        return False
    _reap(record.pid)
    return start_ticks(record.pid) == record.start_ticks


def log_tail(record: ProcessRecord, lines: int = 8) -> str:
    try:
        text = Path(record.log).read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return "\n".join(f"    {line}" for line in text[-lines:])


# ---- start, wait, stop -----------------------------------------------------------------------


def spawn(state: RunState, record: ProcessRecord) -> None:
    """Start ``record``'s command (inside its namespace, if any) and save it in the state."""
    argv = record.argv if record.netns is None else ["ip", "netns", "exec", record.netns, *record.argv]
    Path(record.log).parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(record.log, "ab") as log:
        log.write(f"---- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(argv)}\n".encode())
        log.flush()
        try:
            child = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
            )
        except OSError as e:
            raise TopoError(f"{record.name}: cannot start {argv[0]}: {e.strerror or e}") from None
    _children[child.pid] = child
    ticks = start_ticks(child.pid)
    record.pid = child.pid
    record.start_ticks = ticks if ticks is not None else -1
    state.processes[record.name] = record
    state.save()


def _ready_now(ready: str) -> bool:
    kind, _, where = ready.partition(":")
    if kind == "tcp":
        host, _, port = where.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=0.5):
                return True
        except OSError:
            return False
    if kind == "http":
        try:
            with urllib.request.urlopen(where, timeout=1.0) as answer:
                return int(answer.status) == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False
    if kind == "carrier":
        netns, _, ifname = where.partition(":")
        shown = run_command(["ip", "-n", netns, "link", "show", "dev", ifname], check=False)
        return "LOWER_UP" in shown
    raise TopoError(f"unknown readiness check {ready!r}")


def wait_ready(record: ProcessRecord, timeout: float = READY_TIMEOUT_S) -> None:
    """Poll until the process answers its readiness check; TopoError if it exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        if not is_running(record):
            tail = log_tail(record)
            raise TopoError(
                f"{record.name} exited during start-up (log {record.log})" + (f":\n{tail}" if tail else "")
            )
        if record.ready is None or _ready_now(record.ready):
            return
        if time.monotonic() > deadline:
            raise TopoError(
                f"{record.name} did not become ready ({record.ready}) in {timeout:g} s (log {record.log})"
            )
        time.sleep(_POLL_S)


def stop(record: ProcessRecord, grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM the recorded process, SIGKILL it after ``grace_s``; forget its PID.

    Returns once every thread of it is gone, not just its main thread: a multi-threaded process
    (BMv2) shows as a zombie while its other threads still hold its sockets, and a restart could
    not bind its ports yet."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not is_running(record) and not _threads_left(record):
            break
        with contextlib.suppress(ProcessLookupError):
            os.kill(record.pid, sig)
        deadline = time.monotonic() + grace_s
        while (is_running(record) or _threads_left(record)) and time.monotonic() < deadline:
            time.sleep(_POLL_S)
    record.pid = 0
    record.start_ticks = 0


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TopoError(f"{what}: not done after {timeout:g} s")
        time.sleep(_POLL_S)


def port_in_use(host: str, port: int) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
