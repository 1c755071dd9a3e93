"""The small world the edge.p4 PTF tests run in: ports, customers, devices, and their entries.

Every entry is what a controller following ``p4src/README.md`` writes over P4Runtime. PTF port N
faces switch port N (``--interface N@ptfN`` against ``-i N@swN``); the CPU port (64) has no
interface.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from edge_p4rt import Entry, Lpm

# ---- ports -------------------------------------------------------------------------------------

CPU_PORT = 64
ACCESS = 1  # untagged devices (A, E, F, and the unknown ones)
TAGGED = 2  # devices on VLANs 100 (B) and 200 (C)
UPLINK = 3  # customer VLANs 1000 (ACME) and 2000 (GLOBEX)
OTHER = 4  # a second untagged access port (D, GLOBEX)
NO_ROLE = 5  # a port the controller never configured
DATA_PORTS = (ACCESS, TAGGED, UPLINK, OTHER, NO_ROLE)

PORT_MAC = {
    ACCESS: "02:ed:9e:00:00:01",
    TAGGED: "02:ed:9e:00:00:02",
    UPLINK: "02:ed:9e:00:00:03",
    OTHER: "02:ed:9e:00:00:04",
}

GATEWAY_V6 = "2001:db8:100::1"  # the devices' default router, fronted by the edge (nd_proxy)
GATEWAY_V4 = "192.168.10.1"  # ... and its IPv4 twin (arp_proxy)
GATEWAY_MAC = "02:ed:9e:00:01:00"  # the MAC the edge answers with for its gateway addresses

# ---- drop reasons, packet-in reasons, controller events (p4src/README.md sections 2.3, 4.2, 5) -----

NO_ROLE_DROP = 1
PARSER_ERROR = 2
BAD_CHECKSUM = 3
BAD_PACKET_OUT = 4
HOUSEKEEPING = 5
UNSUPPORTED = 6
UNKNOWN_DEVICE = 7
SPOOFED_SOURCE = 8
WRONG_VLAN = 9
DISALLOWED_DEST = 10
OVER_RATE = 11
NO_UPLINK = 12
UPLINK_VLAN = 13
NOT_FROM_ENDPOINT = 14
UNKNOWN_DEST = 15
CROSS_CUSTOMER = 16
UNKNOWN_GROUP = 17
NO_MEMBER = 18
NO_CPU_PORT = 19

PUNT_ROUTER_SOLICIT = 1
PUNT_DEVICE_ASLEEP = 2

EVENT_REQUEST_SENT = 0
EVENT_REQUEST_LIMITED = 1
EVENT_RS_PUNTED = 2
EVENT_RS_LIMITED = 3

ING = "EdgeIngress"
EGR = "EdgeEgress"
INGRESS_DROPS = f"{ING}.drops"
EGRESS_DROPS = f"{EGR}.drops"
EVENTS = f"{ING}.to_controller.events"
REQUEST_METER = f"{ING}.to_controller.request_meter"
DIGEST = "access_request_t"


@dataclass(frozen=True)
class Customer:
    cid: int
    vlan: int  # its VLAN on the uplink
    gateway_mac: str  # its VPC gateway
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

    @property
    def family(self) -> str:
        return "v6" if self.v6 else "v4"

    @property
    def anycast(self) -> str:
        return self.customer.anycast_v6 if self.v6 else self.customer.anycast_v4


ACME = Customer(
    cid=10, vlan=1000, gateway_mac="02:00:00:00:10:01",
    anycast_v6="2001:db8:a::100", anycast_v4="10.10.0.100",
    sources_v6=("2001:db8:a::/64", "2001:db8:ff::/48"), sources_v4=("10.10.0.0/24",),
    allowed_v6=("2001:db8:ff::/48",), allowed_v4=("10.99.0.0/16",),
)
GLOBEX = Customer(
    cid=20, vlan=2000, gateway_mac="02:00:00:00:20:01",
    anycast_v6="::", anycast_v4="10.20.0.100",
    sources_v6=("2001:db8:b::/64",), sources_v4=("10.20.0.0/24",),
    allowed_v6=(), allowed_v4=("10.98.0.0/16",),
)
INITECH = Customer(  # registered devices, but no customer_uplink entry
    cid=30, vlan=3000, gateway_mac="02:00:00:00:30:01",
    anycast_v6="::", anycast_v4="0.0.0.0",
    sources_v6=(), sources_v4=(), allowed_v6=(), allowed_v4=(),
)
CONNECTED = (ACME, GLOBEX)

DEV_A = Device("A", 1, ACME, ACCESS, 0, "00:00:00:aa:00:01", "2001:db8:100::a", "2001:db8:a::a")
DEV_B = Device("B", 2, ACME, TAGGED, 100, "00:00:00:aa:00:02", "2001:db8:100::b", "2001:db8:a::b")
DEV_C = Device("C", 3, GLOBEX, TAGGED, 200, "00:00:00:aa:00:03", "192.168.20.3", "10.20.0.3")
DEV_D = Device("D", 4, GLOBEX, OTHER, 0, "00:00:00:aa:00:04", "2001:db8:200::d", "2001:db8:b::d")
DEV_E = Device("E", 5, ACME, ACCESS, 0, "00:00:00:aa:00:05", "192.168.10.5", "10.10.0.5")
DEV_H = Device("H", 8, INITECH, OTHER, 0, "00:00:00:aa:00:08", "2001:db8:300::8", "2001:db8:c::8")
DEVICES = (DEV_A, DEV_B, DEV_C, DEV_D, DEV_E, DEV_H)

GROUP_ADDR = "ff3e::4242"  # an ACME group instruction address
GROUP_ID = 5
# (rid, member) of GROUP_ID. D is a GLOBEX device put in ACME's group by mistake: the egress must
# drop its copy.
MEMBERS = ((1, DEV_A), (2, DEV_B), (4, DEV_D))


# ---- values -------------------------------------------------------------------------------------


def ip_int(addr: str) -> int:
    return int(ipaddress.ip_address(addr))


def mac_int(mac: str) -> int:
    return int(mac.replace(":", ""), 16)


def prefix(text: str) -> Lpm:
    net = ipaddress.ip_network(text)
    return Lpm(int(net.network_address), net.prefixlen)


def mapped_v4(addr: str) -> int:
    """The IPv4-mapped IPv6 form (``::ffff:a.b.c.d``) the digest carries for an IPv4 sender."""
    return 0xFFFF_0000_0000 | ip_int(addr)


# ---- entries ------------------------------------------------------------------------------------


def cpu_port_default() -> tuple[str, str, dict[str, int]]:
    return (f"{ING}.ports.cpu_port", f"{ING}.ports.set_cpu_port", {"port": CPU_PORT})


def port_role(port: int, role: str) -> Entry:
    return Entry(f"{ING}.ports.port_role", {"port": port}, f"{ING}.ports.set_{role}_port")


def device_entry(d: Device, *, notify: int = 0, idle_timeout_ns: int = 0) -> Entry:
    """The admission entry (``device_v6``/``device_v4``) of a device."""
    return Entry(
        f"{ING}.access.device_{d.family}",
        {"port": d.port, "vlan": d.vlan, "src_addr": ip_int(d.addr)},
        f"{ING}.access.admit_{d.family}",
        {"dev_id": d.dev_id, "customer_id": d.customer.cid, "endpoint": ip_int(d.endpoint), "notify": notify},
        idle_timeout_ns=idle_timeout_ns,
    )


def known_entry(d: Device) -> Entry:
    return Entry(
        f"{ING}.access.known_addr_{d.family}", {"addr": ip_int(d.addr)},
        f"{ING}.access.registered_at", {"port": d.port, "vlan": d.vlan},
    )


def down_entry(d: Device, *, hold: bool = False) -> Entry:
    action = "hold_for_device" if hold else "to_device"
    return Entry(
        f"{ING}.downstream.device_down_{d.family}", {"dst_addr": ip_int(d.addr)},
        f"{ING}.downstream.{action}_{d.family}",
        {"dev_id": d.dev_id, "customer_id": d.customer.cid, "port": d.port, "vlan": d.vlan,
         "endpoint": ip_int(d.endpoint)},
    )


def device_entries(d: Device) -> list[Entry]:
    return [device_entry(d), known_entry(d), down_entry(d)]


def member_entry(rid: int, d: Device, *, port: int | None = None, hold: bool = False) -> Entry:
    params = {"dev_id": d.dev_id, "customer_id": d.customer.cid, "addr": ip_int(d.addr), "vlan": d.vlan}
    if hold:
        params["port"] = d.port
    return Entry(
        f"{EGR}.mcast_member", {"port": d.port if port is None else port, "rid": rid},
        f"{EGR}.hold_member" if hold else f"{EGR}.to_member", params,
    )


def customer_entries(c: Customer) -> list[Entry]:
    anycast = {"anycast_v6": ip_int(c.anycast_v6), "anycast_v4": ip_int(c.anycast_v4)}
    entries = [
        Entry(
            f"{ING}.upstream.customer_uplink", {"customer_id": c.cid}, f"{ING}.upstream.set_uplink",
            {"port": UPLINK, "vlan": c.vlan, "gateway_mac": mac_int(c.gateway_mac), **anycast},
        ),
        Entry(
            f"{ING}.downstream.uplink_vlan", {"port": UPLINK, "vlan": c.vlan},
            f"{ING}.downstream.set_customer", {"customer_id": c.cid, **anycast},
        ),
    ]
    for family, prefixes in (("v6", c.allowed_v6), ("v4", c.allowed_v4)):
        entries += [
            Entry(f"{ING}.upstream.allowed_dst_{family}", {"customer_id": c.cid, "dst_addr": prefix(p)},
                  f"{ING}.upstream.allow")
            for p in prefixes
        ]
    for family, prefixes in (("v6", c.sources_v6), ("v4", c.sources_v4)):
        entries += [
            Entry(f"{ING}.downstream.endpoint_src_{family}", {"customer_id": c.cid, "src_addr": prefix(p)},
                  f"{ING}.downstream.from_customer")
            for p in prefixes
        ]
    return entries


def nd_proxy_entry(port: int, vlan: int, target: str, mac: str, router: int) -> Entry:
    return Entry(
        f"{ING}.housekeeping.nd_proxy", {"port": port, "vlan": vlan, "target_addr": ip_int(target)},
        f"{ING}.housekeeping.answer_ns", {"mac": mac_int(mac), "router": router},
    )


def arp_proxy_entry(port: int, vlan: int, target: str, mac: str) -> Entry:
    return Entry(
        f"{ING}.housekeeping.arp_proxy", {"port": port, "vlan": vlan, "target_addr": ip_int(target)},
        f"{ING}.housekeeping.answer_arp", {"mac": mac_int(mac)},
    )


def group_entry(c: Customer, group_addr: str, group_id: int) -> Entry:
    return Entry(
        f"{ING}.downstream.mcast_group_v6", {"customer_id": c.cid, "group_addr": ip_int(group_addr)},
        f"{ING}.downstream.replicate", {"group": group_id},
    )


def base_entries() -> list[Entry]:
    """The configuration every test starts from (the CPU port is set apart, as a default action)."""
    entries = [port_role(p, "access") for p in (ACCESS, TAGGED, OTHER)] + [port_role(UPLINK, "uplink")]
    entries += [Entry(f"{EGR}.port_mac", {"port": p}, f"{EGR}.set_port_mac", {"mac": mac_int(m)})
                for p, m in PORT_MAC.items()]
    for c in CONNECTED:
        entries += customer_entries(c)
    for d in DEVICES:
        entries += device_entries(d)
    # the gateway is fronted on each access attachment; device endpoints are on-link for A
    entries += [
        nd_proxy_entry(ACCESS, 0, GATEWAY_V6, GATEWAY_MAC, 1),
        nd_proxy_entry(TAGGED, 100, GATEWAY_V6, GATEWAY_MAC, 1),
        nd_proxy_entry(ACCESS, 0, DEV_A.endpoint, GATEWAY_MAC, 0),
        arp_proxy_entry(ACCESS, 0, GATEWAY_V4, GATEWAY_MAC),
        arp_proxy_entry(TAGGED, 200, "192.168.20.1", GATEWAY_MAC),
    ]
    entries.append(group_entry(ACME, GROUP_ADDR, GROUP_ID))
    entries += [member_entry(rid, d) for rid, d in MEMBERS]
    return entries
