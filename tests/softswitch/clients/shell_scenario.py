"""A p4runtime-shell session against a running switch, through the shell's own Python API.

Run by ``test_p4runtime_shell.py`` with the tools venv's python (p4runtime-shell pins protobuf
3.20, so it cannot share the project's venv), from the repository root::

    PYTHONPATH=. .venv-tools/bin/python tests/softswitch/clients/shell_scenario.py \\
        --grpc-addr HOST:PORT --p4info L2.p4info.txtpb --config L2.bin

It plays :mod:`l2_scenario`: pushes the pipeline, inserts, reads, modifies and deletes ``l2``
entries, programs a multicast group and a clone session, sends PacketOuts and checks the PacketIns
they cause. Each step prints ``ok: <step>``; the last line is ``scenario passed``. A failed check
prints ``FAILED: <why>`` and exits with status 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable
from typing import Any

from tests.softswitch.clients.l2_scenario import (
    CLONE_REPLICAS,
    CLONE_SESSION,
    CPU_PORT,
    DELETED,
    FLOODED,
    INGRESS_CLONE,
    INSERTED,
    MCAST_GROUP,
    MCAST_REPLICAS,
    MIRRORED,
    MODIFIED,
    NORMAL,
    REPLICATION,
    UNKNOWN,
    frame,
    mac_bytes,
)

PACKET_IN_TIMEOUT_S = 10.0

#: ``p4runtime_sh.shell``, imported by :func:`main` once this module's own imports are done (the
#: shell brings IPython, which puts a package named ``tests`` on sys.path).
sh: Any = None

Expected = tuple[int, int | None, int]  # (ingress_port, replica or None for any, instance_type)


class ScenarioFailed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise ScenarioFailed(message)


def ok(step: str) -> None:
    print(f"ok: {step}", flush=True)


def as_int(data: bytes) -> int:
    return int.from_bytes(data, "big")


def l2_entry(dst: str, action: str, params: dict[str, int]) -> Any:
    """A shell TableEntry for ``l2`` (the shell takes every value as a string)."""
    entry = sh.TableEntry("l2")(action=action)
    entry.match["dst_addr"] = dst
    for name, value in params.items():
        entry.action[name] = str(value)
    return entry


def read_l2() -> dict[bytes, tuple[str, dict[str, int]]]:
    """Every l2 entry on the switch: destination MAC -> (action name, parameters)."""
    found: dict[bytes, tuple[str, dict[str, int]]] = {}
    for entry in sh.TableEntry("l2").read():
        dst = entry.match["dst_addr"].exact.value
        action = entry.action
        params = {name: as_int(action[name].value) for name in action._param_values}
        found[dst.rjust(6, b"\x00")] = (action.action_name.rsplit(".", 1)[-1], params)
    return found


def packet_out(payload: bytes, *, egress_port: int, use_tables: int) -> None:
    sh.PacketOut(payload, egress_port=str(egress_port), use_tables=str(use_tables)).send()


def collect_packet_ins(sniffer: Any, count: int, timeout: float = PACKET_IN_TIMEOUT_S) -> list[Any]:
    """Poll the shell's PacketIn sniffer until ``count`` messages came or ``timeout`` passed."""
    got: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        got.extend(sniffer.sniff(timeout=0.1))
    return got


def expect_packet_ins(
    sniffer: Any, send: Callable[[], None], expected: list[Expected], payload: bytes, step: str
) -> None:
    """Send, then check the PacketIns' metadata (sorted) and that the payload is unchanged."""
    send()
    messages = collect_packet_ins(sniffer, len(expected))
    got = []
    for message in messages:
        metadata = {m.metadata_id: as_int(m.value) for m in message.packet.metadata}
        got.append((metadata[1], metadata[3], metadata[4]))  # ingress_port, replica, instance_type
        check(message.packet.payload == payload, f"{step}: payload {message.packet.payload!r}")
    got.sort()
    matches = len(got) == len(expected) and all(
        g[0] == e[0] and e[1] in (None, g[1]) and g[2] == e[2] for g, e in zip(got, expected, strict=True)
    )
    check(matches, f"{step}: PacketIn metadata {got}, expected {expected}")
    ok(step)


