"""Tests of the STF parser on hand-written snippets covering every command form."""

from __future__ import annotations

from pathlib import Path

import pytest

from softswitch.stf.parser import (
    ActionCall,
    AddCmd,
    CheckCounterCmd,
    CounterReadCmd,
    CounterWriteCmd,
    ExpectCmd,
    McMgrpCreateCmd,
    McNodeAssociateCmd,
    McNodeCreateCmd,
    McNodeUpdateCmd,
    MeterArraySetRatesCmd,
    MeterGetRatesCmd,
    MeterSetRatesCmd,
    MirroringAddCmd,
    MirroringAddMcCmd,
    MirroringDeleteCmd,
    MirroringGetCmd,
    NoPacketCmd,
    PacketCmd,
    RegisterReadCmd,
    RegisterResetCmd,
    RegisterWriteCmd,
    RemoveCmd,
    SetDefaultCmd,
    StfKey,
    StfSyntaxError,
    WaitCmd,
    parse_stf,
    parse_stf_file,
)


def one(text: str) -> object:
    commands = parse_stf(text)
    assert len(commands) == 1
    return commands[0]


def test_packet_forms() -> None:
    assert one("packet 0 00 11 2233 aAbB") == PacketCmd(1, 0, bytes.fromhex("00112233aabb"))
    assert one("  PACKET 12 0102   # trailing comment") == PacketCmd(1, 12, b"\x01\x02")
    assert one("Packet 3 99") == PacketCmd(1, 3, b"\x99")  # digits that look decimal are hex


def test_expect_forms() -> None:
    assert one("expect 1 0a 0B ** 0*") == ExpectCmd(1, 1, "0A0B**0*", False)
    assert one("expect 2 0102 $") == ExpectCmd(1, 2, "0102", True)
    assert one("expect 2 0102$") == ExpectCmd(1, 2, "0102", True)
    assert one("expect 4") == ExpectCmd(1, 4, None, False)
    assert one("expect 4 $") == ExpectCmd(1, 4, "", True)
    assert one("EXPECT 0 abc") == ExpectCmd(1, 0, "ABC", False)  # an odd number of nibbles is allowed


def test_add_with_priority_ternary_digits_and_id() -> None:
    cmd = one("add test1 503 data.f1:0x****0202 ingress.setb1(val:7, port:3) = A")
    assert cmd == AddCmd(
        1,
        "test1",
        503,
        (StfKey("data.f1", "0x****0202"),),
        ActionCall("ingress.setb1", (("val", "7"), ("port", "3"))),
        "A",
    )


def test_add_key_forms() -> None:
    cmd = one(
        "ADD ingress.t extra$0.h:0x25** hdr.s[1].f:0b1*0 ip.dst:0x0a000000/8 "
        'tcp.port:0x50&&&0xff "odd name":5 valid:1 do_it()'
    )
    assert isinstance(cmd, AddCmd)
    assert cmd.table == "ingress.t"
    assert cmd.priority is None
    assert cmd.keys == (
        StfKey("extra$0.h", "0x25**"),
        StfKey("hdr.s[1].f", "0b1*0"),
        StfKey("ip.dst", "0x0a000000", prefix_len=8),
        StfKey("tcp.port", "0x50", mask="0xff"),
        StfKey("odd name", "5"),
        StfKey("valid", "1"),
    )
    assert cmd.action == ActionCall("do_it", ())
    assert cmd.entry_id is None


def test_add_action_args_without_spaces() -> None:
    cmd = one("add pipe_t 0 key.f0:0x0a key.f1:10 pipe_set(a:0x1,b:0b10,c:3)")
    assert isinstance(cmd, AddCmd)
    assert cmd.priority == 0
    assert cmd.action.args == (("a", "0x1"), ("b", "0b10"), ("c", "3"))


def test_setdefault() -> None:
    assert one("setdefault pipe_t pipe_Reject(rej:0, bar:1)") == SetDefaultCmd(
        1, "pipe_t", ActionCall("pipe_Reject", (("rej", "0"), ("bar", "1")))
    )
    assert one("setdefault c.t NoAction()") == SetDefaultCmd(1, "c.t", ActionCall("NoAction"))


def test_multicast_and_mirroring_commands() -> None:
    text = """
        mc_mgrp_create 1113
        mc_node_create 400 6 7 8
        mc_node_update 0 1 2
        mc_node_associate 1113 0
        mirroring_add 11 5
        mirroring_add_mc 12 1113
        mirroring_delete 11
        mirroring_get 12
    """
    assert parse_stf(text) == [
        McMgrpCreateCmd(2, 1113),
        McNodeCreateCmd(3, 400, (6, 7, 8)),
        McNodeUpdateCmd(4, 0, (1, 2)),
        McNodeAssociateCmd(5, 1113, 0),
        MirroringAddCmd(6, 11, 5),
        MirroringAddMcCmd(7, 12, 1113),
        MirroringDeleteCmd(8, 11),
        MirroringGetCmd(9, 12),
    ]


