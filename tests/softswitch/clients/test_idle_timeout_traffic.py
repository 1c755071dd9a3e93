"""Idle timeouts driven by real packets on veth.

    h1:eth0 --veth-- sw:p1 (port 1) [softswitch run] (port 2) sw:p2 --veth-- h2:eth0

Table ``hosts`` (keyed on the source MAC, ``support_timeout = true``) gets two entries with the
same idle timeout: one for h1, which keeps sending frames through the switch, and one for a host
that never sends. The quiet one is reported (IdleTimeoutNotification) and reported again after
each further timeout, while h1's never is as long as its traffic flows; once h1 stops, it is
reported too. The controller is the project's raw gRPC client, reaching the switch's namespace
through a TCP relay.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from finsy.proto import p4r
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

from softswitch.ports.rawsock import RawPort
from tests.softswitch.clients.l2_program import L2Build, push_pipeline
from tests.softswitch.clients.netns_switch import NamespaceRelay, needs_root, start_switch
from tests.softswitch.p4runtime.p4rt_harness import Client, Stream, exact, insert
from tests.softswitch.ports.switch_rig import receive
from topo.netns import Endpoint, Topology

pytestmark = needs_root

H1 = "02:00:00:00:0a:01"
H2 = "02:00:00:00:0a:02"
QUIET = "02:00:00:00:0a:99"
TTL_NS = 1_500_000_000
SEND_EVERY_S = 0.02
#: Generous bound for one notification: the timeout plus the switch's sweep period, many times over.
NOTICE_WAIT_S = 20.0
MARK = b"idle-timeout traffic"


def mac(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def frame(seq: int) -> bytes:
    packet = (
        Ether(dst=H2, src=H1)
        / IP(src="10.0.0.1", dst="10.0.0.2")
        / UDP(sport=4000, dport=5000)
        / Raw(MARK + seq.to_bytes(4, "big"))
    )
    return bytes(packet)


class Sender:
    """Sends a frame from h1 every :data:`SEND_EVERY_S` seconds until stopped."""

    def __init__(self, port: RawPort) -> None:
        self.port = port
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="h1-sender", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(SEND_EVERY_S):
            if self.port.send(frame(self.sent)):
                self.sent += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def hosts_entry(client: Client, src: str) -> p4r.TableEntry:
    entry = p4r.TableEntry(table_id=client.table_id("hosts"), idle_timeout_ns=TTL_NS)
    entry.match.append(exact(1, mac(src)))
    entry.action.action.action_id = client.action_id("NoAction")
    return entry


def l2_forward(client: Client, dst: str, port: int) -> p4r.TableEntry:
    entry = p4r.TableEntry(table_id=client.table_id("l2"))
    entry.match.append(exact(1, mac(dst)))
    entry.action.action.action_id = client.action_id("forward")
    entry.action.action.params.add(param_id=1, value=bytes([port]))
    return entry


def next_notice(stream: Stream) -> set[bytes]:
    """Source MACs in the next IdleTimeoutNotification."""
    notice = stream.next("idle_timeout_notification", timeout=NOTICE_WAIT_S).idle_timeout_notification
    return {entry.match[0].exact.value.rjust(6, b"\0") for entry in notice.table_entry}


@pytest.fixture
def topology() -> Iterator[Topology]:
    topo = Topology("idle")
    try:
        yield topo
    finally:
        topo.close()


def test_idle_timeouts_follow_real_traffic(topology: Topology, l2_build: L2Build, tmp_path: Path) -> None:
    h1, sw, h2 = topology.netns("h1"), topology.netns("sw"), topology.netns("h2")
    topology.veth(Endpoint(h1, "eth0"), Endpoint(sw, "p1"))
    topology.veth(Endpoint(h2, "eth0"), Endpoint(sw, "p2"))
    switch = start_switch(topology, sw, {1: "p1", 2: "p2"}, tmp_path / "softswitch.log")
    relay = NamespaceRelay(sw, switch.address)
    client = Client(relay.address)
    with h1.entered():
        host1 = RawPort("eth0")
    with h2.entered():
        host2 = RawPort("eth0")
    sender: Sender | None = None
    try:
        stream = client.become_primary(1)
        push_pipeline(client, l2_build)
        client.write(insert(table_entry=l2_forward(client, H2, 2)))

        # Traffic first, so that h1's entry sees packets from the moment it exists.
        sender = Sender(host1)
        assert receive(host2, 1, match=lambda data: MARK in data), "h1's frames do not reach h2"
        client.write(
            insert(table_entry=hosts_entry(client, H1)), insert(table_entry=hosts_entry(client, QUIET))
        )

        # The quiet entry is reported, then reported again a timeout later; h1's never is.
        for _ in range(2):
            reported = next_notice(stream)
            assert mac(H1) not in reported, "an entry that keeps seeing traffic was reported idle"
            assert reported == {mac(QUIET)}
        while host2.recv() is not None:  # what arrived so far; then fresh frames must still come
            pass
        assert len(receive(host2, 5, match=lambda data: MARK in data)) == 5, "h1's traffic stopped flowing"

        sender.stop()
        sent = sender.sent
        assert sent > 0
        deadline = time.monotonic() + NOTICE_WAIT_S
        while time.monotonic() < deadline:  # once h1 is quiet, it is reported as well
            if mac(H1) in next_notice(stream):
                break
        else:
            pytest.fail("h1's entry was not reported after its traffic stopped")
        assert switch.alive(), switch.log()
        assert "Traceback" not in switch.log(), switch.log()
    finally:
        if sender is not None:
            sender.stop()
        client.close()
        relay.close()
        host1.close()
        host2.close()