def scenario() -> None:
    ok("setup pushed the pipeline")
    for dst, (action, params) in INSERTED.items():
        l2_entry(dst, action, params).insert()
    ok(f"inserted {len(INSERTED)} l2 entries")

    found = read_l2()
    check(len(found) == len(INSERTED), f"read {len(found)} entries, expected {len(INSERTED)}")
    for dst, want in INSERTED.items():
        check(found.get(mac_bytes(dst)) == want, f"entry {dst}: read {found.get(mac_bytes(dst))}, want {want}")
    ok("read back every entry")

    l2_entry(MODIFIED, "to_cpu", {}).modify()
    one = l2_entry(MODIFIED, "to_cpu", {})
    one.clear_action()
    matches = list(one.read())
    check(len(matches) == 1, f"a read of one entry returned {len(matches)}")
    check(matches[0].action.action_name.endswith("to_cpu"), f"modified entry reads as {matches[0].action}")
    ok("modified an entry")

    l2_entry(DELETED, "to_cpu", {}).delete()
    found = read_l2()
    check(mac_bytes(DELETED) not in found and len(found) == len(INSERTED) - 1, f"after delete: {sorted(found)}")
    ok("deleted an entry")

    group = sh.MulticastGroupEntry(MCAST_GROUP)
    for port, instance in MCAST_REPLICAS:
        group.add(port, instance)
    group.insert()
    groups = list(sh.MulticastGroupEntry(MCAST_GROUP).read())
    check(len(groups) == 1, f"read {len(groups)} multicast groups")
    replicas = sorted((r.egress_port, r.instance) for r in groups[0].replicas)
    check(replicas == sorted(MCAST_REPLICAS), f"multicast replicas read back as {replicas}")
    ok("programmed a multicast group")

    session = sh.CloneSessionEntry(CLONE_SESSION)
    for port, instance in CLONE_REPLICAS:
        session.add(port, instance)
    session.insert()
    sessions = list(sh.CloneSessionEntry(CLONE_SESSION).read())
    check(len(sessions) == 1, f"read {len(sessions)} clone sessions")
    replicas = [(r.egress_port, r.instance) for r in sessions[0].replicas]
    check(replicas == list(CLONE_REPLICAS), f"clone session replicas read back as {replicas}")
    ok("programmed a clone session")

    sniffer = sh.PacketIn()
    expect_packet_ins(
        sniffer,
        lambda: packet_out(frame(UNKNOWN), egress_port=CPU_PORT, use_tables=0),
        [(CPU_PORT, 0, NORMAL)],
        frame(UNKNOWN),
        "a PacketOut to the CPU port comes back as a PacketIn",
    )
    expect_packet_ins(
        sniffer,
        lambda: packet_out(frame(MODIFIED), egress_port=0, use_tables=1),
        [(CPU_PORT, 0, NORMAL)],
        frame(MODIFIED),
        "the modified entry sends the packet to the CPU",
    )
    expect_packet_ins(
        sniffer,
        lambda: packet_out(frame(FLOODED), egress_port=0, use_tables=1),
        [(CPU_PORT, instance, REPLICATION) for _port, instance in MCAST_REPLICAS],
        frame(FLOODED),
        "the multicast group makes one PacketIn per replica",
    )
    # An I2E clone starts egress with its metadata zeroed, ingress_port included (v1model/BMv2).
    expect_packet_ins(
        sniffer,
        lambda: packet_out(frame(MIRRORED), egress_port=0, use_tables=1),
        [(0, None, INGRESS_CLONE)],
        frame(MIRRORED),
        "the clone session copies the packet to the CPU",
    )
    print("scenario passed", flush=True)


def run(grpc_addr: str, p4info: str, config: str) -> None:
    sh.setup(
        device_id=0,
        grpc_addr=grpc_addr,
        election_id=(0, 1),
        config=sh.FwdPipeConfig(p4info, config),
        verbose=False,
    )
    try:
        scenario()
    finally:
        sh.teardown()


def main() -> int:
    parser = argparse.ArgumentParser(description="p4runtime-shell scenario against a running switch")
    parser.add_argument("--grpc-addr", required=True)
    parser.add_argument("--p4info", required=True)
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    global sh
    sh = importlib.import_module("p4runtime_sh.shell")
    try:
        run(args.grpc_addr, args.p4info, args.config)
    except ScenarioFailed as err:
        print(f"FAILED: {err}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
