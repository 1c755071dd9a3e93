"""The small world the edge.p4 packet tests run in: ports, customers, devices and their entries.

Everything here follows the controller contract in ``p4src/README.md``; the STF ``add`` lines are
what a controller would write over P4Runtime, in STF syntax.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

# ---- ports -------------------------------------------------------------------------------------

CPU_PORT = 64
ACCESS_UNTAGGED = 1  # devices without a VLAN tag
ACCESS_TAGGED = 2  # devices on VLANs 100 and 200
UPLINK = 3  # customer VLANs 1000 and 2000
ACCESS_OTHER = 4  # a second untagged access port
NO_ROLE_PORT = 9  # a port the controller never configured

PORT_MAC = {
    ACCESS_UNTAGGED: "02:ed:9e:00:00:01",
    ACCESS_TAGGED: "02:ed:9e:00:00:02",
    UPLINK: "02:ed:9e:00:00:03",
    ACCESS_OTHER: "02:ed:9e:00:00:04",
}

GATEWAY_V6 = "2001:db8:100::1"  # the devices' default router, fronted by the edge
GATEWAY_V4 = "192.168.20.1"

# ---- drop reasons and packet-in reasons (p4src/include/constants.p4) ------------------------------

DROP_NO_ROLE = 1
DROP_PARSER_ERROR = 2
DROP_BAD_CHECKSUM = 3
DROP_BAD_PACKET_OUT = 4
DROP_HOUSEKEEPING = 5
DROP_UNSUPPORTED = 6
DROP_UNKNOWN_DEVICE = 7
DROP_SPOOFED_SOURCE = 8
DROP_WRONG_VLAN = 9
DROP_DISALLOWED_DEST = 10
DROP_OVER_RATE = 11
DROP_NO_UPLINK = 12
DROP_UPLINK_VLAN = 13
DROP_NOT_FROM_ENDPOINT = 14
DROP_UNKNOWN_DEST = 15
DROP_CROSS_CUSTOMER = 16
DROP_UNKNOWN_GROUP = 17
DROP_NO_MEMBER = 18
DROP_NO_CPU_PORT = 19

PUNT_ROUTER_SOLICIT = 1
PUNT_DEVICE_ASLEEP = 2


@dataclass(frozen=True)
class Customer:
    cid: int
    vlan: int  # its VLAN on the uplink
    gateway_mac: str  # the VPC gateway
    anycast_v6: str  # "::" for none
    anycast_v4: str  # "0.0.0.0" for none
    sources_v6: tuple[str, ...]  # endpoint and allowed-peer prefixes (downstream sources)
    sources_v4: tuple[str, ...]
    allowed_v6: tuple[str, ...]  # allowed destination prefixes (upstream)
    allowed_v4: tuple[str, ...]


@dataclass(frozen=True)
class Device:
    name: str
    dev_id: int
    customer: Customer
    port: int
    vlan: int  # 0: untagged
    mac: str
    addr: str  # IPv6 or IPv4
    endpoint: str  # same family as addr

    @property
    def v6(self) -> bool:
        return ipaddress.ip_address(self.addr).version == 6


ACME = Customer(
    cid=10, vlan=1000, gateway_mac="02:00:00:00:10:01",
    anycast_v6="2001:db8:a::100", anycast_v4="0.0.0.0",
    sources_v6=("2001:db8:a::/64", "2001:db8:ff::/48"), sources_v4=(),
    allowed_v6=("2001:db8:ff::/48",), allowed_v4=(),
)
GLOBEX = Customer(
    cid=20, vlan=2000, gateway_mac="02:00:00:00:20:01",
    anycast_v6="::", anycast_v4="10.20.0.100",
    sources_v6=("2001:db8:b::/64",), sources_v4=("10.20.0.0/24",),
    allowed_v6=(), allowed_v4=("10.99.0.0/16",),
)
CUSTOMERS = (ACME, GLOBEX)

DEV_A = Device("A", 1, ACME, ACCESS_UNTAGGED, 0, "00:00:00:aa:00:01", "2001:db8:100::a", "2001:db8:a::a")
DEV_B = Device("B", 2, ACME, ACCESS_TAGGED, 100, "00:00:00:aa:00:02", "2001:db8:100::b", "2001:db8:a::b")
DEV_C = Device("C", 3, GLOBEX, ACCESS_TAGGED, 200, "00:00:00:aa:00:03", "192.168.20.3", "10.20.0.3")
DEV_D = Device("D", 4, GLOBEX, ACCESS_OTHER, 0, "00:00:00:aa:00:04", "2001:db8:200::d", "2001:db8:b::d")
# F sleeps: its traffic is held for the controller.
DEV_F = Device("F", 6, ACME, ACCESS_UNTAGGED, 0, "00:00:00:aa:00:06", "2001:db8:100::f", "2001:db8:a::f")
DEVICES = (DEV_A, DEV_B, DEV_C, DEV_D, DEV_F)

GROUP_ADDR = "ff3e::4242"  # an ACME group instruction address
GROUP_ID = 5
# Replicas (rid, port) of GROUP_ID, and the member each rid stands for. D is a GLOBEX device put in
# ACME's group by mistake: the egress must drop its copy.
MEMBERS = ((1, DEV_A), (2, DEV_B), (4, DEV_D))


# ---- value formatting -----------------------------------------------------------------------------


def ip_int(addr: str) -> int:
    return int(ipaddress.ip_address(addr))


def mac_int(mac: str) -> int:
    return int(mac.replace(":", ""), 16)


def hexw(value: int, bits: int) -> str:
    return "0x" + format(value, f"0{(bits + 3) // 4}x")


def lpm(prefix: str) -> str:
    """An STF LPM value: the prefix's hex digits, then one ``*`` per don't-care digit."""
    net = ipaddress.ip_network(prefix)
    if net.prefixlen % 4:
        raise ValueError(f"STF LPM values need a prefix length divisible by 4: {prefix}")
    digits = net.max_prefixlen // 4
    text = format(int(net.network_address), f"0{digits}x")
    kept = net.prefixlen // 4
    return "0x" + text[:kept] + "*" * (digits - kept)


# ---- table entries --------------------------------------------------------------------------------

ING = "EdgeIngress"


def base_entries(*, cpu_port: bool = True) -> list[str]:
    """The configuration every scenario starts from."""
    lines: list[str] = []
    if cpu_port:
        lines.append(f"setdefault {ING}.ports.cpu_port {ING}.ports.set_cpu_port(port:{CPU_PORT})")
    for port in (ACCESS_UNTAGGED, ACCESS_TAGGED, ACCESS_OTHER):
        lines.append(f"add {ING}.ports.port_role port:{port} {ING}.ports.set_access_port()")
    lines.append(f"add {ING}.ports.port_role port:{UPLINK} {ING}.ports.set_uplink_port()")
    for port, mac in PORT_MAC.items():
        lines.append(f"add EdgeEgress.port_mac port:{port} EdgeEgress.set_port_mac(mac:{hexw(mac_int(mac), 48)})")

    for c in CUSTOMERS:
        lines.append(
            f"add {ING}.upstream.customer_uplink customer_id:{c.cid} {ING}.upstream.set_uplink("
            f"port:{UPLINK}, vlan:{c.vlan}, gateway_mac:{hexw(mac_int(c.gateway_mac), 48)}, "
            f"anycast_v6:{hexw(ip_int(c.anycast_v6), 128)}, anycast_v4:{hexw(ip_int(c.anycast_v4), 32)})"
        )
        lines.append(
            f"add {ING}.downstream.uplink_vlan port:{UPLINK} vlan:{c.vlan} {ING}.downstream.set_customer("
            f"customer_id:{c.cid}, anycast_v6:{hexw(ip_int(c.anycast_v6), 128)}, "
            f"anycast_v4:{hexw(ip_int(c.anycast_v4), 32)})"
        )
        for p in c.allowed_v6:
            lines.append(f"add {ING}.upstream.allowed_dst_v6 customer_id:{c.cid} dst_addr:{lpm(p)} {ING}.upstream.allow()")
        for p in c.allowed_v4:
            lines.append(f"add {ING}.upstream.allowed_dst_v4 customer_id:{c.cid} dst_addr:{lpm(p)} {ING}.upstream.allow()")
        for p in c.sources_v6:
            lines.append(
                f"add {ING}.downstream.endpoint_src_v6 customer_id:{c.cid} src_addr:{lpm(p)} "
                f"{ING}.downstream.from_customer()"
            )
        for p in c.sources_v4:
            lines.append(
                f"add {ING}.downstream.endpoint_src_v4 customer_id:{c.cid} src_addr:{lpm(p)} "
                f"{ING}.downstream.from_customer()"
            )

    for d in DEVICES:
        fam = "v6" if d.v6 else "v4"
        width = 128 if d.v6 else 32
        addr, endpoint = hexw(ip_int(d.addr), width), hexw(ip_int(d.endpoint), width)
        common = f"dev_id:{d.dev_id}, customer_id:{d.customer.cid}"
        lines.append(
            f"add {ING}.access.device_{fam} port:{d.port} vlan:{d.vlan} src_addr:{addr} "
            f"{ING}.access.admit_{fam}({common}, endpoint:{endpoint}, notify:0)"
        )
        lines.append(
            f"add {ING}.access.known_addr_{fam} addr:{addr} {ING}.access.registered_at(port:{d.port}, vlan:{d.vlan})"
        )
        action = "hold_for_device" if d is DEV_F else "to_device"
        lines.append(
            f"add {ING}.downstream.device_down_{fam} dst_addr:{addr} {ING}.downstream.{action}_{fam}("
            f"{common}, port:{d.port}, vlan:{d.vlan}, endpoint:{endpoint})"
        )

    # The gateway is fronted on both access ports where ACME devices live, and A's endpoint on A's port.
    gw = hexw(ip_int(GATEWAY_V6), 128)
    for port, vlan in ((ACCESS_UNTAGGED, 0), (ACCESS_TAGGED, 100)):
        mac = hexw(mac_int(PORT_MAC[port]), 48)
        lines.append(
            f"add {ING}.housekeeping.nd_proxy port:{port} vlan:{vlan} target_addr:{gw} "
            f"{ING}.housekeeping.answer_ns(mac:{mac}, router:1)"
        )
    lines.append(
        f"add {ING}.housekeeping.nd_proxy port:{ACCESS_UNTAGGED} vlan:0 "
        f"target_addr:{hexw(ip_int(DEV_A.endpoint), 128)} "
        f"{ING}.housekeeping.answer_ns(mac:{hexw(mac_int(PORT_MAC[ACCESS_UNTAGGED]), 48)}, router:0)"
    )
    lines.append(
        f"add {ING}.housekeeping.arp_proxy port:{ACCESS_TAGGED} vlan:200 "
        f"target_addr:{hexw(ip_int(GATEWAY_V4), 32)} "
        f"{ING}.housekeeping.answer_arp(mac:{hexw(mac_int(PORT_MAC[ACCESS_TAGGED]), 48)})"
    )

    group = hexw(ip_int(GROUP_ADDR), 128)
    lines.append(
        f"add {ING}.downstream.mcast_group_v6 customer_id:{ACME.cid} group_addr:{group} "
        f"{ING}.downstream.replicate(group:{GROUP_ID})"
    )
    lines.append(f"mc_mgrp_create {GROUP_ID}")
    for handle, (rid, member) in enumerate(MEMBERS):
        lines.append(f"mc_node_create {rid} {member.port}")
        lines.append(f"mc_node_associate {GROUP_ID} {handle}")
        lines.append(
            f"add EdgeEgress.mcast_member port:{member.port} rid:{rid} EdgeEgress.to_member("
            f"dev_id:{member.dev_id}, customer_id:{member.customer.cid}, "
            f"addr:{hexw(ip_int(member.addr), 128)}, vlan:{member.vlan})"
        )
    return lines
