"""In-process packet rate of the softswitch engine on an edge-style VLAN/IPv6/UDP pipeline.

The program (bench/programs/engine_pps.p4) parses Ethernet/802.1Q/IPv6/UDP, does four lookups
(exact with a direct counter, ternary, lpm, exact), rewrites the packet, updates the UDP checksum
over the payload and deparses. Prints packets per second and microseconds per packet; asserts
nothing.

Run: ``PYTHONPATH=. python bench/engine_pps.py [--packets N] [--profile]``
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import random
import struct
import time
from pathlib import Path

from softswitch.engine.pipeline import Switch
from softswitch.engine.program import Program
from softswitch.frontend.compiler import compile_file

PROGRAM = Path(__file__).resolve().parent / "programs" / "engine_pps.p4"
N_VRFS = 4
N_ROUTES = 1000
N_NEXTHOPS = 64


def build_packet(rng: random.Random, port_vid: int, dst: int, dport: int) -> bytes:
    payload = bytes(rng.getrandbits(8) for _ in range(64))
    udp = struct.pack("!HHHH", rng.randrange(1024, 65535), dport, 8 + len(payload), 0) + payload
    src = (0x20010DB8 << 96) | rng.getrandbits(64)
    ipv6 = struct.pack("!IHBB", 6 << 28, len(udp), 17, 64) + src.to_bytes(16, "big") + dst.to_bytes(16, "big")
    vlan = struct.pack("!HH", port_vid & 0xFFF, 0x86DD)
    eth = bytes.fromhex("0000000000aa0000000000bb") + struct.pack("!H", 0x8100)
    return eth + vlan + ipv6 + udp


def setup(program: Program, rng: random.Random) -> list[tuple[int, bytes]]:
    port_vlan = program.table("EdgeIngress.port_vlan")
    for port in range(4):
        for vid in range(10, 10 + N_VRFS):
            port_vlan.add([port, vid], "EdgeIngress.set_vrf", [vid - 9])
    acl = program.table("EdgeIngress.acl")
    acl.add([(0, 0), (23, 0xFFFF)], "EdgeIngress.drop", [], priority=10)
    acl.add([(0xFE80 << 112, 0xFFFF << 112), (0, 0)], "EdgeIngress.drop", [], priority=5)
    route = program.table("EdgeIngress.route")
    prefixes: list[tuple[int, int]] = []
    for i in range(N_ROUTES):
        vrf = 1 + i % N_VRFS
        plen = rng.choice((48, 56, 64))
        value = ((0x20010DB8 << 96) | (rng.getrandbits(32) << 64)) & (((1 << plen) - 1) << (128 - plen))
        try:
            route.add([vrf, (value, plen)], "EdgeIngress.set_nexthop", [i % N_NEXTHOPS])
        except Exception:
            continue
        prefixes.append((vrf, value))
    nexthop = program.table("EdgeIngress.nexthop")
    for nh in range(N_NEXTHOPS):
        nexthop.add([nh], "EdgeIngress.rewrite", [0x020000000000 | nh, 0x02000000FF00, 100 + nh, 1 + nh % 8])
    packets = []
    for _ in range(256):
        vrf, prefix = rng.choice(prefixes)
        dst = prefix | rng.getrandbits(64)
        port = rng.randrange(4)
        packets.append((port, build_packet(rng, 9 + vrf, dst, rng.choice((53, 80, 443, 4789)))))
    return packets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the run")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    rng = random.Random(1)
    t0 = time.perf_counter()
    program = Program.from_frontend(compile_file(PROGRAM))
    load_s = time.perf_counter() - t0
    switch = Switch(program)
    packets = setup(program, rng)
    process = switch.process
    for port, data in packets:
        assert process(port, data), "benchmark packet was dropped"
    n = args.packets
    work = [packets[i % len(packets)] for i in range(n)]
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    start = time.perf_counter()
    cpu_start = time.process_time()
    for port, data in work:
        process(port, data)
    cpu = time.process_time() - cpu_start
    elapsed = time.perf_counter() - start
    if profiler is not None:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    print(f"program load (compile + codegen): {load_s * 1000:.1f} ms")
    print(f"{n} packets in {elapsed:.3f} s: {n / elapsed:,.0f} packets/s, {elapsed / n * 1e6:.2f} us/packet")
    print(f"  CPU time {cpu:.3f} s: {n / cpu:,.0f} packets/s, {cpu / n * 1e6:.2f} us/packet (less affected by other load)")


if __name__ == "__main__":
    main()
