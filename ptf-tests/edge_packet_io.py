"""Controller packet I/O: PacketOut replay, packet_out misuse, and traffic held for a sleeping device
(p4src/README.md 3.6, 3.7, 4.2)."""

from __future__ import annotations

from edge_flows import as_delivered, as_forwarded_up, downstream_flow, upstream_flow
from edge_packets import BROADCAST, build, ethernet
from edge_ptf import EdgeTest
from edge_world import (
    ACCESS,
    ACME,
    BAD_PACKET_OUT,
    CPU_PORT,
    DEV_A,
    DEV_B,
    DEV_C,
    PORT_MAC,
    PUNT_DEVICE_ASLEEP,
    UPLINK,
    down_entry,
)


class PacketOutReplay(EdgeTest):
    """A PacketOut leaves by the port it names exactly as given (untagged and tagged frames, as the
    endpoint would have sent them to the device), and nothing is counted as dropped."""

    def runTest(self) -> None:
        before = self.drops()
        for device in (DEV_A, DEV_B, DEV_C):
            stored = build(as_delivered(downstream_flow(device, note="stored event"), device, dst_mac=device.mac))
            self.stream.packet_out(stored, egress_port=device.port)
            self.expect(stored, device.port)
        upward = build(as_forwarded_up(upstream_flow(DEV_A, note="as if from A"), DEV_A))
        self.stream.packet_out(upward, egress_port=UPLINK)
        self.expect(upward, UPLINK)
        self.proof()
        self.assert_dropped(before, {})


class PacketOutMisuse(EdgeTest):
    """A PacketOut naming the CPU port, and a frame carrying the packet_out mark (bytes 12-13 zero)
    on a data port, are dropped as BAD_PACKET_OUT."""

    def runTest(self) -> None:
        before = self.drops()
        frame = build(as_delivered(downstream_flow(DEV_A), DEV_A, dst_mac=DEV_A.mac))
        self.stream.packet_out(frame, egress_port=CPU_PORT)
        # a packet_out header (egress port 2, reserved zero) in front of a frame, from data ports
        header = (DEV_B.port << 103).to_bytes(14, "big")
        self.send(ACCESS, header + frame)
        self.send(UPLINK, header + frame)
        self.send(ACCESS, ethernet(DEV_A.mac, PORT_MAC[ACCESS], 0x0000, b"\x00" * 46))
        self.proof()
        self.assert_dropped(before, {BAD_PACKET_OUT: 4})


class HeldTrafficPacketIn(EdgeTest):
    """With device_down set to hold_for_device_*, traffic for the device arrives as packet-ins
    (reason 2, ingress port = the uplink), already as the device would receive it (VLAN, MACs,
    anycast source); PacketOut replays it byte for byte; to_device restores delivery."""

    def runTest(self) -> None:
        a = DEV_A
        to_anycast = upstream_flow(a, dst=ACME.anycast_v6, note="uses anycast")
        self.send(a.port, to_anycast)
        self.expect(as_forwarded_up(to_anycast, a, dst=a.endpoint), UPLINK)

        self.rt.modify(down_entry(a, hold=True), down_entry(DEV_C, hold=True))
        held = []
        for device, changes in ((a, {"src": ACME.anycast_v6}), (DEV_C, {})):
            flow = downstream_flow(device, note="while asleep")
            self.send(UPLINK, flow)
            frame = build(as_delivered(flow, device, dst_mac=a.mac if device is a else BROADCAST, **changes))
            self.expect_packet_in(frame, UPLINK, PUNT_DEVICE_ASLEEP)
            held.append((device, frame))
        self.proof()

        for device, frame in held:
            self.stream.packet_out(frame, egress_port=device.port)
            self.expect(frame, device.port)
        self.rt.modify(down_entry(a))
        awake = downstream_flow(a, note="awake")
        self.send(UPLINK, awake)
        self.expect(as_delivered(awake, a, dst_mac=a.mac, src=ACME.anycast_v6), a.port)
        self.proof()
        self.packet_in_proof()
