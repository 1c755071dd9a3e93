"""Port roles and the CPU port (p4src/README.md 2.1 ``port_role`` and ``cpu_port``, 3.6)."""

from __future__ import annotations

from edge_flows import as_delivered, as_forwarded_up, downstream_flow, upstream_flow
from edge_packets import BROADCAST, build, neighbour_solicitation, router_solicitation
from edge_ptf import EdgeTest
from edge_world import (
    ACCESS,
    BAD_PACKET_OUT,
    DEV_A,
    DEV_B,
    GATEWAY_V6,
    NO_CPU_PORT,
    NO_ROLE,
    NO_ROLE_DROP,
    PORT_MAC,
    PUNT_DEVICE_ASLEEP,
    PUNT_ROUTER_SOLICIT,
    UNKNOWN_DEVICE,
    UPLINK,
    cpu_port_default,
    down_entry,
    port_role,
)


class PortWithoutRoleDrops(EdgeTest):
    """Everything from a port without a port_role entry is dropped as NO_ROLE: a registered
    device's datagram, a solicitation for a fronted address, a router solicitation."""

    def runTest(self) -> None:
        before = self.drops()
        self.send(NO_ROLE, upstream_flow(DEV_A, dst_mac=PORT_MAC[ACCESS]))
        self.send(NO_ROLE, neighbour_solicitation(DEV_A.mac, "fe80::a", GATEWAY_V6))
        self.send(NO_ROLE, router_solicitation(DEV_A.mac, "fe80::a"))
        self.send(NO_ROLE, downstream_flow(DEV_A))
        self.proof()
        self.packet_in_proof()
        self.digest_proof()
        self.assert_dropped(before, {NO_ROLE_DROP: 4, UNKNOWN_DEVICE: 1})


class RoleRemoved(EdgeTest):
    """Deleting an access port's role stops its devices at once (NO_ROLE); the others still pass."""

    def runTest(self) -> None:
        flow = upstream_flow(DEV_A, note="before")
        self.send(ACCESS, flow)
        self.expect(as_forwarded_up(flow, DEV_A), UPLINK)
        self.rt.delete(port_role(ACCESS, "access"))
        before = self.drops()
        self.send(ACCESS, upstream_flow(DEV_A, note="after"))
        self.proof(via=DEV_B)
        self.assert_dropped(before, {NO_ROLE_DROP: 1})


class NoCpuPort(EdgeTest):
    """Until cpu_port is set: a router solicitation and traffic held for a sleeping device are
    dropped (NO_CPU_PORT) with no packet-in, and a PacketOut is refused (BAD_PACKET_OUT); an unknown
    sender's access request still arrives (digests do not use the CPU port). Once it is set, both
    reach the controller and PacketOut works."""

    with_cpu_port = False

    def runTest(self) -> None:
        self.rt.modify(down_entry(DEV_A, hold=True))
        before = self.drops()
        self.send(ACCESS, router_solicitation(DEV_A.mac, "fe80::a"))
        self.send(UPLINK, downstream_flow(DEV_A, note="held?"))
        stored = build(as_delivered(downstream_flow(DEV_B, note="replay?"), DEV_B, dst_mac=BROADCAST))
        self.stream.packet_out(stored, egress_port=DEV_B.port)
        self.proof()
        self.digest_proof()
        self.assert_dropped(before, {NO_CPU_PORT: 2, BAD_PACKET_OUT: 1, UNKNOWN_DEVICE: 1})

        self.rt.set_default(*cpu_port_default())
        rs = router_solicitation(DEV_A.mac, "fe80::a", note=b"second")
        self.send(ACCESS, rs)
        self.expect_packet_in(rs, ACCESS, PUNT_ROUTER_SOLICIT)  # the first packet-in of the test
        flow = downstream_flow(DEV_A, note="held")
        self.send(UPLINK, flow)
        self.expect_packet_in(build(as_delivered(flow, DEV_A, dst_mac=BROADCAST)), UPLINK, PUNT_DEVICE_ASLEEP)
        self.stream.packet_out(stored, egress_port=DEV_B.port)
        self.expect(stored, DEV_B.port)
        self.proof()
