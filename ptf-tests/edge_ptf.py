"""The base class of the edge.p4 PTF tests (the one typed adapter over PTF).

Run by the ``ptf`` command with the switch already running and reachable::

    ptf --test-dir ptf-tests --interface 1@ptf1 ... \\
        --test-params "grpcaddr='127.0.0.1:9559';p4info='build/softswitch/edge.p4info.txtpb';config='build/softswitch/edge.bin'"

Each test pushes the pipeline (VERIFY_AND_COMMIT empties every table, counter and register), writes
the world of :mod:`edge_world` over P4Runtime, and then exchanges packets.

Packets are checked strictly: :meth:`EdgeTest.expect` requires the expected frame to be the *next*
frame out of the switch on any port. Every check that something did not come out is followed by
:meth:`EdgeTest.proof`, a packet that must be the next one out: the switch handles packets in order,
so a drop cannot pass by being slow. Drop counters are then read over P4Runtime and compared by
reason index.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import ptf
import ptf.testutils as testutils
from edge_flows import as_forwarded_up, unknown_flow, upstream_flow
from edge_p4rt import EdgeRuntime, Entry, Stream
from edge_packets import Flow, build, checksum_problems, describe, router_solicitation
from edge_world import (
    ACCESS,
    DEV_D,
    DIGEST,
    EGRESS_DROPS,
    EVENTS,
    GROUP_ID,
    INGRESS_DROPS,
    MEMBERS,
    PUNT_ROUTER_SOLICIT,
    UPLINK,
    Device,
    base_entries,
    cpu_port_default,
    ip_int,
    mac_int,
)
from ptf.base_tests import BaseTest

POLL_S = 5.0  # how long a counter may take to show a packet the switch already handled
MIN_FRAME = 60  # PTF compares frames shorter than this against the received frame's head

_election_ids = itertools.count(1)
_proof_numbers = itertools.count(1)

Counts = dict[int, int]
_T = TypeVar("_T")


def params() -> dict[str, str]:
    return {str(k): str(v) for k, v in testutils.test_params_get().items()}


class EdgeTest(BaseTest):  # type: ignore[misc]  # PTF's BaseTest is untyped
    """A freshly pushed edge.p4 with the base world; the primary controller is :attr:`rt`."""

    #: set the CPU port (the default action of ``cpu_port``) in setUp
    with_cpu_port = True

    rt: EdgeRuntime
    stream: Stream
    dataplane: Any

    def setUp(self) -> None:
        super().setUp()
        self.dataplane = ptf.dataplane_instance
        p = params()
        self.rt = EdgeRuntime(p["grpcaddr"], Path(p["p4info"]))
        self.stream = self.rt.become_primary(next(_election_ids))
        self.rt.set_pipeline(Path(p["p4info"]), Path(p["config"]))
        self.rt.configure_digest(DIGEST)
        self.rt.insert(*base_entries())
        self.rt.multicast_group(GROUP_ID, [(d.port, rid) for rid, d in MEMBERS])
        if self.with_cpu_port:
            self.rt.set_default(*cpu_port_default())
        self.configure()
        self.dataplane.flush()

    def configure(self) -> None:
        """More entries for one test (subclasses)."""

    def tearDown(self) -> None:
        errors = self.stream.errors()
        try:
            self.rt.delete_multicast_groups()
        finally:
            self.rt.close()
        super().tearDown()
        self.assertEqual(errors, [], "the switch reported stream errors")

    # ------------------------------------------------------------------ packets

    def send(self, port: int, frame: bytes | Flow) -> None:
        testutils.send_packet(self, port, build(frame) if isinstance(frame, Flow) else frame)

    def next_out(self, timeout: float | None = None) -> tuple[int, bytes] | None:
        """The oldest frame received on any port, as (port, frame), or None after the timeout."""
        result = testutils.dp_poll(self, timeout=timeout or ptf.ptfutils.default_timeout)
        if isinstance(result, self.dataplane.PollSuccess):
            return int(result.port), bytes(result.packet)
        return None

    def expect(self, frame: bytes | Flow, port: int, *, checksums: bool = True) -> bytes:
        """``frame`` is the next frame out of the switch, on ``port``; returns it as received."""
        want = build(frame) if isinstance(frame, Flow) else frame
        got = self.next_out()
        self.assertIsNotNone(got, f"nothing came out; expected on port {port}: {describe(want)}")
        assert got is not None
        got_port, got_frame = got
        self.assertEqual(
            (got_port, _cut(got_frame, want)), (port, want),
            f"\nexpected on port {port}: {describe(want)}\n     got on port {got_port}: {describe(got_frame)}",
        )
        if checksums:
            self.assertEqual(checksum_problems(got_frame), [], describe(got_frame))
        return got_frame

    def expect_each(self, frames: Mapping[int, bytes | Flow]) -> None:
        """One frame out of each port of ``frames``, in any order across ports, and nothing else."""
        want = {port: build(f) if isinstance(f, Flow) else f for port, f in frames.items()}
        seen: dict[int, bytes] = {}
        for _ in want:
            got = self.next_out()
            self.assertIsNotNone(got, f"only {sorted(seen)} of ports {sorted(want)} got a frame")
            assert got is not None
            port, frame = got
            self.assertIn(port, want, f"unexpected frame on port {port}: {describe(frame)}")
            self.assertNotIn(port, seen, f"two frames on port {port}")
            seen[port] = _cut(frame, want[port])
            self.assertEqual(seen[port], want[port], f"port {port}: {describe(frame)}")
            self.assertEqual(checksum_problems(frame), [], describe(frame))

    def proof(self, via: Device = DEV_D) -> None:
        """Nothing came out beyond what was checked: a frame device ``via`` sends to its endpoint
        must be the next one out (on the uplink), and then nothing else may come."""
        note = f"proof {next(_proof_numbers)}"
        flow = upstream_flow(via, note=note)
        self.send(via.port, flow)
        self.expect(as_forwarded_up(flow, via), UPLINK)
        testutils.verify_no_other_packets(self)

    # ------------------------------------------------------------------ counters

    def drops(self) -> tuple[Counts, Counts]:
        """Packets per reason in (EdgeIngress.drops, EdgeEgress.drops)."""
        return _packets(self.rt.read_counter(INGRESS_DROPS)), _packets(self.rt.read_counter(EGRESS_DROPS))

    def events(self) -> Counts:
        return _packets(self.rt.read_counter(EVENTS))

    def assert_dropped(
        self, before: tuple[Counts, Counts], ingress: Mapping[int, int] | None = None,
        egress: Mapping[int, int] | None = None,
    ) -> None:
        """Since ``before``, exactly these drops (reason -> packets) were counted, nothing else."""
        want = (dict(ingress or {}), dict(egress or {}))
        got = self._wait_for(lambda: _deltas_pair(before, self.drops()), want)
        self.assertEqual(got, want, "drops counted since the snapshot (ingress, egress) by reason")

    def assert_events(self, before: Counts, want: Mapping[int, int]) -> None:
        got = self._wait_for(lambda: _deltas(before, self.events()), dict(want))
        self.assertEqual(got, dict(want), "controller events counted since the snapshot")

    def _wait_for(self, read: Callable[[], _T], want: _T) -> _T:
        deadline = time.monotonic() + POLL_S
        got = read()
        while got != want and time.monotonic() < deadline:
            time.sleep(0.02)
            got = read()
        return got

    def wait_until(self, what: str, check: Callable[[], object], timeout: float = POLL_S) -> None:
        """Poll ``check()`` until it returns something true; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return
            if time.monotonic() > deadline:
                self.fail(f"{what}: not within {timeout:g} s (last: {value!r})")
            time.sleep(0.02)

    def direct_counter(self, entry: Entry) -> tuple[int, int]:
        return self.rt.read_direct_counter(entry)

    # ------------------------------------------------------------------ controller channel

    def expect_digest(self, port: int, vlan: int, mac: str, addr: int) -> None:
        """The next digest is one access request with these values (README 4.1)."""
        got = self.stream.next_digest()
        want = {"ingress_port": port, "vlan": vlan, "src_mac": mac_int(mac), "src_addr": addr}
        self.assertEqual((got.digest, got.samples), (DIGEST, [want]))

    def digest_proof(self) -> None:
        """No digest came beyond those checked: an unknown sender's access request must be next."""
        n = next(_proof_numbers)
        flow = unknown_flow(ACCESS, 0, n)
        self.send(ACCESS, flow)
        self.expect_digest(ACCESS, 0, flow.src_mac, ip_int(flow.src))

    def expect_packet_in(self, frame: bytes, ingress_port: int, reason: int) -> None:
        got = self.stream.next_packet_in()
        self.assertEqual(
            (got.payload, dict(got.metadata)), (frame, {"ingress_port": ingress_port, "reason": reason, "_pad": 0}),
            f"packet-in {describe(got.payload)} {dict(got.metadata)}",
        )

    def packet_in_proof(self) -> None:
        """No packet-in came beyond those checked: a router solicitation's packet-in must be next."""
        n = next(_proof_numbers)
        rs = router_solicitation(f"00:00:00:ee:{n >> 8 & 0xFF:02x}:{n & 0xFF:02x}", f"fe80::ee:{n:x}")
        self.send(ACCESS, rs)
        self.expect_packet_in(rs, ACCESS, PUNT_ROUTER_SOLICIT)


def _cut(received: bytes, expected: bytes) -> bytes:
    """PTF's rule: a frame expected shorter than the Ethernet minimum matches a padded one."""
    if len(expected) < MIN_FRAME and len(received) == MIN_FRAME:
        return received[: len(expected)]
    return received


def _packets(counter: Mapping[int, tuple[int, int]]) -> Counts:
    return {index: packets for index, (packets, _) in counter.items() if packets}


def _deltas(before: Counts, after: Counts) -> Counts:
    diff = Counter(after)
    diff.subtract(Counter(before))
    return {k: v for k, v in diff.items() if v}


def _deltas_pair(before: tuple[Counts, Counts], after: tuple[Counts, Counts]) -> tuple[Counts, Counts]:
    return _deltas(before[0], after[0]), _deltas(before[1], after[1])
