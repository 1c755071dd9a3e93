"""P4Info building and text output (softswitch.p4info.build) against real p4c 1.2.4.8 output.

Each golden program's ProgramSpec is written here by hand, from reading the .p4 source as the
front-end's elaboration is meant to (rules in softswitch/p4info/model.py), and the text must
equal the golden file p4c wrote byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from softswitch.p4info.build import build_p4info, write_p4info_text
from softswitch.p4info.ids import SymbolKind, hashed_id
from softswitch.p4info.model import (
    ActionProfileSpec,
    ActionRefSpec,
    ActionSpec,
    Annotation,
    BitsType,
    BoolType,
    ControllerFieldSpec,
    ControllerHeaderSpec,
    CounterSpec,
    DigestSpec,
    DirectCounterSpec,
    DirectMeterSpec,
    Doc,
    KeySpec,
    MeterSpec,
    NamedType,
    NewTypeDef,
    P4InfoError,
    ParamSpec,
    ProgramSpec,
    RegisterSpec,
    SerEnumDef,
    StackType,
    StructDef,
    TableSpec,
    Translation,
    TupleType,
    TypeCatalog,
    ValueSetMatchSpec,
    ValueSetSpec,
)

GOLDEN = Path(__file__).parent / "golden"

# -- pieces every program shares -------------------------------------------------------------

NO_ACTION = ActionSpec("NoAction", annotations=(Annotation.string("noWarn", "unused"),))
DEFAULT_ONLY = (Annotation.empty("defaultonly"),)
IMPLICIT_NO_ACTION = ActionRefSpec("NoAction", DEFAULT_ONLY)  # added by p4c when no default_action


def bits(width: int) -> BitsType:
    return BitsType(width)


def refs(*names: str) -> tuple[ActionRefSpec, ...]:
    return tuple(ActionRefSpec(n) for n in names)


def key(name: str, width: int, kind: str) -> KeySpec:
    return KeySpec(name, bits(width), kind)


# -- the six golden programs -------------------------------------------------------------------


def match_kinds_spec() -> ProgramSpec:
    return ProgramSpec(
        tables=[
            TableSpec(
                "Ing.exact_t",
                keys=(key("hdr.ethernet.dst", 48, "exact"), KeySpec("hdr.vlan.$valid$", BoolType(), "exact")),
                actions=refs("Ing.fwd", "Ing.drop"),
                size=4096,
            ),
            TableSpec(
                "Ing.lpm_t",
                keys=(key("hdr.ipv4.dstAddr", 32, "lpm"),),
                actions=refs("Ing.fwd", "Ing.drop", "NoAction"),
                const_default_action="NoAction",
                size=65536,
            ),
            TableSpec(
                "Ing.ternary_t",
                keys=(
                    key("hdr.ipv4.srcAddr", 32, "ternary"),
                    key("hdr.ipv4.protocol", 8, "ternary"),
                    key("hdr.ethernet.etherType & 0xff00", 16, "ternary"),
                ),
                actions=(*refs("Ing.set_l4", "Ing.drop"), IMPLICIT_NO_ACTION),
            ),
            TableSpec(
                "Ing.range_t",
                keys=(
                    key("m.l4_port", 16, "range"),
                    key("hdr.vlan.vid", 12, "optional"),
                    key("hdr.ipv4.dstAddr[31:24]", 8, "exact"),
                ),
                actions=(*refs("Ing.fwd", "Ing.drop"), IMPLICIT_NO_ACTION),
                size=100,
            ),
        ],
        actions=[
            NO_ACTION,
            ActionSpec("Ing.drop"),
            ActionSpec("Ing.fwd", (ParamSpec("port", bits(9)),)),
            ActionSpec("Ing.set_l4", (ParamSpec("p", bits(16)), ParamSpec("tag", bits(8)))),
        ],
        uses_type_info=True,
    )


def annotations_spec() -> ProgramSpec:
    return ProgramSpec(
        tables=[
            TableSpec(
                "Ing.routing_table",
                keys=(KeySpec("dst", bits(32), "exact", annotations=(Annotation.string("name", "dst"),)),),
                actions=refs(
                    "Ing.fwd",
                    "Ing.discard",
                    "Ing.only_in_entries",
                    "Ing.only_default",
                    "renamed_global",
                    "global_noop",
                ),
                annotations=(
                    Annotation("id", "0x02000123"),
                    Annotation.string("brief", "Routes by destination"),
                    Annotation.string("name", "routing_table"),
                ),
                doc=Doc(brief="Routes by destination"),
                explicit_id=0x02000123,
            ),
            TableSpec(
                "Ing.fixed",
                keys=(key("hdr.ethernet.etherType", 16, "exact"),),
                actions=(*refs("Ing.fwd", "Ing.discard"), IMPLICIT_NO_ACTION),
                is_const_table=True,
                has_initial_entries=True,
            ),
        ],
        actions=[
            ActionSpec(
                "global_noop",
                annotations=(Annotation.string("brief", "A top-level action"),),
                doc=Doc(brief="A top-level action"),
            ),
            NO_ACTION,
            ActionSpec("Ing.discard", annotations=(Annotation.string("name", "discard"),)),
            ActionSpec(
                "Ing.fwd",
                (ParamSpec("out_port", bits(9), annotations=(Annotation.string("name", "out_port"),)),),
                annotations=(Annotation("id", "0x01000abc"),),
                explicit_id=0x01000ABC,
            ),
            ActionSpec("Ing.only_in_entries", annotations=(Annotation.empty("tableonly"),)),
            ActionSpec("Ing.only_default", annotations=(Annotation.empty("defaultonly"),)),
            ActionSpec("renamed_global", annotations=(Annotation.string("name", ".renamed_global"),)),
        ],
        uses_type_info=True,
    )


def resources_spec() -> ProgramSpec:
    return ProgramSpec(
        tables=[
            TableSpec(
                "Ing.acl",
                keys=(key("hdr.ipv4.srcAddr", 32, "ternary"),),
                actions=refs("Ing.permit", "Ing.deny"),
                direct_counter="Ing.acl_hits",
                direct_meter="Ing.acl_policer",
            ),
            TableSpec(
                "Ing.activity",
                keys=(key("hdr.ethernet.src", 48, "exact"),),
                actions=refs("Ing.touch", "NoAction"),
                support_timeout=True,
            ),
        ],
        actions=[NO_ACTION, ActionSpec("Ing.permit"), ActionSpec("Ing.deny"), ActionSpec("Ing.touch")],
        counters=[
            CounterSpec("Ing.port_counter", "packets_and_bytes", 1024),
            CounterSpec("Ing.byte_counter", "bytes", 64),
        ],
        meters=[MeterSpec("Ing.port_meter", "bytes", 256)],
        direct_counters=[DirectCounterSpec("Ing.acl_hits", "packets")],
        direct_meters=[DirectMeterSpec("Ing.acl_policer", "packets")],
        registers=[
            RegisterSpec("Ing.last_seen", bits(32), 128),
            RegisterSpec("Ing.signed_reg", BitsType(16, signed=True), 8),
        ],
        uses_type_info=True,
    )


def packet_io_digest_spec() -> ProgramSpec:
    def header(type_name: str, controller: str, fields: tuple[tuple[str, int], ...]) -> ControllerHeaderSpec:
        return ControllerHeaderSpec(
            type_name,
            controller,
            tuple(ControllerFieldSpec(n, bits(w)) for n, w in fields),
            annotations=(Annotation.string("controller_header", controller),),
        )

    return ProgramSpec(
        tables=[
            TableSpec(
                "Ing.punt",
                keys=(key("hdr.ethernet.etherType", 16, "exact"),),
                actions=refs("Ing.to_cpu", "Ing.learn", "Ing.learn_list", "NoAction"),
            )
        ],
        actions=[
            NO_ACTION,
            ActionSpec("Ing.to_cpu", (ParamSpec("reason", bits(8)),)),
            ActionSpec("Ing.learn"),
            ActionSpec("Ing.learn_list"),
        ],
        controller_headers=[
            header("packet_in_t", "packet_in", (("ingress_port", 9), ("reason", 8), ("_pad", 7))),
            header("packet_out_t", "packet_out", (("egress_port", 9), ("do_forward", 1), ("_pad", 6))),
        ],
        digests=[
            DigestSpec("learn_t", NamedType("struct", "learn_t")),
            DigestSpec("digest_0", TupleType((bits(32), bits(8)))),
        ],
        types=TypeCatalog(structs={"learn_t": StructDef((("src_mac", bits(48)), ("port", bits(9))))}),
        uses_type_info=True,
    )


def subcontrols_spec() -> ProgramSpec:
    return ProgramSpec(
        tables=[
            TableSpec(
                "Ing.inbound.rules",
                keys=(key("hdr.ipv4.srcAddr", 32, "exact"),),
                actions=refs("Ing.inbound.block", "NoAction"),
            ),
            TableSpec(
                "Ing.outbound.rules",
                keys=(key("hdr.ipv4.srcAddr", 32, "exact"),),
                actions=refs("Ing.outbound.block", "NoAction"),
            ),
            TableSpec(
                "Ing.nexthop",
                keys=(key("hdr.ipv4.dstAddr", 32, "lpm"),),
                actions=refs("Ing.set_nh", "NoAction"),
                implementation="Ing.nh_profile",
            ),
            TableSpec(
                "Ing.ecmp",
                keys=(
                    key("m.nh", 16, "exact"),
                    key("hdr.ipv4.srcAddr", 32, "selector"),
                    key("hdr.ipv4.dstAddr", 32, "selector"),
                ),
                actions=refs("Ing.set_port", "NoAction"),
                implementation="Ing.ecmp_selector",
            ),
        ],
        actions=[
            NO_ACTION,
            ActionSpec("Ing.inbound.block"),
            ActionSpec("Ing.outbound.block"),
            ActionSpec("Ing.set_nh", (ParamSpec("nh", bits(16)),)),
            ActionSpec("Ing.set_port", (ParamSpec("port", bits(9)),)),
        ],
        action_profiles=[
            ActionProfileSpec("Ing.nh_profile", 128),
            ActionProfileSpec("Ing.ecmp_selector", 64, with_selector=True),
        ],
        uses_type_info=True,
    )


def types_spec() -> ProgramSpec:
    return ProgramSpec(
        tables=[
            TableSpec(
                "Ing.by_mac",
                keys=(KeySpec("dmac", bits(48), "exact", annotations=(Annotation.string("name", "dmac"),)),),
                actions=refs("Ing.set_out", "Ing.judge", "NoAction"),
            )
        ],
        actions=[
            NO_ACTION,
            ActionSpec(
                "Ing.set_out",
                (ParamSpec("port", NamedType("new_type", "port_id_t")), ParamSpec("dmac", bits(48))),
            ),
            ActionSpec(
                "Ing.judge",
                (
                    ParamSpec("v", NamedType("serializable_enum", "Verdict")),
                    ParamSpec("delta", BitsType(8, signed=True)),
                ),
            ),
        ],
        value_sets=[ValueSetSpec("P.ether_types", 4, (ValueSetMatchSpec(None, 16),))],
        types=TypeCatalog(
            serializable_enums={"Verdict": SerEnumDef(8, (("PASS", 1), ("FAIL", 2)))},
            new_types={
                "port_id_t": NewTypeDef(
                    bits(9),
                    Translation("example.org/port_id", 32),
                    annotations=(Annotation("p4runtime_translation", '"example.org/port_id", 32'),),
                )
            },
        ),
        uses_type_info=True,
    )


GOLDEN_SPECS = {
    "match_kinds": match_kinds_spec,
    "annotations": annotations_spec,
    "resources": resources_spec,
    "packet_io_digest": packet_io_digest_spec,
    "subcontrols": subcontrols_spec,
    "types": types_spec,
}


@pytest.mark.parametrize("program", sorted(GOLDEN_SPECS))
def test_golden_p4info_text_is_identical(program: str) -> None:
    expected = (GOLDEN / f"{program}.p4info.txtpb").read_text(encoding="utf-8")
    text = write_p4info_text(build_p4info(GOLDEN_SPECS[program]()))
    assert text == expected


@pytest.mark.parametrize("program", sorted(GOLDEN_SPECS))
def test_golden_specs_need_no_extern_call_flag(program: str) -> None:
    # Every golden program has a table, so type_info is written even without the flag.
    spec = GOLDEN_SPECS[program]()
    spec.uses_type_info = False
    expected = (GOLDEN / f"{program}.p4info.txtpb").read_text(encoding="utf-8")
    assert write_p4info_text(build_p4info(spec)) == expected


# -- features the golden files do not show ---------------------------------------------------


def test_empty_program_has_only_pkg_info() -> None:
    assert write_p4info_text(build_p4info(ProgramSpec())) == (
        '# proto-file: p4/config/v1/p4info.proto\n# proto-message: p4.config.v1.P4Info\n\npkg_info {\n  arch: "v1model"\n}\n'
    )


def test_extern_function_calls_force_type_info() -> None:
    info = build_p4info(ProgramSpec(actions=[ActionSpec("Ing.a")], uses_type_info=True))
    assert info.HasField("type_info")
    assert not build_p4info(ProgramSpec(actions=[ActionSpec("Ing.a")])).HasField("type_info")


def test_hidden_table_and_action() -> None:
    spec = ProgramSpec(
        tables=[
            TableSpec("Ing.shown", actions=refs("Ing.secret"), implementation="Ing.prof"),
            TableSpec("Ing.hidden_t", actions=refs("Ing.secret"), hidden=True, implementation="Ing.prof"),
        ],
        actions=[ActionSpec("Ing.secret", hidden=True)],
        action_profiles=[ActionProfileSpec("Ing.prof", 16)],
    )
    info = build_p4info(spec)
    assert [t.preamble.name for t in info.tables] == ["Ing.shown"]
    assert len(info.actions) == 0
    # The hidden action keeps its id in the table's references.
    assert info.tables[0].action_refs[0].id == hashed_id(SymbolKind.ACTION, "Ing.secret")
    # The hidden table still counts for the profile (table ids sorted by table name).
    hidden_id = info.action_profiles[0].table_ids[0]
    assert list(info.action_profiles[0].table_ids) == [hidden_id, info.tables[0].preamble.id]
    assert hidden_id >> 24 == 0x02


def test_doc_and_unprinted_annotations() -> None:
    spec = ProgramSpec(
        actions=[
            ActionSpec(
                "Ing.a",
                (
                    ParamSpec(
                        "p", bits(4), annotations=(Annotation.from_tokens("unit", ['"ms"']),), doc=Doc("b")
                    ),
                ),
                annotations=(
                    Annotation.string("brief", "short"),
                    Annotation.string("description", "long"),
                    Annotation.string("name", "a"),
                    Annotation("id", "7"),
                    Annotation.from_tokens("foo", ["1", ",", '"x"']),
                    Annotation.empty("tableonly"),
                ),
                doc=Doc("short", "long"),
            )
        ]
    )
    action = build_p4info(spec).actions[0]
    assert list(action.preamble.annotations) == ['@foo(1 , "x")', "@tableonly"]
    assert action.preamble.doc.brief == "short"
    assert action.preamble.doc.description == "long"
    assert list(action.params[0].annotations) == ['@unit("ms")']
    assert action.params[0].doc.brief == "b"


def test_string_literal_text_escapes_like_p4c() -> None:
    assert Annotation.string("noWarn", 'a"b\\c\n\x01').text() == '@noWarn("a\\"b\\\\c\\n\\u0001")'


def test_enum_parameter_has_type_name_and_no_bitwidth() -> None:
    spec = ProgramSpec(
        actions=[ActionSpec("Ing.a", (ParamSpec("e", NamedType("enum", "Color")),))],
        types=TypeCatalog(enums={"Color": ("RED", "GREEN")}),
    )
    info = build_p4info(spec)
    param = info.actions[0].params[0]
    assert param.bitwidth == 0
    assert param.type_name.name == "Color"
    assert [m.name for m in info.type_info.enums["Color"].members] == ["RED", "GREEN"]


def test_explicit_key_ids_and_selector_keys_take_ids() -> None:
    spec = ProgramSpec(
        tables=[
            TableSpec(
                "Ing.t",
                keys=(
                    key("a", 8, "selector"),
                    KeySpec("b", bits(8), "exact", explicit_id=7),
                    key("c", 8, "exact"),
                    key("d", 8, "my_kind"),
                ),
                actions=refs("NoAction"),
                implementation="Ing.sel",
            )
        ],
        actions=[NO_ACTION],
        action_profiles=[ActionProfileSpec("Ing.sel", 4, with_selector=True)],
    )
    fields = build_p4info(spec).tables[0].match_fields
    assert [(f.name, f.id) for f in fields] == [("b", 7), ("c", 2), ("d", 3)]
    assert fields[2].other_match_type == "my_kind"


def test_controller_header_hidden_field_keeps_its_number() -> None:
    spec = ProgramSpec(
        controller_headers=[
            ControllerHeaderSpec(
                "pin_t",
                "packet_in",
                (
                    ControllerFieldSpec("a", bits(9)),
                    ControllerFieldSpec("b", bits(7), hidden=True),
                    ControllerFieldSpec("c", NamedType("new_type", "port_t")),
                ),
                explicit_id=5,
            )
        ],
        types=TypeCatalog(new_types={"port_t": NewTypeDef(bits(9), Translation("x.org/port", 32))}),
    )
    info = build_p4info(spec)
    header = info.controller_packet_metadata[0]
    assert header.preamble.id == 0x04000005
    assert [(m.name, m.id, m.bitwidth, m.type_name.name) for m in header.metadata] == [
        ("a", 1, 9, ""),
        ("c", 3, 32, "port_t"),
    ]
    assert "port_t" in info.type_info.new_types


def test_register_of_struct_with_header_stack() -> None:
    spec = ProgramSpec(
        registers=[RegisterSpec("Ing.r", NamedType("struct", "s_t"), 4)],
        types=TypeCatalog(
            structs={"s_t": StructDef((("f", BoolType()), ("hs", StackType(NamedType("header", "h_t"), 2))))},
            headers={"h_t": StructDef((("x", bits(8)), ("y", BitsType(8, signed=True))))},
        ),
    )
    info = build_p4info(spec)
    assert info.registers[0].type_spec.struct.name == "s_t"
    members = info.type_info.structs["s_t"].members
    assert members[0].type_spec.HasField("bool")
    assert members[1].type_spec.header_stack.header.name == "h_t"
    assert members[1].type_spec.header_stack.size == 2
    header = info.type_info.headers["h_t"]
    assert header.members[1].type_spec.int.bitwidth == 8


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ProgramSpec(tables=[TableSpec("Ing.t", actions=refs("Ing.nope"))]), "not in the program"),
        (ProgramSpec(tables=[TableSpec("Ing.t"), TableSpec("Ing.t")]), "multiple table"),
        (
            ProgramSpec(
                tables=[
                    TableSpec(
                        "Ing.t", actions=(ActionRefSpec("A", (*DEFAULT_ONLY, Annotation("tableonly"))),)
                    )
                ],
                actions=[ActionSpec("A")],
            ),
            "both",
        ),
        (ProgramSpec(actions=[ActionSpec("Ing.a", (ParamSpec("p", TupleType((bits(1),))),))]), "not bit<>"),
        (
            ProgramSpec(
                tables=[
                    TableSpec("Ing.t1", direct_counter="Ing.c"),
                    TableSpec("Ing.t2", direct_counter="Ing.c"),
                ],
                direct_counters=[DirectCounterSpec("Ing.c", "packets")],
            ),
            "used by tables",
        ),
        (ProgramSpec(tables=[TableSpec("Ing.t", implementation="Ing.missing")]), "not an action profile"),
        (ProgramSpec(digests=[DigestSpec("d", NamedType("struct", "undefined_t"))]), "unknown struct"),
        (ProgramSpec(actions=[ActionSpec("Ing.a", explicit_id=0x02000001)]), "wrong 8-bit prefix"),
    ],
)
def test_inconsistent_specs_are_clear_errors(spec: ProgramSpec, message: str) -> None:
    with pytest.raises(P4InfoError, match=message):
        build_p4info(spec)
