"""Refused senders and access requests (p4src/README.md 3.1 step 3, 3.2, 4.1, 5).

Each refused packet must be dropped (the next frame out of the switch is a later proof packet),
counted once in ``EdgeIngress.drops`` under its reason, and only an unknown sender may cause an
access request (the next digest is a later unknown sender's).
"""

from __future__ import annotations

from dataclasses import replace

from edge_flows import unknown_flow, upstream_flow
from edge_p4rt import MeterRates
from edge_packets import ethernet
from edge_ptf import EdgeTest
from edge_world import (
    ACCESS,
    ACME,
    DEV_A,
    DEV_B,
    DEV_C,
    DEV_E,
    DEV_H,
    DISALLOWED_DEST,
    EVENT_REQUEST_LIMITED,
    EVENT_REQUEST_SENT,
    GLOBEX,
    NO_UPLINK,
    OTHER,
    PORT_MAC,
    REQUEST_METER,
    SPOOFED_SOURCE,
    TAGGED,
    UNKNOWN_DEVICE,
    UNSUPPORTED,
    UPLINK,
    WRONG_VLAN,
    ip_int,
    mapped_v4,
)


class SpoofedSource(EdgeTest):
    """A registered address sent from another port is dropped as SPOOFED_SOURCE, with no request."""

    def runTest(self) -> None:
        before, events = self.drops(), self.events()
        self.send(OTHER, upstream_flow(DEV_A, vlan=0, dst_mac=PORT_MAC[OTHER], note="spoofed v6"))
        self.send(ACCESS, upstream_flow(DEV_C, vlan=0, dst_mac=PORT_MAC[ACCESS], note="spoofed v4"))
        self.send(TAGGED, upstream_flow(DEV_E, vlan=100, dst_mac=PORT_MAC[TAGGED], note="spoofed tagged"))
        self.proof()
        self.digest_proof()
        self.assert_dropped(before, {SPOOFED_SOURCE: 3, UNKNOWN_DEVICE: 1})  # the last: the digest proof
        self.assert_events(events, {EVENT_REQUEST_SENT: 1})


class WrongVlan(EdgeTest):
    """A registered address on its own port but another VLAN (or untagged, or tagged on an untagged
    attachment) is dropped as WRONG_VLAN, with no request."""

    def runTest(self) -> None:
        before = self.drops()
        self.send(TAGGED, upstream_flow(DEV_B, vlan=200, note="B on 200"))
        self.send(TAGGED, upstream_flow(DEV_B, vlan=0, note="B untagged"))
        self.send(TAGGED, upstream_flow(DEV_C, vlan=100, note="C on 100"))
        self.send(ACCESS, upstream_flow(DEV_A, vlan=100, note="A tagged"))
        self.proof()
        self.digest_proof()
        self.assert_dropped(before, {WRONG_VLAN: 4, UNKNOWN_DEVICE: 1})


class UnknownSenderAccessRequest(EdgeTest):
    """An unknown sender is dropped as UNKNOWN_DEVICE and reported by an access_request_t digest:
    ingress port, VLAN (0 untagged), MAC, address (IPv4 as ::ffff:a.b.c.d)."""

    def runTest(self) -> None:
        before, events = self.drops(), self.events()
        tagged = unknown_flow(TAGGED, 100, 1)
        self.send(TAGGED, tagged)
        self.expect_digest(TAGGED, 100, tagged.src_mac, ip_int(tagged.src))
        v4 = unknown_flow(ACCESS, 0, 2, v4=True)
        self.send(ACCESS, v4)
        self.expect_digest(ACCESS, 0, v4.src_mac, mapped_v4(v4.src))
        v4_tagged = unknown_flow(TAGGED, 200, 3, v4=True)
        self.send(TAGGED, v4_tagged)
        self.expect_digest(TAGGED, 200, v4_tagged.src_mac, mapped_v4(v4_tagged.src))
        self.proof()
        self.assert_dropped(before, {UNKNOWN_DEVICE: 3})
        self.assert_events(events, {EVENT_REQUEST_SENT: 3})


