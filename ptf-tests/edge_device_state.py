"""Per-device entry state: idle timeouts, direct counters, direct meters, and notify on wake
(p4src/README.md 2.1 ``device_v6``/``device_v4``, 2.3, 3.7)."""

from __future__ import annotations

import time
from dataclasses import replace

from edge_flows import as_forwarded_up, upstream_flow
from edge_p4rt import MeterRates
from edge_packets import build
from edge_ptf import EdgeTest
from edge_world import (
    DEV_A,
    DEV_B,
    DEV_C,
    DEV_E,
    DISALLOWED_DEST,
    EVENT_REQUEST_SENT,
    OVER_RATE,
    UNKNOWN_DEVICE,
    UPLINK,
    Device,
    device_entry,
    ip_int,
    mapped_v4,
)

IDLE_NS = 1_000_000_000  # BMv2 looks at idle entries once a second
IDLE_WAIT_S = 15.0
KEEPALIVE_S = 0.1
SLOW = 1  # bytes (or packets) per second: no token comes back during a test


class IdleTimeoutNotification(EdgeTest):
    """Silent devices (A over IPv6, E over IPv4) are reported in IdleTimeoutNotifications naming
    their device_* entries; B, which keeps sending, is never reported. The entries stay: A can
    still send afterwards."""

    def runTest(self) -> None:
        silent, busy = (DEV_A, DEV_E), DEV_B
        for device in (*silent, busy):
            self.rt.delete(device_entry(device))
            self.rt.insert(device_entry(device, idle_timeout_ns=IDLE_NS))

        want = {_key(d) for d in silent}
        seen: set[tuple[str, int, int, int]] = set()
        deadline = time.monotonic() + IDLE_WAIT_S
        n = 0
        while not want <= seen and time.monotonic() < deadline:
            flow = upstream_flow(busy, note=f"keepalive {n}")
            self.send(busy.port, flow)
            self.expect(as_forwarded_up(flow, busy), UPLINK)
            n += 1
            try:  # waiting for a notification paces the keepalives
                entries = self.stream.next_idle_timeout(timeout=KEEPALIVE_S)
            except TimeoutError:
                continue
            for entry in entries:
                key = (entry.table, entry.match["port"], entry.match["vlan"], entry.match["src_addr"])
                self.assertNotEqual(key, _key(busy), "a device that keeps sending was reported idle")
                seen.add(key)
        self.assertTrue(want <= seen, f"idle notifications for {sorted(want - seen)} did not come")

        flow = upstream_flow(DEV_A, note="after idle")
        self.send(DEV_A.port, flow)
        self.expect(as_forwarded_up(flow, DEV_A), UPLINK)
        self.proof()


def _key(d: Device) -> tuple[str, int, int, int]:
    return (f"EdgeIngress.access.device_{d.family}", d.port, d.vlan, ip_int(d.addr))


class DeviceCounters(EdgeTest):
    """device_v6_counter / device_v4_counter count every packet that hit the entry, with its bytes
    (a hit later refused for its destination too)."""

    def runTest(self) -> None:
        for device in (DEV_A, DEV_E):
            entry = device_entry(device)
            self.assertEqual(self.direct_counter(entry), (0, 0))
            total = 0
            for n in range(3):
                flow = upstream_flow(device, note="y" * (16 * n))
                self.send(device.port, flow)
                self.expect(as_forwarded_up(flow, device), UPLINK)
                total += len(build(flow))
            self.assertEqual(self.direct_counter(entry), (3, total))
            refused = upstream_flow(device, dst="2001:db8:dead::1" if device.v6 else "10.0.0.1", note="refused")
            before = self.drops()
            self.send(device.port, refused)
            self.proof()
            self.assert_dropped(before, {DISALLOWED_DEST: 1})
            self.assertEqual(self.direct_counter(entry), (4, total + len(build(refused))))


