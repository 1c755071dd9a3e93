"""The v1model packet flow of BMv2 simple_switch around a loaded :class:`Program`.

:meth:`Switch.process` takes one received packet through parser → verifyChecksum → ingress →
traffic manager (clone, digest, resubmit, multicast, drop, unicast) → egress (E2E clone, drop,
computeChecksum + deparse, recirculate) → transmit, including every copy it causes, and returns
the transmitted ``(port, bytes)`` in order. Resubmitted and recirculated packets re-enter ingress
ahead of any new packet, as on BMv2's high-priority input queue; to stop a program that
recirculates forever, one received packet may cause at most :attr:`Switch.max_passes` ingress
passes.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from softswitch.engine.codegen.prelude import FatalError
from softswitch.engine.layout import (
    CLONE_REQUESTED,
    SLOT_CLONE,
    SLOT_CLONE_FL,
    SLOT_DIGEST,
    SLOT_INGRESS_LEN,
    SLOT_LEN_REG,
    SLOT_RECIRC,
    SLOT_RESUBMIT,
    SLOT_SCRATCH,
    SLOT_TRUNCATE,
)
from softswitch.engine.pre import PacketReplicationEngine
from softswitch.engine.program import Program

log = logging.getLogger("softswitch.engine")

PHV = list[object]

NORMAL = 0
INGRESS_CLONE = 1
EGRESS_CLONE = 2
RECIRC = 4
REPLICATION = 5
RESUBMIT = 6

DROP_PORT = 511
HEADROOM = 512  # BMv2 buffers hold the received length plus this many bytes


@dataclass(frozen=True, slots=True)
class DigestMessage:
    """One digest sample, collected at the end of ingress. ``index`` counts digest() call sites
    in the program in code order; ``name`` is the data's struct type name ("" for a tuple)."""

    index: int
    name: str
    values: tuple[int, ...]


class PipelineFatal(Exception):
    """The program stopped the switch (a failed assert/assume)."""


