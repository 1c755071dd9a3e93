"""Test harness: a real ``softswitch run`` process and a raw P4Runtime client over real gRPC.

The switch runs as ``python -m softswitch.run_command`` on a free port, so a crash shows up as a
dead process with its stderr. The client speaks P4Runtime with finsy's protobuf bindings only.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
from finsy.proto import p4i, p4r, p4r_grpc, rpc_status

REPO = Path(__file__).resolve().parents[3]
PROGRAMS = Path(__file__).resolve().parent / "programs"
CPU_PORT = 64
START_TIMEOUT_S = 120.0
WAIT_S = 10.0


class SwitchProcess:
    """``softswitch run`` in a subprocess; :attr:`address` is where its gRPC server listens."""

    def __init__(self, program: Path | None, *, device_id: int = 0, cpu_port: int | None = CPU_PORT) -> None:
        cmd = [sys.executable, "-m", "softswitch.run_command", "--grpc-addr", "127.0.0.1:0", "--log-level", "warning"]
        cmd += ["--device-id", str(device_id)]
        if cpu_port is not None:
            cmd += ["--cpu-port", str(cpu_port)]
        cmd += [str(program)] if program is not None else ["--no-p4"]
        env = dict(os.environ, PYTHONPATH=str(REPO))
        self.stderr_path = Path(f"/tmp/softswitch-test-{os.getpid()}-{id(self)}.log")
        self._stderr = self.stderr_path.open("wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr, env=env, cwd=REPO)
        self.address = self._wait_for_address()

    def _wait_for_address(self) -> str:
        assert self.proc.stdout is not None
        lines: queue.Queue[bytes] = queue.Queue()

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2).decode()
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"softswitch exited at start:\n{self.stderr()}") from None
                continue
            if "listening on" in line:
                return line.strip().rsplit(" ", 1)[1]
        raise RuntimeError(f"softswitch did not start in time:\n{self.stderr()}")

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()
        code = self.proc.returncode
        self.stderr_path.unlink(missing_ok=True)
        return int(code)


def eid(value: int) -> p4r.Uint128:
    return p4r.Uint128(high=value >> 64, low=value & 0xFFFFFFFFFFFFFFFF)


class Stream:
    """One StreamChannel: requests go in through a queue, responses are collected by a thread."""

    def __init__(self, stub: p4r_grpc.P4RuntimeStub) -> None:
        self._requests: queue.Queue[p4r.StreamMessageRequest | None] = queue.Queue()
        self.responses: queue.Queue[p4r.StreamMessageResponse] = queue.Queue()
        self.error: grpc.RpcError | None = None
        self.done = threading.Event()
        self._call = stub.StreamChannel(self._iter())
        threading.Thread(target=self._read, daemon=True).start()

    def _iter(self) -> Iterator[p4r.StreamMessageRequest]:
        while True:
            item = self._requests.get()
            if item is None:
                return
            yield item

    def _read(self) -> None:
        try:
            for response in self._call:
                self.responses.put(response)
        except grpc.RpcError as err:
            self.error = err
        finally:
            self.done.set()

    def send(self, request: p4r.StreamMessageRequest) -> None:
        self._requests.put(request)

    def arbitrate(self, election_id: int, device_id: int = 0) -> None:
        request = p4r.StreamMessageRequest()
        request.arbitration.device_id = device_id
        request.arbitration.election_id.CopyFrom(eid(election_id))
        self.send(request)

    def next(self, kind: str | None = None, timeout: float = WAIT_S) -> p4r.StreamMessageResponse:
        """The next response (of ``kind`` if given: other kinds are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {kind or 'stream'} message within {timeout} s")
            try:
                response = self.responses.get(timeout=remaining)
            except queue.Empty:
                continue
            if kind is None or response.WhichOneof("update") == kind:
                return response

    def nothing(self, kind: str, within: float = 0.3) -> bool:
        """True if no message of ``kind`` arrives within ``within`` seconds."""
        try:
            self.next(kind, within)
        except TimeoutError:
            return True
        return False

    def close(self) -> None:
        self._requests.put(None)
        self.done.wait(timeout=WAIT_S)

    def cancel(self) -> None:
        self._call.cancel()


class Client:
    """A raw P4Runtime client for one switch."""

    def __init__(self, address: str, device_id: int = 0) -> None:
        self.address = address
        self.channel = grpc.insecure_channel(
            address, options=[("grpc.max_receive_message_length", 64 * 1024 * 1024)]
        )
        self.stub = p4r_grpc.P4RuntimeStub(self.channel)
        self.device_id = device_id
        self.election_id: int | None = None
        self.streams: list[Stream] = []
        self._p4info: p4i.P4Info | None = None

    def close(self) -> None:
        for stream in self.streams:
            stream.cancel()
        self.channel.close()

    def stream(self) -> Stream:
        stream = Stream(self.stub)
        self.streams.append(stream)
        return stream

    def become_primary(self, election_id: int = 10) -> Stream:
        stream = self.stream()
        stream.arbitrate(election_id, self.device_id)
        response = stream.next("arbitration")
        assert response.arbitration.status.code == 0, response
        self.election_id = election_id
        return stream

    # ----------------------------------------------------------------------------- P4Info

    @property
    def p4info(self) -> p4i.P4Info:
        if self._p4info is None:
            request = p4r.GetForwardingPipelineConfigRequest(
                device_id=self.device_id, response_type=p4r.GetForwardingPipelineConfigRequest.P4INFO_AND_COOKIE
            )
            self._p4info = self.stub.GetForwardingPipelineConfig(request).config.p4info
        return self._p4info

    def _find(self, items: Any, name: str) -> Any:
        for item in items:
            if item.preamble.name == name or item.preamble.alias == name:
                return item
        raise KeyError(name)

    def table_id(self, name: str) -> int:
        return int(self._find(self.p4info.tables, name).preamble.id)

    def action_id(self, name: str) -> int:
        return int(self._find(self.p4info.actions, name).preamble.id)

    def id_of(self, kind: str, name: str) -> int:
        return int(self._find(getattr(self.p4info, kind), name).preamble.id)

    # ----------------------------------------------------------------------------- writes

    def write_request(self, updates: list[p4r.Update], election_id: int | None = -1) -> p4r.WriteRequest:
        request = p4r.WriteRequest(device_id=self.device_id, updates=updates)
        chosen = self.election_id if election_id == -1 else election_id
        if chosen is not None:
            request.election_id.CopyFrom(eid(chosen))
        return request

    def write(self, *updates: p4r.Update, election_id: int | None = -1) -> None:
        self.stub.Write(self.write_request(list(updates), election_id))

    def read(self, *entities: p4r.Entity) -> list[p4r.Entity]:
        request = p4r.ReadRequest(device_id=self.device_id, entities=list(entities))
        out: list[p4r.Entity] = []
        for response in self.stub.Read(request):
            out.extend(response.entities)
        return out


def update(kind: Any, **entity: Any) -> p4r.Update:
    return p4r.Update(type=kind, entity=p4r.Entity(**entity))


def insert(**entity: Any) -> p4r.Update:
    return update(p4r.Update.INSERT, **entity)


def modify(**entity: Any) -> p4r.Update:
    return update(p4r.Update.MODIFY, **entity)


def delete(**entity: Any) -> p4r.Update:
    return update(p4r.Update.DELETE, **entity)


def exact(field_id: int, value: bytes) -> p4r.FieldMatch:
    return p4r.FieldMatch(field_id=field_id, exact=p4r.FieldMatch.Exact(value=value))


def action(action_id: int, *params: bytes) -> p4r.TableAction:
    return p4r.TableAction(
        action=p4r.Action(
            action_id=action_id, params=[p4r.Action.Param(param_id=i, value=v) for i, v in enumerate(params, 1)]
        )
    )


def per_update_errors(err: grpc.RpcError) -> tuple[int, list[p4r.Error]]:
    """(status code number, decoded p4.v1.Error list) of a failed Write."""
    details = b""
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            details = value
    status = rpc_status.Status.FromString(details)
    errors = []
    for item in status.details:
        error = p4r.Error()
        assert item.Unpack(error)
        errors.append(error)
    return int(status.code), errors


def code_of(err: grpc.RpcError) -> grpc.StatusCode:
    code: grpc.StatusCode = err.code()
    return code


def wait_until(predicate: Callable[[], bool], timeout: float = WAIT_S, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise TimeoutError(f"{what} not reached within {timeout} s")
