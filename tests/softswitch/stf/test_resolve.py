"""Tests of STF name resolution and value conversion (P4TARGET.md 3.4), against a hand-written P4Info."""

from __future__ import annotations

import pytest

from softswitch.stf.parser import AddCmd, SetDefaultCmd, parse_stf
from softswitch.stf.resolve import (
    CliError,
    DefaultWrite,
    EntryWrite,
    StfLineError,
    cli_lookup,
    find_key,
    find_table,
    resolve_add,
    resolve_set_default,
)
from softswitch.stf.schema import StfSchema
from softswitch.stf.target import KeyMatch


def add(schema: StfSchema, line: str) -> EntryWrite:
    cmd = parse_stf(line)[0]
    assert isinstance(cmd, AddCmd)
    return resolve_add(schema, cmd)


def setdefault(schema: StfSchema, line: str) -> DefaultWrite:
    cmd = parse_stf(line)[0]
    assert isinstance(cmd, SetDefaultCmd)
    return resolve_set_default(schema, cmd)


def test_schema_reads_the_p4info(schema: StfSchema) -> None:
    acl = find_table(schema, "ingress.acl")
    assert [k.name for k in acl.keys] == ["hdr.ipv4.src", "hdr.vlan.$valid$", "hdr.stack[0].f", "meta.flag$"]
    assert acl.uses_priority
    assert not find_table(schema, "ingress.routes").uses_priority
    assert find_table(schema, "ingress.prof").indirect
    assert schema.counters == ("ingress.pkt_counter",)
    assert schema.registers == ("ingress.reg", "egress.reg", "ingress.only_reg")


def test_table_names_exact_then_unique_suffix(schema: StfSchema) -> None:
    assert find_table(schema, "ingress.t_exact").name == "ingress.t_exact"
    assert find_table(schema, "acl").name == "ingress.acl"
    assert find_table(schema, "cl").name == "ingress.acl"  # a plain suffix, not only after a dot
    with pytest.raises(StfLineError, match="ambiguous"):
        find_table(schema, "t_exact")
    with pytest.raises(StfLineError, match="no table named 'nope'"):
        find_table(schema, "nope")


def test_exact_entry_with_omitted_key(schema: StfSchema) -> None:
    w = add(schema, "add ingress.t_exact hdr.eth.dst:0x001122334455 fwd(port:3)")
    assert w == EntryWrite(
        "ingress.t_exact",
        [KeyMatch("hdr.eth.dst", "exact", 0x001122334455), KeyMatch("meta.port", "exact", 0)],
        "ingress.fwd",
        [3],
        None,
    )


def test_priority_is_ignored_for_tables_without_ternary_keys(schema: StfSchema) -> None:
    assert add(schema, "add ingress.t_exact 7 port:1 fwd(port:1)").priority is None


def test_key_name_rules(schema: StfSchema) -> None:
    acl = find_table(schema, "ingress.acl")
    assert find_key(acl, "hdr.ipv4.src").name == "hdr.ipv4.src"  # exact
    assert find_key(acl, "stack$0.f").name == "hdr.stack[0].f"  # a$0.b -> a[0].b, then suffix
    assert find_key(acl, "meta.flag").name == "meta.flag$"  # name + "$"
    assert find_key(acl, "hdr.vlan").name == "hdr.vlan.$valid$"  # name + ".$valid$"
    assert find_key(acl, "hdr.vlan.valid").name == "hdr.vlan.$valid$"  # ".valid" -> "$valid$"
    assert find_key(acl, "ipv4.src").name == "hdr.ipv4.src"  # suffix after a dot
    assert find_key(acl, "flag").name == "meta.flag$"  # suffix plus "$"
    assert find_key(acl, "valid").name == "hdr.vlan.$valid$"  # bare "valid"
    opt = find_table(schema, "ingress.opt")
    assert find_key(opt, "valid").name == "$valid$"
    with pytest.raises(StfLineError, match="no key field 'src4'"):
        find_key(acl, "src4")
    with pytest.raises(StfLineError):
        find_key(acl, "pv4.src")  # a suffix must start after a dot


