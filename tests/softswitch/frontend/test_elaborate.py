"""Elaboration: the instance tree under ``main`` and p4c's qualified names (expected names come
from the real p4c P4Info of the golden programs in tests/softswitch/p4info/golden)."""

from __future__ import annotations

from pathlib import Path

import pytest

from softswitch.frontend.compiler import compile_file
from softswitch.frontend.errors import P4Error
from softswitch.frontend.instances import Elaborated

GOLDEN = Path(__file__).parents[1] / "p4info" / "golden"

HEAD = """\
#include <core.p4>
#include <v1model.p4>
header h_t { bit<8> a; bit<16> b; }
struct headers_t { h_t h; }
struct meta_t { bit<8> x; }
parser P(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.h); transition accept; }
}
control VC(inout headers_t hdr, inout meta_t m) { apply { } }
control Egr(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout meta_t m) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.h); } }
"""


def elaborate_text(
    tmp_path: Path, body: str, main: str = "V1Switch(P(), VC(), Ing(), Egr(), CC(), D()) main;"
) -> Elaborated:
    path = tmp_path / "e.p4"
    path.write_text(HEAD + body + "\n" + main + "\n")
    return compile_file(path).elaborated


def test_golden_subcontrols_names() -> None:
    e = compile_file(GOLDEN / "subcontrols.p4").elaborated
    assert list(e.blocks) == ["p", "vr", "ig", "eg", "ck", "dep"]
    assert [b.path for b in e.blocks.values()] == ["P", "VC", "Ing", "Egr", "CC", "D"]
    ing = e.blocks["ig"]
    assert set(ing.children) == {"inbound", "outbound"}
    assert ing.children["inbound"].path == "Ing.inbound"
    assert ing.children["inbound"].parent is ing
    assert [t.name for t in e.all_tables] == [
        "Ing.inbound.rules",
        "Ing.outbound.rules",
        "Ing.nexthop",
        "Ing.ecmp",
    ]
    names = [a.name for a in e.all_actions]
    assert names == ["NoAction", "Ing.inbound.block", "Ing.outbound.block", "Ing.set_nh", "Ing.set_port"]
    assert [x.name for x in e.all_externs] == ["Ing.nh_profile", "Ing.ecmp_selector"]
    sel = e.all_externs[1]
    assert sel.args == [2, 64, 14]  # HashAlgorithm.crc16 is member 2
    assert sel.ctor is not None and sel.ctor.name == "action_selector"
    assert ing.tables["ecmp"].properties["implementation"] is sel


def test_golden_annotations_names() -> None:
    e = compile_file(GOLDEN / "annotations.p4").elaborated
    ing = e.blocks["ig"]
    assert ing.actions["drop"].name == "Ing.discard"
    assert ing.actions["rg"].name == "renamed_global"
    assert ing.actions["hidden_act"].hidden
    assert not ing.actions["fwd"].hidden
    assert ing.tables["routes"].name == "Ing.routing_table"
    assert e.top_actions["global_noop"].name == "global_noop"
    assert e.top_actions["global_noop"].block is None


def test_golden_resources_and_value_sets() -> None:
    e = compile_file(GOLDEN / "resources.p4").elaborated
    externs = {x.name: x for x in e.all_externs}
    assert externs["Ing.port_counter"].args == [1024, 2]  # packets_and_bytes
    assert str(externs["Ing.last_seen"].type) == "register<bit<32>>"
    acl = e.blocks["ig"].tables["acl"]
    assert acl.properties["counters"] is externs["Ing.acl_hits"]
    assert acl.properties["meters"] is externs["Ing.acl_policer"]
    t = compile_file(GOLDEN / "types.p4").elaborated
    (vs,) = t.all_value_sets
    assert (vs.name, vs.size, vs.block.path) == ("P.ether_types", 4, "P")


def test_nested_instances_constructor_parameters_and_renames(tmp_path: Path) -> None:
    body = """
control Inner(inout meta_t m)(bit<8> inc) {
    @name("bump") action add() { m.x = m.x + inc; }
    table t { actions = { add; } default_action = add(); }
    apply { t.apply(); }
}
control Middle(inout meta_t m)(bit<8> step) {
    Inner(step) deep;
    @name("other") Inner(8w3) second;
    counter(step == 8w1 ? 32w10 : 32w20, CounterType.packets) c;
    apply { deep.apply(m); second.apply(m); }
}
control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    Middle(1) mid;
    @name(".top_level_table") table g { actions = { NoAction; } }
    apply { mid.apply(m); g.apply(); }
}
"""
    e = elaborate_text(tmp_path, body)
    ing = e.blocks["ig"]
    mid = ing.children["mid"]
    assert mid.path == "Ing.mid" and mid.ctor_values == {"step": 1}
    assert mid.children["deep"].path == "Ing.mid.deep"
    assert mid.children["deep"].ctor_values == {"inc": 1}
    assert mid.children["second"].path == "Ing.mid.other"
    assert mid.children["second"].ctor_values == {"inc": 3}
    assert [t.name for t in e.all_tables] == ["Ing.mid.deep.t", "Ing.mid.other.t", "top_level_table"]
    assert "Ing.mid.deep.bump" in [a.name for a in e.all_actions]
    assert [x.name for x in e.all_externs] == ["Ing.mid.c"]
    assert e.all_externs[0].args == [10, 0]  # folded once step is known


def test_instances_declared_at_top_level_are_named_by_type(tmp_path: Path) -> None:
    body = "control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {\n"
    body += "    table t { actions = { NoAction; } } apply { t.apply(); } }\n"
    e = elaborate_text(tmp_path, body)
    assert e.all_tables[0].name == "Ing.t"


def test_v1model_version_and_error_codes(tmp_path: Path) -> None:
    body = "error { Oops, Again }\n"
    body += "control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply { } }\n"
    e = elaborate_text(tmp_path, body)
    assert e.v1model_version == 20180101
    assert e.errors["NoError"] == 0 and e.errors["ParserInvalidArgument"] == 6
    assert e.errors["Oops"] == 7 and e.errors["Again"] == 8


def test_direct_type_invocation_creates_an_instance(tmp_path: Path) -> None:
    body = """
control Sub(inout meta_t m) { table s { actions = { NoAction; } } apply { s.apply(); } }
control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply { Sub.apply(m); } }
"""
    e = elaborate_text(tmp_path, body)
    assert e.blocks["ig"].children["Sub"].path == "Ing.Sub"
    assert [t.name for t in e.all_tables] == ["Ing.Sub.s"]


def test_main_must_be_a_package(tmp_path: Path) -> None:
    body = "control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply { } }\n"
    with pytest.raises(P4Error) as info:
        elaborate_text(tmp_path, body, main="")
    assert "no 'main'" in info.value.message
