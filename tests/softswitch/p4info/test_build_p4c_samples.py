"""P4Info building against p4c 1.2.4.8's own test outputs, for features the golden files lack.

The expected text is read, when the machine has it, from the p4c git mirror at tag
v1.2.4.8 (``testdata/p4_16_samples_outputs``); the specs are written by hand from the matching
``testdata/p4_16_samples`` programs. Nothing from p4c is stored in this repository.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from softswitch.p4info.build import build_p4info, write_p4info_text
from softswitch.p4info.model import (
    ActionProfileSpec,
    ActionRefSpec,
    ActionSpec,
    Annotation,
    BitsType,
    DigestSpec,
    KeySpec,
    NamedType,
    NewTypeDef,
    ParamSpec,
    ProgramSpec,
    SerEnumDef,
    StructDef,
    TableSpec,
    Translation,
    TypeCatalog,
    ValueSetMatchSpec,
    ValueSetSpec,
)

MIRROR = Path("/work/.mirror/p4lang+p4c/repo")
TAG = "v1.2.4.8"

NO_ACTION = ActionSpec("NoAction", annotations=(Annotation.string("noWarn", "unused"),))
IMPLICIT_NO_ACTION = ActionRefSpec("NoAction", (Annotation.empty("defaultonly"),))


def _expected(sample: str) -> str:
    if not MIRROR.is_dir():
        pytest.skip("the p4c git mirror is not on this machine")
    path = f"{TAG}:testdata/p4_16_samples_outputs/{sample}.p4.p4info.txtpb"
    try:
        result = subprocess.run(
            ["git", "--git-dir", str(MIRROR), "show", path],
            capture_output=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        pytest.skip(f"cannot read {path} from the p4c mirror")
    return result.stdout.decode("utf-8")


def structured_annotations() -> ProgramSpec:
    # Structured annotations on a table and on action references; `key = { }`.
    return ProgramSpec(
        tables=[
            TableSpec(
                "ingressImpl.t",
                actions=(
                    ActionRefSpec(
                        "ingressImpl.redirect", (Annotation("myid", structured=True, expressions=(1,)),)
                    ),
                    ActionRefSpec(
                        "ingressImpl.my_drop", (Annotation("myid", structured=True, expressions=(2,)),)
                    ),
                    ActionRefSpec("NoAction"),
                ),
                annotations=(
                    Annotation("MixedExprList", structured=True, expressions=(1, "hello", True, False, 11)),
                    Annotation(
                        "MixedKV",
                        structured=True,
                        kv_pairs=(("label", "text"), ("my_bool", True), ("int_val", 6)),
                    ),
                ),
            )
        ],
        actions=[NO_ACTION, ActionSpec("ingressImpl.my_drop"), ActionSpec("ingressImpl.redirect")],
        uses_type_info=True,
    )


def action_profile_max_group_size_annotation() -> ProgramSpec:
    # Action profile and selector constructed in the `implementation` property, named by the
    # property's @name (no control prefix); @max_group_size only applies to the selector.
    return ProgramSpec(
        tables=[
            TableSpec(
                "IngressI.indirect",
                actions=(ActionRefSpec("IngressI.drop"), ActionRefSpec("NoAction")),
                const_default_action="NoAction",
                implementation="ap",
            ),
            TableSpec(
                "IngressI.indirect_ws",
                keys=(KeySpec("meta.hash1", BitsType(32), "selector"),),
                actions=(ActionRefSpec("IngressI.drop"), ActionRefSpec("NoAction")),
                const_default_action="NoAction",
                implementation="ap_ws",
            ),
        ],
        actions=[NO_ACTION, ActionSpec("IngressI.drop")],
        action_profiles=[
            ActionProfileSpec(
                "ap",
                128,
                max_group_size=200,
                annotations=(Annotation.string("name", "ap"), Annotation("max_group_size", "200")),
            ),
            ActionProfileSpec(
                "ap_ws",
                1024,
                with_selector=True,
                max_group_size=200,
                annotations=(Annotation.string("name", "ap_ws"), Annotation("max_group_size", "200")),
            ),
        ],
        uses_type_info=True,
    )


def pvs_struct_1_bmv2() -> ProgramSpec:
    # A value set of a struct type; a key through a header stack index.
    return ProgramSpec(
        tables=[
            TableSpec(
                "MyIngress.t",
                keys=(KeySpec("meta.data[0].da", BitsType(32), "exact"),),
                actions=(ActionRefSpec("MyIngress.set_data"), IMPLICIT_NO_ACTION),
            )
        ],
        actions=[NO_ACTION, ActionSpec("MyIngress.set_data")],
        value_sets=[ValueSetSpec("MyParser.pvs", 4, (ValueSetMatchSpec("field", 32),))],
    )


def issue2283_1_bmv2() -> ProgramSpec:
    # Keys of translated new types, including a `string` translation (bitwidth 0).
    def port_type(n: int, width: int | None) -> NewTypeDef:
        return NewTypeDef(BitsType(16), Translation(f"p4.org/psa/v1/PortId{n}_t", width))

    return ProgramSpec(
        tables=[
            TableSpec(
                "ingress.t",
                keys=tuple(
                    KeySpec(f"h.ports.port{n}", NamedType("new_type", f"PortId{n}_t"), "exact")
                    for n in (1, 2, 3)
                ),
                actions=(ActionRefSpec("NoAction"),),
            )
        ],
        actions=[NO_ACTION],
        types=TypeCatalog(
            new_types={
                "PortId1_t": port_type(1, 32),
                "PortId2_t": port_type(2, 32),
                "PortId3_t": port_type(3, None),
            }
        ),
    )


def issue1739_bmv2() -> ProgramSpec:
    # Untranslated new types (one defined over another); a top-level action used by a table.
    return ProgramSpec(
        tables=[
            TableSpec(
                "ingress.ipv4_da_lpm",
                keys=(KeySpec("hdr.ipv4.dstAddr", NamedType("new_type", "IPv4Address_t"), "lpm"),),
                actions=(ActionRefSpec("ingress.set_output"), ActionRefSpec("my_drop")),
            ),
            TableSpec(
                "ingress.ipv4_sa_filter",
                keys=(KeySpec("hdr.ipv4.srcAddr", NamedType("new_type", "IPv4Address2_t"), "ternary"),),
                actions=(ActionRefSpec("my_drop"), ActionRefSpec("NoAction")),
                const_default_action="NoAction",
            ),
        ],
        actions=[
            ActionSpec("my_drop"),
            NO_ACTION,
            ActionSpec("ingress.set_output", (ParamSpec("out_port", BitsType(9)),)),
        ],
        types=TypeCatalog(
            new_types={
                "EthernetAddress_t": NewTypeDef(BitsType(48)),
                "IPv4Address_t": NewTypeDef(BitsType(32)),
                "IPv4Address2_t": NewTypeDef(BitsType(32)),
            }
        ),
        uses_type_info=True,
    )


def annotation_inline_propagate() -> ProgramSpec:
    # A table in a sub-control instance, with an unknown annotation and an @name.
    return ProgramSpec(
        tables=[
            TableSpec(
                "MyIngress.inner.inner_table",
                actions=(ActionRefSpec("MyIngress.inner.set_hdr"), ActionRefSpec("NoAction")),
                annotations=(Annotation.empty("my_anno_4"), Annotation.string("name", "inner_table")),
            )
        ],
        actions=[NO_ACTION, ActionSpec("MyIngress.inner.set_hdr", (ParamSpec("val", BitsType(16)),))],
    )


def action_synth() -> ProgramSpec:
    # An action only called from an apply block is still listed; nothing touches type_info.
    return ProgramSpec(actions=[ActionSpec("IngressI.aux.a")])


CORE_ERRORS = (
    "NoError",
    "PacketTooShort",
    "NoMatch",
    "StackOutOfBounds",
    "HeaderTooShort",
    "ParserTimeout",
    "ParserInvalidArgument",
)


def v1model_digest_containing_ser_enum() -> ProgramSpec:
    # Digests of structs holding `error`, an enum and a serializable enum; a directly called action.
    def table(name: str, key: str, width: int, kind: str, *actions: str) -> TableSpec:
        return TableSpec(
            name,
            keys=(KeySpec(key, BitsType(width), kind),),
            actions=tuple(ActionRefSpec(a) for a in actions),
            size=1024,
        )

    mac = BitsType(48)
    return ProgramSpec(
        tables=[
            table(
                "MyIngress.forward",
                "hdr.ipv4.dstAddr",
                32,
                "exact",
                "MyIngress.set_dmac",
                "MyIngress.drop",
                "NoAction",
            ),
            table(
                "MyIngress.ipv4_lpm",
                "hdr.ipv4.dstAddr",
                32,
                "lpm",
                "MyIngress.set_nhop",
                "MyIngress.drop",
                "NoAction",
            ),
            table(
                "MyEgress.send_frame",
                "standard_metadata.egress_port",
                9,
                "exact",
                "MyEgress.rewrite_mac",
                "NoAction",
            ),
        ],
        actions=[
            NO_ACTION,
            ActionSpec("MyIngress.set_dmac", (ParamSpec("dstAddr", mac),)),
            ActionSpec("MyIngress.drop"),
            ActionSpec(
                "MyIngress.set_nhop", (ParamSpec("dstAddr", BitsType(32)), ParamSpec("port", BitsType(9)))
            ),
            ActionSpec("MyIngress.send_digest"),
            NO_ACTION,
            ActionSpec("MyEgress.rewrite_mac", (ParamSpec("srcAddr", mac),)),
        ],
        digests=[
            DigestSpec("test_digest_t", NamedType("struct", "test_digest_t")),
            DigestSpec("test_digest2_t", NamedType("struct", "test_digest2_t")),
            DigestSpec("test_digest3_t", NamedType("struct", "test_digest3_t")),
        ],
        types=TypeCatalog(
            structs={
                "test_digest_t": StructDef(
                    (
                        ("in_mac_srcAddr", mac),
                        ("my_parser_error", NamedType("error", "error")),
                        ("pkt_type", NamedType("enum", "MyPacketTypes")),
                    )
                ),
                "test_digest2_t": StructDef(
                    (("in_mac_dstAddr", mac), ("my_thing", NamedType("serializable_enum", "MySerEnum1")))
                ),
                "test_digest3_t": StructDef((("in_mac_etherType", BitsType(16)),)),
            },
            enums={"MyPacketTypes": ("IPv4", "Other")},
            serializable_enums={"MySerEnum1": SerEnumDef(8, (("foo", 28), ("bar", 17), ("gah", 42)))},
            errors=(*CORE_ERRORS, "UnreachableState"),
        ),
        uses_type_info=True,
    )


SAMPLES: dict[str, Callable[[], ProgramSpec]] = {
    "action-synth": action_synth,
    "v1model-digest-containing-ser-enum": v1model_digest_containing_ser_enum,
    "structured_annotations": structured_annotations,
    "action_profile_max_group_size_annotation": action_profile_max_group_size_annotation,
    "pvs-struct-1-bmv2": pvs_struct_1_bmv2,
    "issue2283_1-bmv2": issue2283_1_bmv2,
    "issue1739-bmv2": issue1739_bmv2,
    "annotation-inline-propagate": annotation_inline_propagate,
}


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_p4c_sample_p4info_text_is_identical(sample: str) -> None:
    expected = _expected(sample)
    assert write_p4info_text(build_p4info(SAMPLES[sample]())) == expected