def test_ternary_digit_masks_and_omitted_ternary_keys(schema: StfSchema) -> None:
    w = add(schema, "add acl 10 src:0x0a**01** hdr.stack$0.f:0b1*1 ingress.set_a(v:1)")
    assert w.priority == 10
    assert w.matches == [
        KeyMatch("hdr.ipv4.src", "ternary", 0x0A000100, mask=0xFF00FF00),
        KeyMatch("hdr.vlan.$valid$", "exact", 0),
        KeyMatch("hdr.stack[0].f", "ternary", 0b101, mask=0b101),
        KeyMatch("meta.flag$", "exact", 0),
    ]
    # Only the digits written are cared for: 0x1 means mask 0xF.
    assert add(schema, "add acl 1 src:0x1 ingress.set_a(v:1)").matches[0] == KeyMatch(
        "hdr.ipv4.src", "ternary", 1, mask=0xF
    )
    omitted = add(schema, "add acl 1 flag:1 ingress.set_a(v:1)").matches[0]
    assert omitted == KeyMatch("hdr.ipv4.src", "ternary", 0, mask=0)


def test_ternary_explicit_mask_and_decimal_value(schema: StfSchema) -> None:
    m = add(schema, "add acl 1 src:0x0a0b0c0d&&&0xffff0000 ingress.set_a(v:1)").matches[0]
    assert m == KeyMatch("hdr.ipv4.src", "ternary", 0x0A0B0000, mask=0xFFFF0000)
    with pytest.raises(StfLineError, match="hex or binary"):
        add(schema, "add acl 1 src:10 ingress.set_a(v:1)")


def test_ternary_table_needs_a_priority(schema: StfSchema) -> None:
    with pytest.raises(StfLineError, match="needs a priority"):
        add(schema, "add acl src:0x01 ingress.set_a(v:1)")
    assert add(schema, "add acl 0 src:0x01 ingress.set_a(v:1)").priority == 0


def test_optional_keys_take_ternary_forms(schema: StfSchema) -> None:
    w = add(schema, "add opt 5 meta.o:0x1* NoAction()")
    assert w.matches == [KeyMatch("meta.o", "optional", 0x10, mask=0xF0), KeyMatch("$valid$", "exact", 0)]
    assert w.priority == 5
    assert add(schema, "add opt 5 valid:1 NoAction()").matches[0] == KeyMatch("meta.o", "optional", 0, mask=0)


def test_lpm_prefix_from_digits(schema: StfSchema) -> None:
    m = add(schema, "add routes hdr.ipv4.dst:0x0a01**** set_nh(nh:1)").matches
    assert m == [KeyMatch("hdr.ipv4.dst", "lpm", 0x0A010000, prefix_len=16), KeyMatch("meta.vrf", "exact", 0)]
    assert add(schema, "add routes dst:0x0a000001 set_nh(nh:1)").matches[0].prefix_len == 32
    assert add(schema, "add routes dst:0b101 set_nh(nh:1)").matches[0] == KeyMatch(
        "hdr.ipv4.dst", "lpm", 0, prefix_len=3
    )  # 0b101 is 5, whose bits lie past the 3-bit prefix of the 32-bit field


def test_lpm_explicit_length_and_omitted(schema: StfSchema) -> None:
    w = add(schema, "add routes dst:0x0a0000ff/8 vrf:2 set_nh(nh:1)")
    assert w.matches == [
        KeyMatch("hdr.ipv4.dst", "lpm", 0x0A000000, prefix_len=8),
        KeyMatch("meta.vrf", "exact", 2),
    ]
    assert add(schema, "add routes vrf:2 set_nh(nh:1)").matches[0] == KeyMatch(
        "hdr.ipv4.dst", "lpm", 0, prefix_len=0
    )


def test_lpm_values_the_cli_refuses(schema: StfSchema) -> None:
    with pytest.raises(CliError, match="prefix length 40 is longer than 32 bits"):
        add(schema, "add routes dst:0x0000000000 set_nh(nh:1)")  # ten digits; the value still fits
    with pytest.raises(CliError, match="does not fit"):
        add(schema, "add routes dst:0x0a00000000 set_nh(nh:1)")
    with pytest.raises(CliError, match="decimal"):
        add(schema, "add routes dst:167772161 set_nh(nh:1)")