def test_counter_register_meter_commands() -> None:
    text = """\
counter_read ingress.c 3
counter_write c 4 10 640
register_read cIngress.regfile 1
register_write cIngress.regfile 5 100
register_reset cIngress.regfile
meter_get_rates cIngress.meter0 2
meter_set_rates cIngress.meter0 2 0.000005:4 0.00002:5
meter_array_set_rates cIngress.meter0 0.000006:7 1:9
"""
    assert parse_stf(text) == [
        CounterReadCmd(1, "ingress.c", 3),
        CounterWriteCmd(2, "c", 4, 10, 640),
        RegisterReadCmd(3, "cIngress.regfile", 1),
        RegisterWriteCmd(4, "cIngress.regfile", 5, 100),
        RegisterResetCmd(5, "cIngress.regfile"),
        MeterGetRatesCmd(6, "cIngress.meter0", 2),
        MeterSetRatesCmd(7, "cIngress.meter0", 2, ((0.000005, 4), (0.00002, 5))),
        MeterArraySetRatesCmd(8, "cIngress.meter0", ((0.000006, 7), (1.0, 9))),
    ]


def test_check_counter_wait_remove_no_packet() -> None:
    text = """\
check_counter cntDum(10) packets == 2
check_counter cntDum($A)
check_counter c(0) bytes >= 64
wait
remove all
no_packet
"""
    assert parse_stf(text) == [
        CheckCounterCmd(1, "cntDum", "10", "packets", "==", 2),
        CheckCounterCmd(2, "cntDum", "$A"),
        CheckCounterCmd(3, "c", "0", "bytes", ">=", 64),
        WaitCmd(4),
        RemoveCmd(5, "all"),
        NoPacketCmd(6),
    ]


def test_comments_blank_lines_and_line_numbers() -> None:
    text = "# header\n\n   # indented comment\npacket 0 00\n\nexpect 0 00 # why\n"
    assert parse_stf(text) == [PacketCmd(4, 0, b"\x00"), ExpectCmd(6, 0, "00")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("packet 0", "packet needs data"),
        ("packet x 00", "decimal port"),
        ("packet 0 0g", "only hex digits"),
        ("packet 0 012", "odd number of hex digits"),
        ("packet 0 0*", "only hex digits"),
        ("expect 0 00 $ 11", "'$' is only at the end"),
        ("expect 0 zz", "'z' is not allowed"),
        ("frobnicate 1 2", "unknown command 'frobnicate'"),
        ("0x12 a", "must start with a command word"),
        ("add t a()", "at least one key"),
        ("add t k:1 a(", "ends too early"),
        ("add t 0x5 k:1 a()", "priority must be a decimal"),
        ("add t k:1 a(x)", "expected ':'"),
        ("add t k:1 a() extra", "unexpected 'extra'"),
        ("mc_node_create 1", "ends too early"),
        ("mirroring_add 1 0x1*", "in decimal only"),
        # simple_switch_CLI answers "Bad format for ..." to hex in these (checked on real BMv2)
        ("mc_mgrp_create 0x1", "simple_switch_CLI takes a group id in decimal only, not 0x1"),
        ("mirroring_add 5 0x1", "a port in decimal only"),
        ("register_write r 0 0x10", "a value in decimal only"),
        ("meter_set_rates m 0 1:0x10", "a burst size in decimal only"),
        ("meter_set_rates m 1", "at least one rate"),
        ("check_counter c(1) frames == 1", "packets or bytes"),
        ("check_counter c(1) packets = 1", "comparison"),
        ("wait 5", "unexpected '5'"),
        ("register_read r @", "unexpected character '@'"),
    ],
)
def test_syntax_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(StfSyntaxError) as info:
        parse_stf("packet 0 00\n" + text + "\n", "t.stf")
    assert info.value.errors[0][0] == 2
    assert message in info.value.errors[0][1]
    assert str(info.value).startswith("t.stf:2: ")


def test_every_bad_line_is_reported() -> None:
    with pytest.raises(StfSyntaxError) as info:
        parse_stf("bogus\npacket 0 00\nexpect\nalso_bogus 1\n")
    assert [line for line, _ in info.value.errors] == [1, 3, 4]


def test_parse_stf_file(tmp_path: Path) -> None:
    path = tmp_path / "x.stf"
    path.write_text("packet 1 0102\nexpect 1 01**\n")
    assert parse_stf_file(path) == [PacketCmd(1, 1, b"\x01\x02"), ExpectCmd(2, 1, "01**")]
    with pytest.raises(StfSyntaxError, match="cannot read"):
        parse_stf_file(tmp_path / "missing.stf")