class DisallowedDestination(EdgeTest):
    """An admitted device may not reach another device's endpoint, a foreign prefix, or another
    customer's anycast address: DISALLOWED_DEST, no request."""

    def runTest(self) -> None:
        before = self.drops()
        for device, dst in ((DEV_A, DEV_B.endpoint), (DEV_A, "2001:db8:dead::1"), (DEV_A, "2001:db8:b::d"),
                            (DEV_E, DEV_C.endpoint), (DEV_E, GLOBEX.anycast_v4), (DEV_C, ACME.anycast_v4),
                            (DEV_C, "10.99.0.1")):
            self.send(device.port, upstream_flow(device, dst=dst, note=f"to {dst}"))
        self.proof()
        self.digest_proof()
        self.assert_dropped(before, {DISALLOWED_DEST: 7, UNKNOWN_DEVICE: 1})


class CustomerWithoutUplink(EdgeTest):
    """A registered device whose customer has no customer_uplink entry: NO_UPLINK."""

    def runTest(self) -> None:
        before = self.drops()
        self.send(DEV_H.port, upstream_flow(DEV_H))
        self.proof()
        self.assert_dropped(before, {NO_UPLINK: 1})


class NotIpIsUnsupported(EdgeTest):
    """A frame that is neither IP nor ARP is UNSUPPORTED, from an access port and on a customer VLAN."""

    def runTest(self) -> None:
        before = self.drops()
        body = b"not ip at all".ljust(46, b".")
        self.send(ACCESS, ethernet(DEV_A.mac, PORT_MAC[ACCESS], 0x88B5, body))
        self.send(TAGGED, ethernet(DEV_B.mac, PORT_MAC[TAGGED], 0x88B5, body, vlan=100))
        self.send(UPLINK, ethernet(ACME.gateway_mac, PORT_MAC[UPLINK], 0x88B5, body, vlan=ACME.vlan))
        self.proof()
        self.digest_proof()
        self.assert_dropped(before, {UNSUPPORTED: 3, UNKNOWN_DEVICE: 1})


class RequestMeterLimitsDigests(EdgeTest):
    """A burst of unknown senders beyond the port's request_meter yields fewer access requests than
    senders; the events counter shows every suppressed one. An unmetered port reports all."""

    BURST = 10
    MOST = 4  # the burst of 2, plus a token a second if the switch is slow to handle the burst

    def runTest(self) -> None:
        # 1 packet/s with bursts of 2: the burst gets 2 GREEN packets (more if tokens come meanwhile).
        self.rt.set_meter(REQUEST_METER, OTHER, MeterRates(cir=1, cburst=2, pir=1, pburst=2))
        before, events = self.drops(), self.events()

        for n in range(self.BURST):  # unmetered port: every sender is reported
            self.send(ACCESS, unknown_flow(ACCESS, 0, 100 + n))
        for n in range(self.BURST):
            flow = unknown_flow(ACCESS, 0, 100 + n)
            self.expect_digest(ACCESS, 0, flow.src_mac, ip_int(flow.src))

        for n in range(self.BURST):
            self.send(OTHER, replace(unknown_flow(OTHER, 0, 200 + n), dst="2001:db8:b::9"))
        self.wait_until(
            "the burst is handled",
            lambda: sum(_delta(events, self.events(), k) for k in (EVENT_REQUEST_SENT, EVENT_REQUEST_LIMITED))
            == 2 * self.BURST,
        )
        counted = self.events()
        sent = _delta(events, counted, EVENT_REQUEST_SENT) - self.BURST
        limited = _delta(events, counted, EVENT_REQUEST_LIMITED)
        self.assertEqual(sent + limited, self.BURST)
        self.assertGreaterEqual(sent, 1, "the meter's burst lets the first requests through")
        self.assertLessEqual(sent, self.MOST, "the meter did not limit the burst")

        # Exactly `sent` digests came from the metered port, then the unmetered proof's.
        got = []
        for _ in range(sent):
            digest = self.stream.next_digest()
            self.assertEqual(len(digest.samples), 1)
            got.append(digest.samples[0])
        self.assertTrue(all(s["ingress_port"] == OTHER for s in got), got)
        self.assertEqual(len({s["src_addr"] for s in got}), sent)
        self.digest_proof()
        self.proof()
        self.assert_dropped(before, {UNKNOWN_DEVICE: 2 * self.BURST + 1})


def _delta(before: dict[int, int], after: dict[int, int], index: int) -> int:
    return after.get(index, 0) - before.get(index, 0)