def test_forms_that_do_not_fit_the_key_kind(schema: StfSchema) -> None:
    with pytest.raises(StfLineError, match="only for lpm"):
        add(schema, "add ingress.t_exact port:1/9 fwd(port:1)")
    with pytest.raises(StfLineError, match="only for ternary"):
        add(schema, "add routes dst:1&&&1 set_nh(nh:1)")


def test_exact_values_as_the_cli_reads_them(schema: StfSchema) -> None:
    # 9-bit field: anything that fits in 2 bytes is accepted and cut to 9 bits.
    assert add(schema, "add ingress.t_exact port:0x3ff fwd(port:1)").matches[1].value == 0x1FF
    assert add(schema, "add ingress.t_exact port:0b11 fwd(port:1)").matches[1].value == 3
    with pytest.raises(CliError, match="does not fit"):
        add(schema, "add ingress.t_exact port:0x10000 fwd(port:1)")
    with pytest.raises(CliError, match="cannot read"):
        add(schema, "add ingress.t_exact port:0x1* fwd(port:1)")
    with pytest.raises(CliError, match="cannot read"):
        add(schema, "add ingress.t_exact port:010 fwd(port:1)")  # int("010", 0) fails in the CLI too


def test_action_resolution_and_arguments(schema: StfSchema) -> None:
    w = add(schema, "add acl 1 src:0x01 ingress.mark(ecn:0x7, dscp:46)")
    assert w.action == "ingress.mark"
    assert w.args == [46, 3]  # declaration order; 0x7 cut to the 2-bit width
    assert add(schema, "add acl 1 src:0x01 mark(dscp:1, ecn:1)").action == "ingress.mark"
    assert add(schema, "add acl 1 src:0x01 ingress.set_a(v:1)").action == "ingress.set_a"
    with pytest.raises(StfLineError, match="ambiguous"):
        add(schema, "add acl 1 src:0x01 t_a(v:1)")
    with pytest.raises(StfLineError, match="ambiguous"):
        add(schema, "add acl 1 src:0x01 set_a(v:1)")  # a plain suffix of ingress.reset_a too
    with pytest.raises(StfLineError, match="has no action 'fwd'"):
        add(schema, "add acl 1 src:0x01 fwd(port:1)")
    with pytest.raises(StfLineError, match="no value given for ecn"):
        add(schema, "add acl 1 src:0x01 mark(dscp:1)")
    with pytest.raises(StfLineError, match="no parameter 'color'"):
        add(schema, "add acl 1 src:0x01 mark(dscp:1, ecn:1, color:2)")
    with pytest.raises(CliError, match="parameter dscp"):
        add(schema, "add acl 1 src:0x01 mark(dscp:0x100, ecn:1)")


def test_tables_stf_cannot_write(schema: StfSchema) -> None:
    with pytest.raises(StfLineError, match="range key"):
        add(schema, "add ranged x:1 NoAction()")
    with pytest.raises(CliError, match="action profile"):
        add(schema, "add prof port:1 fwd(port:1)")


def test_set_default(schema: StfSchema) -> None:
    assert setdefault(schema, "setdefault acl mark(dscp:1, ecn:2)") == DefaultWrite(
        "ingress.acl", "ingress.mark", [1, 2]
    )
    assert setdefault(schema, "setdefault ingress.acl NoAction()") == DefaultWrite(
        "ingress.acl", "NoAction", []
    )
    with pytest.raises(StfLineError, match="no value given"):
        setdefault(schema, "setdefault acl mark(dscp:1)")
    # "cl" is a plain suffix (p4c's runner accepts it) but not a dot-suffix (the CLI does not).
    with pytest.raises(CliError, match="finds no table 'cl'"):
        setdefault(schema, "setdefault cl NoAction()")


def test_cli_lookup_uses_unique_dot_suffixes() -> None:
    names = ["ingress.reg", "egress.reg", "ingress.only_reg"]
    assert cli_lookup(names, "ingress.reg") == "ingress.reg"
    assert cli_lookup(names, "only_reg") == "ingress.only_reg"
    assert cli_lookup(names, "reg") is None  # ambiguous
    assert cli_lookup(names, "y_reg") is None  # not after a dot
