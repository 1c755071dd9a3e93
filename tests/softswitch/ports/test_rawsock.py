"""Real frames through veth pairs and AF_PACKET ports: VLAN tags, own-output copies, errors.

Each test builds h1 <-> sw <-> h2 in fresh namespaces (see conftest.py) and runs the data plane with
a fixed port-1 <-> port-2 forwarder, so what is checked here is the socket layer itself.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Dot1AD, Dot1Q, Ether
from scapy.packet import Packet, Raw

from softswitch.dataplane import Dataplane, PortMapProcessor
from softswitch.ports.pcap import read_pcap
from softswitch.ports.rawsock import PortError, RawPort
from tests.softswitch.ports.switch_rig import SwitchRig, build_rig, needs_root, receive, wait_until
from topo.netns import Endpoint, Topology

pytestmark = needs_root

H1_MAC = "02:00:00:00:01:01"
H2_MAC = "02:00:00:00:02:02"
MARK = b"softswitch-port-test"


def udp(payload: bytes, *tags: Packet, src: str = H1_MAC, dst: str = H2_MAC, sport: int = 4000) -> bytes:
    """An Ethernet/[tags]/IPv4/UDP frame whose payload starts with MARK (so stray frames are ignored)."""
    frame: Packet = Ether(src=src, dst=dst)
    for tag in tags:
        frame = frame / tag
    frame = frame / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=sport, dport=5000) / Raw(MARK + payload)
    return bytes(frame)


def marked(frame: bytes) -> bool:
    return MARK in frame


def test_frames_cross_the_switch_unchanged_both_ways(rig: SwitchRig) -> None:
    _dataplane, recorder = rig.start_switch()
    forward = [udp(b"a%d" % i) for i in range(3)]
    backward = [udp(b"b%d" % i, src=H2_MAC, dst=H1_MAC) for i in range(3)]
    for frame in forward:
        assert rig.host1.send(frame)
    assert receive(rig.host2, 3, match=marked) == forward
    for frame in backward:
        assert rig.host2.send(frame)
    assert receive(rig.host1, 3, match=marked) == backward
    assert [(p, f) for p, f in recorder.seen if marked(f)] == [(1, f) for f in forward] + [
        (2, f) for f in backward
    ]


@pytest.mark.parametrize(
    "tags",
    [
        pytest.param((Dot1Q(vlan=100, prio=5),), id="802.1Q"),
        pytest.param((Dot1Q(vlan=0, prio=3),), id="priority-tag-vid-0"),
        pytest.param((Dot1Q(vlan=4094, dei=1),), id="dei-set"),
        pytest.param((Dot1AD(vlan=200), Dot1Q(vlan=300)), id="802.1ad-QinQ"),
        pytest.param((Dot1Q(vlan=10), Dot1Q(vlan=20)), id="double-8100"),
    ],
)
def test_vlan_tags_reach_the_processor_and_the_wire(rig: SwitchRig, tags: tuple[Packet, ...]) -> None:
    """The kernel strips the outer tag on receive; the port must put it back, byte for byte."""
    dataplane, recorder = rig.start_switch()
    frame = udp(b"tagged", *tags)
    assert frame[12:14] in (b"\x81\x00", b"\x88\xa8")
    assert rig.host1.send(frame)
    assert receive(rig.host2, 1, match=marked) == [frame]
    assert [(p, f) for p, f in recorder.seen if marked(f)] == [(1, frame)]
    assert dataplane.ports[1].counters.rx_vlan_restored >= 1


@pytest.mark.parametrize("ignore_outgoing_sockopt", [True, False], ids=["sockopt", "pkttype-only"])
def test_frames_sent_on_a_switch_port_are_not_processed(
    rig: SwitchRig, ignore_outgoing_sockopt: bool
) -> None:
    """Frames leaving a switch interface (PACKET_OUTGOING) never reach the processor.

    The kernel never loops a socket's own sends back to it, but every other sender on the interface
    (the switch namespace's IP stack, a capture tool, a second socket) is seen as outgoing: a second
    socket on p2 plays that part here. A frame from h2 sent after h2 has received everything works
    as a barrier: port 2's socket queue is in order, so when it comes out at h1 any outgoing copy on
    port 2 would already have been processed.
    """
    dataplane, recorder = rig.start_switch(ignore_outgoing_sockopt=ignore_outgoing_sockopt)
    forwarded = [udp(b"n%d" % i) for i in range(10)]
    local = [udp(b"local%d" % i, src="02:00:00:00:00:99") for i in range(5)]
    with rig.sw.entered():
        other_sender = RawPort("p2")
    try:
        for frame in forwarded:
            assert rig.host1.send(frame)
        for frame in local:
            assert other_sender.send(frame)
        assert sorted(receive(rig.host2, 15, match=marked)) == sorted(forwarded + local)
    finally:
        other_sender.close()
    barrier = udp(b"barrier", src=H2_MAC, dst=H1_MAC)
    assert rig.host2.send(barrier)
    assert receive(rig.host1, 1, match=marked) == [barrier]
    assert [(p, f) for p, f in recorder.seen if marked(f)] == [(1, f) for f in forwarded] + [(2, barrier)]
    counters = dataplane.ports[2].counters
    assert counters.rx_frames == 1
    if ignore_outgoing_sockopt:
        assert dataplane.ports[2].kernel_ignores_outgoing
    else:
        assert counters.rx_outgoing_skipped == len(local)


def test_a_port_without_the_sockopt_skips_outgoing_frames(rig: SwitchRig) -> None:
    """Without PACKET_IGNORE_OUTGOING, the sll_pkttype check alone drops what others send."""
    with rig.h1.entered():
        plain = RawPort("eth0", ignore_outgoing_sockopt=False)
    try:
        assert not plain.kernel_ignores_outgoing
        assert rig.host1.send(udp(b"self"))
        assert wait_until(lambda: plain.recv() is None and plain.counters.rx_outgoing_skipped == 1)
        assert plain.counters.rx_frames == 0
    finally:
        plain.close()


def _kernel_udp(rig: SwitchRig, payload: bytes) -> None:
    """Send one UDP datagram from h1's own IP stack (not a raw socket) towards h2."""
    rig.h1.add_address("eth0", "10.0.0.1/24")
    rig.h1.add_neighbour("10.0.0.2", H2_MAC, "eth0")
    with rig.h1.entered():
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sender.sendto(MARK + payload, ("10.0.0.2", 5000))
    finally:
        sender.close()


def _udp_checksum_ok(frame: bytes) -> bool:
    packet = Ether(frame)
    sent = packet[UDP].chksum
    del packet[UDP].chksum
    return bool(Ether(bytes(packet))[UDP].chksum == sent)


def test_hosts_with_tx_offload_off_send_finished_checksums(rig: SwitchRig) -> None:
    dataplane, recorder = rig.start_switch()
    _kernel_udp(rig, b"checksum")
    (frame,) = receive(rig.host2, 1, match=marked)
    assert _udp_checksum_ok(frame)
    assert dataplane.ports[1].counters.rx_csum_not_ready == 0
    assert [f for _p, f in recorder.seen if marked(f)] == [frame]


def test_tx_offload_left_on_is_detected(topology: Topology, caplog: pytest.LogCaptureFixture) -> None:
    """The trap itself: with offload on, the frame reaches the switch with its checksum unfinished."""
    rig = build_rig(topology, host1_tx_offload_off=False)
    try:
        dataplane, _recorder = rig.start_switch()
        _kernel_udp(rig, b"offload")
        (frame,) = receive(rig.host2, 1, match=marked)
        assert not _udp_checksum_ok(frame)
        assert dataplane.ports[1].counters.rx_csum_not_ready == 1
        assert wait_until(lambda: "ethtool -K IFNAME tx off" in caplog.text)
    finally:
        rig.stop_switches()
        rig.host1.close()
        rig.host2.close()


def test_pcap_files_per_port_and_direction(rig: SwitchRig, tmp_path: Path) -> None:
    pcap_dir = tmp_path / "pcaps"
    rig.start_switch(pcap_dir=pcap_dir)
    forward = [udp(b"f%d" % i) for i in range(3)]
    backward = [udp(b"r0", Dot1Q(vlan=7), src=H2_MAC, dst=H1_MAC)]
    for frame in forward:
        assert rig.host1.send(frame)
    assert receive(rig.host2, 3, match=marked) == forward
    for frame in backward:
        assert rig.host2.send(frame)
    assert receive(rig.host1, 1, match=marked) == backward

    def frames(name: str) -> list[bytes]:
        return [r.data for r in read_pcap(pcap_dir / name) if marked(r.data)]

    # Read while the switch still runs: every record is flushed as it is written.
    expected = {
        "p1_in.pcap": forward,
        "p2_out.pcap": forward,
        "p2_in.pcap": backward,
        "p1_out.pcap": backward,
    }
    assert wait_until(lambda: all(frames(name) == want for name, want in expected.items()))
    assert sorted(p.name for p in pcap_dir.iterdir()) == sorted(expected)


def test_drops_are_counted(rig: SwitchRig) -> None:
    """Port 1 goes to port 9 (no interface); port 2's frames are dropped by the pipeline."""
    dataplane, _recorder = rig.start_switch(PortMapProcessor({1: 9}))
    assert rig.host1.send(udp(b"to-nowhere"))
    assert rig.host2.send(udp(b"dropped", src=H2_MAC, dst=H1_MAC))
    assert wait_until(
        lambda: dataplane.counters.no_port_drops >= 1 and dataplane.counters.pipeline_drops >= 1
    )
    assert dataplane.counters.tx_frames == 0


def test_unknown_interface_is_a_clear_error(topology: Topology) -> None:
    sw = topology.netns("sw")
    with sw.entered(), pytest.raises(PortError) as info:
        RawPort("nosuch0")
    assert str(info.value) == "no network interface named 'nosuch0'"


def test_a_failed_open_leaves_nothing_open(topology: Topology) -> None:
    sw = topology.netns("sw")
    topology.veth(Endpoint(sw, "p1"), Endpoint(sw, "q1"))
    before = len(os.listdir("/proc/self/fd"))
    with sw.entered(), pytest.raises(PortError, match="nosuch0"):
        Dataplane(PortMapProcessor({}), {1: "p1", 2: "nosuch0"})
    assert len(os.listdir("/proc/self/fd")) == before


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux) to drop CAP_NET_RAW")
def test_missing_cap_net_raw_is_one_clear_line(tmp_path: Path) -> None:
    code = (
        "from softswitch.ports.rawsock import PortError, RawPort\n"
        "try:\n"
        "    RawPort('veth1')\n"
        "except PortError as err:\n"
        "    print(f'softswitch: {err}')\n"
    )
    done = subprocess.run(
        ["setpriv", "--inh-caps=-net_raw", "--bounding-set=-net_raw", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
        timeout=60,
        check=False,
    )
    assert done.stdout == "softswitch: opening raw socket on veth1 needs root (CAP_NET_RAW)\n", done.stderr
