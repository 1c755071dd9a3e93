"""The P4Info of p4src/edge.p4 holds the controller contract of p4src/README.md.

Checked on softswitch's P4Info; when the reference compiler ``p4c-bm2-ss`` is on PATH, the program
must also compile with it without a single warning and give the same P4Info.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from finsy.proto import p4i

from softswitch.frontend.compiler import compile_file
from softswitch.frontend.p4info_spec import to_program_spec
from softswitch.p4info.build import build_p4info
from softswitch.p4info.textformat import p4info_from_text, p4info_to_text

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "p4src" / "edge.p4"

PER_DEVICE_TABLES = {
    "EdgeIngress.access.device_v6": ["port", "vlan", "src_addr"],
    "EdgeIngress.access.device_v4": ["port", "vlan", "src_addr"],
    "EdgeIngress.access.known_addr_v6": ["addr"],
    "EdgeIngress.access.known_addr_v4": ["addr"],
    "EdgeIngress.downstream.device_down_v6": ["dst_addr"],
    "EdgeIngress.downstream.device_down_v4": ["dst_addr"],
    "EdgeIngress.housekeeping.nd_proxy": ["port", "vlan", "target_addr"],
    "EdgeIngress.housekeeping.arp_proxy": ["port", "vlan", "target_addr"],
    "EdgeEgress.mcast_member": ["port", "rid"],
}
EXACT, LPM = 2, 3  # p4.config.v1.MatchField.MatchType
NOTIFY_CONTROL = 1  # p4.config.v1.Table.IdleTimeoutBehavior
BYTES, PACKETS, BOTH = 1, 2, 3  # CounterSpec / MeterSpec units


@pytest.fixture(scope="module")
def info() -> p4i.P4Info:
    result: p4i.P4Info = build_p4info(to_program_spec(compile_file(PROGRAM, [], {}).elaborated))
    return result


def _table(info: p4i.P4Info, name: str) -> p4i.Table:
    for t in info.tables:
        if t.preamble.name == name:
            found: p4i.Table = t
            return found
    raise AssertionError(f"no table {name}")


def _action_names(info: p4i.P4Info, table: p4i.Table) -> set[str]:
    by_id = {a.preamble.id: a.preamble.name for a in info.actions}
    return {by_id[r.id] for r in table.action_refs}


def test_per_device_tables_are_exact_and_hold_a_million(info: p4i.P4Info) -> None:
    for name, keys in PER_DEVICE_TABLES.items():
        t = _table(info, name)
        assert t.size == 1_000_000, name
        assert [m.name for m in t.match_fields] == keys, name
        assert all(m.match_type == EXACT for m in t.match_fields), name


def test_device_tables_carry_idle_timeout_counter_and_meter(info: p4i.P4Info) -> None:
    direct_counters = {c.preamble.id: c for c in info.direct_counters}
    direct_meters = {m.preamble.id: m for m in info.direct_meters}
    for fam in ("v6", "v4"):
        t = _table(info, f"EdgeIngress.access.device_{fam}")
        assert t.idle_timeout_behavior == NOTIFY_CONTROL
        counters = [direct_counters[i] for i in t.direct_resource_ids if i in direct_counters]
        meters = [direct_meters[i] for i in t.direct_resource_ids if i in direct_meters]
        assert [c.spec.unit for c in counters] == [BOTH]
        assert [m.spec.unit for m in meters] == [BYTES]
        assert _action_names(info, t) == {f"EdgeIngress.access.admit_{fam}", "NoAction"}


def test_every_table_and_action_is_documented(info: p4i.P4Info) -> None:
    readme = (ROOT / "p4src" / "README.md").read_text()
    for t in info.tables:
        assert t.preamble.doc.brief, t.preamble.name
        assert f"`{t.preamble.name}`" in readme, f"{t.preamble.name} missing from p4src/README.md"
    for a in info.actions:
        if a.preamble.name != "NoAction":
            assert a.preamble.doc.brief, a.preamble.name
            assert a.preamble.alias in readme, f"{a.preamble.alias} missing from p4src/README.md"


def test_prefix_tables_are_lpm_per_customer(info: p4i.P4Info) -> None:
    for name in ("upstream.allowed_dst_v6", "upstream.allowed_dst_v4",
                 "downstream.endpoint_src_v6", "downstream.endpoint_src_v4"):
        t = _table(info, f"EdgeIngress.{name}")
        kinds = [(m.name, m.match_type) for m in t.match_fields]
        assert kinds[0] == ("customer_id", EXACT)
        assert kinds[1][1] == LPM


def test_controller_io_formats(info: p4i.P4Info) -> None:
    meta = {m.preamble.name: [(f.name, f.bitwidth) for f in m.metadata] for m in info.controller_packet_metadata}
    assert meta == {
        "packet_out": [("egress_port", 9), ("mcast_grp", 16), ("customer_id", 16), ("_reserved", 71)],
        "packet_in": [("ingress_port", 9), ("reason", 8), ("_pad", 7)],
    }
    assert [d.preamble.name for d in info.digests] == ["access_request_t"]
    struct = info.type_info.structs["access_request_t"]
    assert [(m.name, m.type_spec.bitstring.bit.bitwidth) for m in struct.members] == [
        ("ingress_port", 9), ("vlan", 12), ("src_mac", 48), ("src_addr", 128),
    ]
    meters = {m.preamble.name: m for m in info.meters}
    assert meters["EdgeIngress.to_controller.request_meter"].size == 512
    assert meters["EdgeIngress.to_controller.request_meter"].spec.unit == PACKETS


def test_cpu_port_is_set_by_the_default_action(info: p4i.P4Info) -> None:
    t = _table(info, "EdgeIngress.ports.cpu_port")
    assert list(t.match_fields) == []
    assert not t.const_default_action_id
    assert "EdgeIngress.ports.set_cpu_port" in _action_names(info, t)


P4C = shutil.which("p4c-bm2-ss")


@pytest.mark.skipif(P4C is None, reason="p4c-bm2-ss (the reference compiler) is not on PATH")
def test_reference_compiler_accepts_it_silently_with_the_same_p4info(
    info: p4i.P4Info, tmp_path: Path
) -> None:
    assert P4C is not None
    out = tmp_path / "edge.p4info.txtpb"
    proc = subprocess.run(
        [P4C, "--p4runtime-files", str(out), "-o", str(tmp_path / "edge.json"), str(PROGRAM)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "" and proc.stdout.strip() == "", proc.stdout + proc.stderr
    reference = p4info_from_text(out.read_text())
    assert _canonical(info) == _canonical(reference)


def _canonical(info: p4i.P4Info) -> str:
    """The P4Info as text with every repeated top-level entity list sorted by id."""
    copy = p4i.P4Info()
    copy.CopyFrom(info)
    for field in ("tables", "actions", "counters", "direct_counters", "meters", "direct_meters",
                  "registers", "digests", "controller_packet_metadata"):
        items = sorted(getattr(copy, field), key=lambda e: e.preamble.id)
        del getattr(copy, field)[:]
        getattr(copy, field).extend(items)
    return p4info_to_text(copy)