class Switch:
    """A v1model switch running one program."""

    def __init__(
        self,
        program: Program,
        *,
        pre: PacketReplicationEngine | None = None,
        clock_us: Callable[[], int] | None = None,
        max_passes: int = 64,
        seed: int | None = None,
    ) -> None:
        self.program = program
        self.pre = pre if pre is not None else PacketReplicationEngine()
        self._t0 = time.monotonic_ns()
        self.clock_us = clock_us if clock_us is not None else self._now_us
        program.set_clock(self.clock_us, time.monotonic_ns)
        if seed is not None:
            program.rng.seed(seed)
        self.max_passes = max_passes
        self.digests: deque[DigestMessage] = deque()
        sm = program.sm
        self._sm = sm
        self._ingress_port = sm["ingress_port"]
        self._egress_spec = sm["egress_spec"]
        self._egress_port = sm["egress_port"]
        self._instance_type = sm["instance_type"]
        self._packet_length = sm["packet_length"]
        self._mcast_grp = sm["mcast_grp"]
        self._egress_rid = sm["egress_rid"]
        self._priority = sm.get("priority")
        self._in_ts = sm.get("ingress_global_timestamp")
        self._eg_ts = sm.get("egress_global_timestamp")
        self._enq_ts = sm.get("enq_timestamp")
        self._deq_td = sm.get("deq_timedelta")
        self.process = self._make_process()
        """``process(port, data)``: run one received packet and everything it causes (clones,
        replicas, resubmits, recirculations); return the transmitted ``(port, bytes)`` in order."""

    def _now_us(self) -> int:
        return (time.monotonic_ns() - self._t0) // 1000

    # ------------------------------------------------------------------ per packet

    def _make_process(self) -> Callable[[int, bytes], list[tuple[int, bytes]]]:
        """Build :attr:`process` with every slot number and function bound as a local."""
        prog = self.program
        template = prog.template
        parse, verify, ingress, egress = prog.parse, prog.verify, prog.ingress, prog.egress
        compute, deparse = prog.compute, prog.deparse
        has_verify, has_egress, has_compute = prog.has_verify, prog.has_egress, prog.has_compute
        sm = prog.sm
        scratch = SLOT_SCRATCH
        s_in_port, s_egress_spec, s_egress_port = sm["ingress_port"], sm["egress_spec"], sm["egress_port"]
        s_itype, s_plen, s_mcast = sm["instance_type"], sm["packet_length"], sm["mcast_grp"]
        s_prio = sm.get("priority", scratch)
        s_in_ts = sm.get("ingress_global_timestamp", scratch)
        s_eg_ts = sm.get("egress_global_timestamp", scratch)
        s_enq_ts = sm.get("enq_timestamp", scratch)
        s_deq_td = sm.get("deq_timedelta", scratch)
        clock = self.clock_us
        default_clock = clock == self._now_us
        mono = time.monotonic_ns
        t0 = self._t0
        slow, after_egress, run_pending = self._slow, self._after_egress, self._run_pending

        def process(port: int, data: bytes) -> list[tuple[int, bytes]]:
            """Run one received packet and everything it causes; return what is transmitted."""
            P = template[:]
            n = len(data)
            P[s_in_port] = port
            P[s_plen] = n
            P[0] = n  # SLOT_LEN_REG
            P[1] = n  # SLOT_INGRESS_LEN
            now = (mono() - t0) // 1000 if default_clock else clock()
            P[s_in_ts] = now & 0xFFFFFFFFFFFF
            try:
                # fast path: one unicast (or dropped) packet without clones, digests or loops
                pos = parse(P, data)
                payload = data[pos:]
                if has_verify:
                    verify(P, payload)
                ingress(P)
                if P[2] or P[7] is not None or P[4] or P[s_mcast]:  # clone, digest, resubmit
                    return slow(P, data, payload, now, [])
                es = P[s_egress_spec]
                if es == DROP_PORT or P[s_prio]:
                    return []
                assert isinstance(es, int)
                P[s_itype] = NORMAL
                P[s_enq_ts] = now & 0xFFFFFFFF
                P[s_eg_ts] = now & 0xFFFFFFFFFFFF
                P[s_deq_td] = 0
                P[s_egress_port] = es
                P[s_egress_spec] = 0  # BMv2 writes drop_port + 1 = 512, which is 0 in 9 bits
                P[s_plen] = P[0]
                if has_egress:
                    egress(P)
                if P[2] or P[5]:  # E2E clone or recirculate
                    out: list[tuple[int, bytes]] = []
                    pending: list[tuple[PHV, bytes]] = []
                    after_egress(P, es, payload, n + HEADROOM, now, out, pending, None)
                    return run_pending(out, pending, now)
                if P[s_egress_spec] == DROP_PORT:
                    return []
                if has_compute:
                    compute(P, payload)
                parts = deparse(P)
                parts.append(payload)
                pkt = b"".join(parts)
                if len(pkt) > n + HEADROOM:
                    log.warning("dropping a packet whose headers grew by more than %d bytes", HEADROOM)
                    return []
                cap = P[6]  # SLOT_TRUNCATE
                assert isinstance(cap, int)
                if cap >= 0:
                    pkt = pkt[:cap]
                return [(es, pkt)]
            except FatalError as exc:
                raise PipelineFatal(str(exc)) from None

        return process

    def _slow(self, P: PHV, data: bytes, payload: bytes, now: int, out: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
        """The general path after the first ingress pass: clones, digests, resubmit, multicast."""
        pending: list[tuple[PHV, bytes]] = []
        self._after_ingress(P, data, payload, now, out, pending)
        return self._run_pending(out, pending, now)

    def _run_pending(self, out: list[tuple[int, bytes]], pending: list[tuple[PHV, bytes]],
                     now: int) -> list[tuple[int, bytes]]:
        """Resubmitted and recirculated packets, in order, until none is left."""
        i = 0
        while i < len(pending):
            if i + 1 >= self.max_passes:
                log.warning("dropping a packet that went through ingress %d times (recirculation loop?)",
                            self.max_passes)
                break
            P, data = pending[i]
            pending[i] = _DONE
            i += 1
            self._ingress(P, data, now, out, pending)
        return out

    def _fresh(self, src: PHV, field_list: int, instance_type: int) -> PHV:
        """A PHV with all metadata zeroed except the field list copied from ``src``."""
        prog = self.program
        Q = prog.template[:]
        for s in prog.field_lists.get(field_list, ()):
            Q[s] = src[s]
        Q[self._instance_type] = instance_type
        return Q

    def _reset_metadata(self, src: PHV, field_list: int, instance_type: int) -> PHV:
        """Headers of ``src`` kept, metadata zeroed, field list copied, instance type set."""
        Q = self._fresh(src, field_list, instance_type)
        for a, b in self.program.header_ranges:
            Q[a:b] = src[a:b]
        return Q

    def _ingress(self, P: PHV, data: bytes, now: int, out: list[tuple[int, bytes]],
                 pending: list[tuple[PHV, bytes]]) -> None:
        """One ingress pass (of a resubmitted or recirculated packet) and its egress copies."""
        prog = self.program
        pos = prog.parse(P, data)
        payload = data[pos:]
        if prog.has_verify:
            prog.verify(P, payload)
        prog.ingress(P)
        self._after_ingress(P, data, payload, now, out, pending)

    def _after_ingress(self, P: PHV, data: bytes, payload: bytes, now: int, out: list[tuple[int, bytes]],
                       pending: list[tuple[PHV, bytes]]) -> None:
        limit = len(data) + HEADROOM
        jobs: list[tuple[PHV, int, bytes, int]] = []
        self._end_of_ingress(P, data, payload, limit, now, jobs, pending)
        k = 0
        while k < len(jobs):
            Q, port, pl, lim = jobs[k]
            k += 1
            self._egress(Q, port, pl, lim, now, out, pending, jobs)

    def _end_of_ingress(self, P: PHV, data: bytes, payload: bytes, limit: int, now: int,
                        jobs: list[tuple[PHV, int, bytes, int]], pending: list[tuple[PHV, bytes]]) -> None:
        prog = self.program
        ingress_len = P[SLOT_LEN_REG]
        # 1. clone
        clone = P[SLOT_CLONE]
        if clone:
            P[SLOT_CLONE] = 0
            fl = P[SLOT_CLONE_FL]
            assert isinstance(clone, int) and isinstance(fl, int)
            session = self.pre.clone_session(clone & ~CLONE_REQUESTED)
            if session is not None:
                C = prog.template[:]
                C[self._ingress_port] = P[self._ingress_port]
                cpos = prog.parse(C, data)
                # headers from the new parse; metadata zeroed except the field list of the original
                Q = self._fresh(P, fl, INGRESS_CLONE)
                for a, b in prog.header_ranges:
                    Q[a:b] = C[a:b]
                C = Q
                C[SLOT_LEN_REG] = ingress_len
                C[SLOT_INGRESS_LEN] = P[SLOT_INGRESS_LEN]
                self._to_session(C, session.mcast_grp, session.egress_port, data[cpos:], limit, now, jobs)
        # 2. digest
        dg = P[SLOT_DIGEST]
        if dg is not None:
            P[SLOT_DIGEST] = None
            assert callable(dg)
            index, values = dg(P)
            name = prog.digest_names[index] if index < len(prog.digest_names) else ""
            self.digests.append(DigestMessage(index, name, tuple(values)))
        # 3. resubmit
        rs = P[SLOT_RESUBMIT]
        if rs:
            assert isinstance(rs, int)
            R = self._fresh(P, rs - 1, RESUBMIT)
            R[SLOT_LEN_REG] = ingress_len
            R[self._packet_length] = ingress_len
            R[SLOT_INGRESS_LEN] = P[SLOT_INGRESS_LEN]
            pending.append((R, data))
            return
        # 4. multicast
        mgid = P[self._mcast_grp]
        if mgid:
            assert isinstance(mgid, int)
            P[self._instance_type] = REPLICATION
            self._multicast(P, mgid, payload, limit, now, jobs)
            return
        # 5. drop
        es = P[self._egress_spec]
        if es == DROP_PORT:
            return
        # 6. unicast
        P[self._instance_type] = NORMAL
        assert isinstance(es, int)
        self._enqueue(P, es, payload, limit, now, jobs)

    def _multicast(self, P: PHV, mgid: int, payload: bytes, limit: int, now: int,
                   jobs: list[tuple[PHV, int, bytes, int]]) -> None:
        rid_slot = self._egress_rid
        for rid, port in self.pre.replicas(mgid):
            Q = P[:]
            Q[rid_slot] = rid
            Q[SLOT_TRUNCATE] = -1
            self._enqueue(Q, port, payload, limit, now, jobs)

    def _to_session(self, C: PHV, mgrp: int | None, port: int | None, payload: bytes, limit: int, now: int,
                    jobs: list[tuple[PHV, int, bytes, int]]) -> None:
        if mgrp is not None:
            self._multicast(C, mgrp, payload, limit, now, jobs)
        if port is not None:
            self._enqueue(C if mgrp is None else C[:], port, payload, limit, now, jobs)

    def _enqueue(self, P: PHV, port: int, payload: bytes, limit: int, now: int,
                 jobs: list[tuple[PHV, int, bytes, int]]) -> None:
        if self._priority is not None and P[self._priority]:
            log.debug("priority %s out of range (one queue per port): packet dropped", P[self._priority])
            return
        if self._enq_ts is not None:
            P[self._enq_ts] = now & 0xFFFFFFFF
        jobs.append((P, port, payload, limit))

    def _egress(self, P: PHV, port: int, payload: bytes, limit: int, now: int, out: list[tuple[int, bytes]],
                pending: list[tuple[PHV, bytes]], jobs: list[tuple[PHV, int, bytes, int]] | None) -> None:
        prog = self.program
        if self._eg_ts is not None:
            P[self._eg_ts] = now & 0xFFFFFFFFFFFF
        if self._deq_td is not None:
            P[self._deq_td] = 0
        P[self._egress_port] = port
        P[self._egress_spec] = 0  # BMv2 writes drop_port + 1 = 512, which is 0 in 9 bits
        P[self._packet_length] = P[SLOT_LEN_REG]
        if prog.has_egress:
            prog.egress(P)
        self._after_egress(P, port, payload, limit, now, out, pending, jobs)

    def _after_egress(self, P: PHV, port: int, payload: bytes, limit: int, now: int, out: list[tuple[int, bytes]],
                      pending: list[tuple[PHV, bytes]], jobs: list[tuple[PHV, int, bytes, int]] | None) -> None:
        # 1. E2E clone
        clone = P[SLOT_CLONE]
        if clone:
            P[SLOT_CLONE] = 0
            fl = P[SLOT_CLONE_FL]
            assert isinstance(clone, int) and isinstance(fl, int)
            session = self.pre.clone_session(clone & ~CLONE_REQUESTED)
            if session is not None:
                C = self._reset_metadata(P, fl, EGRESS_CLONE)
                C[SLOT_LEN_REG] = P[SLOT_LEN_REG]
                C[SLOT_INGRESS_LEN] = P[SLOT_INGRESS_LEN]
                own = jobs is None
                q: list[tuple[PHV, int, bytes, int]] = [] if jobs is None else jobs
                self._to_session(C, session.mcast_grp, session.egress_port, payload, limit, now, q)
                if own:
                    # clones leave after the original (same-port order as on BMv2)
                    self._finish(P, port, payload, limit, out, pending)
                    k = 0
                    while k < len(q):
                        Q, qport, pl, lim = q[k]
                        k += 1
                        self._egress(Q, qport, pl, lim, now, out, pending, q)
                    return
        self._finish(P, port, payload, limit, out, pending)

    def _finish(self, P: PHV, port: int, payload: bytes, limit: int, out: list[tuple[int, bytes]],
                pending: list[tuple[PHV, bytes]]) -> None:
        """End of egress after the E2E clone: drop, deparse, recirculate or transmit."""
        prog = self.program
        # 2. drop
        if P[self._egress_spec] == DROP_PORT:
            return
        # 3. deparse
        if prog.has_compute:
            prog.compute(P, payload)
        parts = prog.deparse(P)
        parts.append(payload)
        pkt = b"".join(parts)
        if len(pkt) > limit:
            log.warning("dropping a packet whose headers grew by more than %d bytes", HEADROOM)
            return
        # 4. recirculate
        rc = P[SLOT_RECIRC]
        if rc:
            assert isinstance(rc, int)
            R = self._fresh(P, rc - 1, RECIRC)
            n = len(pkt)
            R[SLOT_LEN_REG] = n
            R[self._packet_length] = n
            R[SLOT_INGRESS_LEN] = n
            pending.append((R, pkt))
            return
        # 5. transmit
        cap = P[SLOT_TRUNCATE]
        assert isinstance(cap, int)
        if cap >= 0:
            pkt = pkt[:cap]
        out.append((port, pkt))


_DONE: tuple[PHV, bytes] = ([], b"")
