"""The data-plane loop without interfaces: control-plane calls, injected packets, sinks, shutdown.

No root needed: a data plane with no ports still runs its loop and its call queue.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future

import pytest

from softswitch.dataplane import Dataplane, PortMapProcessor, run_dataplane
from softswitch.ports.rawsock import PortError

CPU_PORT = 64


class EchoToCpu:
    """Sends every packet to the CPU port with its ingress port prepended; raises on b'boom'."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def process(self, port: int, data: bytes) -> list[tuple[int, bytes]]:
        if data == b"boom":
            raise ValueError("engine bug")
        if data == b"drop":
            return []
        if data == b"nowhere":
            return [(7, data)]
        self.log.append(f"packet {data!r}")
        return [(CPU_PORT, bytes([port]) + data)]


@pytest.fixture
def running() -> Iterator[tuple[Dataplane, EchoToCpu, list[bytes]]]:
    processor = EchoToCpu()
    punted: list[bytes] = []
    dataplane = Dataplane(processor, {}, sinks={CPU_PORT: punted.append})
    stop = threading.Event()
    thread = threading.Thread(target=dataplane.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield dataplane, processor, punted
    finally:
        stop.set()
        dataplane.wake()
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_calls_run_in_order_on_the_dataplane_thread(
    running: tuple[Dataplane, EchoToCpu, list[bytes]],
) -> None:
    dataplane, processor, punted = running
    threads: list[str] = []

    def note(text: str) -> str:
        threads.append(threading.current_thread().name)
        processor.log.append(text)
        return text.upper()

    first = dataplane.submit(lambda: note("write 1"))
    injected = dataplane.inject(3, b"pkt")
    second = dataplane.submit(lambda: note("write 2"))
    assert second.result(timeout=10) == "WRITE 2"
    assert first.result(timeout=10) == "WRITE 1"
    assert injected.result(timeout=10) is None
    assert processor.log == ["write 1", "packet b'pkt'", "write 2"]
    assert punted == [b"\x03pkt"]
    assert threading.current_thread().name not in threads
    assert dataplane.counters.injected_frames == 1
    assert dataplane.counters.sunk_frames == 1
    assert dataplane.counters.control_calls == 3


def test_a_failing_call_reports_through_its_future(running: tuple[Dataplane, EchoToCpu, list[bytes]]) -> None:
    dataplane, _processor, _punted = running

    def fail() -> None:
        raise KeyError("no such table")

    with pytest.raises(KeyError, match="no such table"):
        dataplane.submit(fail).result(timeout=10)
    assert dataplane.submit(lambda: 42).result(timeout=10) == 42


def test_drops_and_processor_errors_are_counted(running: tuple[Dataplane, EchoToCpu, list[bytes]]) -> None:
    dataplane, _processor, punted = running
    for frame in (b"boom", b"drop", b"nowhere", b"ok"):
        dataplane.inject(1, frame).result(timeout=10)
    counters = dataplane.counters
    assert (counters.processor_errors, counters.pipeline_drops, counters.no_port_drops) == (1, 1, 1)
    assert punted == [b"\x01ok"]


def test_closing_fails_pending_and_later_calls() -> None:
    dataplane = Dataplane(PortMapProcessor({}), {})
    pending: Future[int] = dataplane.submit(lambda: 1)
    dataplane.close()
    with pytest.raises(RuntimeError, match="data plane closed"):
        pending.result(timeout=10)
    with pytest.raises(RuntimeError, match="data plane is closed"):
        dataplane.submit(lambda: 2).result(timeout=10)
    dataplane.wake()  # harmless after close
    dataplane.close()  # and so is a second close


def test_run_dataplane_returns_when_stop_is_set() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=run_dataplane, args=(PortMapProcessor({}), {}, None, stop), daemon=True)
    thread.start()
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_port_map_processor() -> None:
    forward = PortMapProcessor.pairs((1, 2), (3, 4))
    assert forward.process(1, b"x") == [(2, b"x")]
    assert forward.process(4, b"y") == [(3, b"y")]
    assert forward.process(5, b"z") == []


def test_an_interface_attached_twice_is_refused() -> None:
    with pytest.raises(PortError, match="interface veth1 is attached twice"):
        Dataplane(PortMapProcessor({}), {1: "veth1", 2: "veth1"})