class DeviceMeterOverRate(EdgeTest):
    """A device's direct meter (bytes) set below its traffic: RED packets are dropped as OVER_RATE
    (and still counted by the device's counter); YELLOW ones pass; reset, it is always GREEN."""

    def runTest(self) -> None:
        a = DEV_A
        entry = device_entry(a)
        size = len(build(upstream_flow(a, note="m0")))
        # room for two packets in the peak bucket; nothing comes back during the test
        self.rt.set_direct_meter(entry, MeterRates(cir=SLOW, cburst=2 * size + size // 2, pir=SLOW,
                                                   pburst=2 * size + size // 2))
        before = self.drops()
        flows = [upstream_flow(a, note=f"m{n}") for n in range(4)]
        for flow in flows[:2]:
            self.send(a.port, flow)
            self.expect(as_forwarded_up(flow, a), UPLINK)
        for flow in flows[2:]:
            self.send(a.port, flow)
        self.proof()
        self.assert_dropped(before, {OVER_RATE: 2})
        self.assertEqual(self.direct_counter(entry)[0], 4)

        # committed bucket too small, peak large: every packet is YELLOW and passes
        self.rt.set_direct_meter(entry, MeterRates(cir=SLOW, cburst=size // 2, pir=10_000_000, pburst=100_000))
        for n in range(3):
            flow = upstream_flow(a, note=f"y{n}")
            self.send(a.port, flow)
            self.expect(as_forwarded_up(flow, a), UPLINK)

        self.rt.set_direct_meter(entry, MeterRates(cir=SLOW, cburst=1, pir=SLOW, pburst=1))
        before = self.drops()
        self.send(a.port, upstream_flow(a, note="red"))
        self.proof()
        self.assert_dropped(before, {OVER_RATE: 1})
        self.rt.set_direct_meter(entry, None)
        for n in range(3):
            flow = upstream_flow(a, note=f"g{n}")
            self.send(a.port, flow)
            self.expect(as_forwarded_up(flow, a), UPLINK)
        self.proof()


class DeviceMeterAtInsert(EdgeTest):
    """Meter rates given as meter_config in the INSERT of the device entry (IPv4 device C)."""

    def runTest(self) -> None:
        c = DEV_C
        size = len(build(upstream_flow(c, note="n0")))
        self.rt.delete(device_entry(c))
        self.rt.insert(replace(device_entry(c), meter=MeterRates(cir=SLOW, cburst=size + size // 2, pir=SLOW,
                                                                 pburst=size + size // 2)))
        before = self.drops()
        first = upstream_flow(c, note="n0")
        self.send(c.port, first)
        self.expect(as_forwarded_up(first, c), UPLINK)
        self.send(c.port, upstream_flow(c, note="n1"))
        self.proof()
        self.assert_dropped(before, {OVER_RATE: 1})


class NotifyOnWake(EdgeTest):
    """A device entry with notify=1 forwards the packet and reports an access request; back to
    notify=0, it no longer does."""

    def runTest(self) -> None:
        events = self.events()
        for device in (DEV_A, DEV_C):
            self.rt.modify(device_entry(device, notify=1))
            flow = upstream_flow(device, note="awake")
            self.send(device.port, flow)
            self.expect(as_forwarded_up(flow, device), UPLINK)
            addr = ip_int(device.addr) if device.v6 else mapped_v4(device.addr)
            self.expect_digest(device.port, device.vlan, device.mac, addr)
            self.rt.modify(device_entry(device))
            quiet = upstream_flow(device, note="quiet")
            self.send(device.port, quiet)
            self.expect(as_forwarded_up(quiet, device), UPLINK)
        self.digest_proof()
        self.proof()
        self.assert_events(events, {EVENT_REQUEST_SENT: 3})


class DeletedDeviceIsUnknown(EdgeTest):
    """With its device entry deleted (known_addr kept, same port and VLAN), a device is an unknown
    sender: dropped as UNKNOWN_DEVICE, with an access request."""

    def runTest(self) -> None:
        self.rt.delete(device_entry(DEV_A))
        before = self.drops()
        self.send(DEV_A.port, upstream_flow(DEV_A, note="after delete"))
        self.expect_digest(DEV_A.port, 0, DEV_A.mac, ip_int(DEV_A.addr))
        self.proof()
        self.assert_dropped(before, {UNKNOWN_DEVICE: 1})
